"""The README's Python examples run, and the Prowler-style check finds the open roles of the
bundled account export and nothing else."""

from __future__ import annotations

import json
import os
import re
import runpy
import sys


def test_the_readme_python_examples_run(root, capsys):
    text = (root / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README.md shows Python"
    here = os.getcwd()
    os.chdir(root)
    try:
        for code in blocks:
            exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(here)
    printed = capsys.readouterr().out
    assert "forged-service" in printed


def test_the_prowler_style_check_lists_the_exposed_roles(root, capsys):
    export = root / "examples" / "account-export"
    expected = json.loads((export / "expected.json").read_text())
    sys.path.insert(0, str(root / "python" / "examples"))
    try:
        import exposed_roles
    finally:
        sys.path.pop(0)
    found = exposed_roles.exposed_roles(
        str(export / "ordinary-account.json"),
        "111122223333",
        expected["trusted_accounts"],
        expected["trusted_org"],
    )
    assert found == expected["open"]
    args = [str(export / "ordinary-account.json"), "--account", "111122223333"]
    for a in expected["trusted_accounts"]:
        args += ["--trusted-account", a]
    args += ["--trusted-org", expected["trusted_org"]]
    assert exposed_roles.main(args) == 1
    lines = capsys.readouterr().out.splitlines()
    assert sorted(l.split(":")[0] for l in lines) == sorted(expected["open"])
