"""The same answers as the command line on the corpus: every decision of the differential
cases (`trustsim eval --batch`), and every analysis of the corpus policies (`trustsim
analyze`), policy errors included."""

from __future__ import annotations

import json
import pathlib
import subprocess

import trustsim


def corpus_policies(root: pathlib.Path):
    return sorted((root / "corpus" / "policies").glob("*.json"))


def test_decisions_agree_with_eval_batch(root, trustsim_bin, tmp_path):
    texts = {p.stem: p.read_text() for p in corpus_policies(root)}
    cases = [json.loads(l) for l in (root / "corpus" / "differential" / "cases.jsonl").read_text().splitlines() if l.strip()]
    assert len(cases) > 500
    batch = tmp_path / "batch.jsonl"
    with batch.open("w") as f:
        for c in cases:
            line = {"id": c["id"], "policy": json.loads(texts[c["policy"]]), "request": c["request"]}
            f.write(json.dumps(line) + "\n")
    out = subprocess.run([trustsim_bin, "eval", "--batch", batch], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    cli = {a["id"]: a.get("decision", "error") for a in map(json.loads, out.stdout.splitlines())}
    policies = {}
    for name, text in texts.items():
        try:
            policies[name] = trustsim.Policy(text)
        except trustsim.PolicyError:
            policies[name] = None
    ours = {}
    for c in cases:
        p = policies[c["policy"]]
        ours[c["id"]] = "error" if p is None else p.decide(c["request"])
    assert ours == cli
    assert {"Allow", "ImplicitDeny", "ExplicitDeny"} <= set(ours.values())


def test_analyses_agree_with_analyze(root, trustsim_bin):
    out = subprocess.run(
        [trustsim_bin, "analyze", "corpus/policies", "--format", "json", "--no-config"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    report = json.loads(out.stdout)
    cli = {pathlib.Path(r["source"]).name: r["threats"] for r in report["roles"]}
    cli_errors = {e.split(":", 1)[0].rsplit("/", 1)[-1] for e in report["errors"]}
    ours, our_errors = {}, set()
    for path in corpus_policies(root):
        try:
            analysed = trustsim.analyze(path.read_text())
        except trustsim.PolicyError:
            our_errors.add(path.name)
            continue
        ours[path.name] = analysed["roles"][0]["threats"]
    assert our_errors == cli_errors
    assert ours.keys() == cli.keys()
    for name, threats in ours.items():
        assert threats == cli[name], name
    assert len(ours) > 150
