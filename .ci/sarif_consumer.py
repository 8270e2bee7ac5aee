"""Reads trustsim's SARIF the way a Python consumer does (sarif-tools, from PyPI) and checks
that code scanning can place every result: each record names a file that exists under the
log's %SRCROOT% and a line in it, and the run says whether every input was read.

Usage: python sarif_consumer.py LOG.sarif
"""

import json
import os
import sys
from urllib.parse import unquote, urlparse

from sarif import loader


def main() -> int:
    path = sys.argv[1]
    raw = json.load(open(path, encoding="utf-8"))
    run = raw["runs"][0]
    expected = len(run["results"])
    if expected == 0:
        print("sarif consumer: the log has no results to place", file=sys.stderr)
        return 1
    root = unquote(urlparse(run["originalUriBaseIds"]["%SRCROOT%"]["uri"]).path)
    records = loader.load_sarif_file(path).get_records()
    problems = []
    if len(records) != expected:
        problems.append(f"{len(records)} records, expected {expected}")
    for r in records:
        where = r["Location"]
        local = unquote(urlparse(where).path) if where.startswith("file://") else os.path.join(root, unquote(where))
        if not os.path.isfile(local):
            problems.append(f"{r['Code']}: no file at {where!r}")
            continue
        lines = sum(1 for _ in open(local, encoding="utf-8", errors="replace"))
        line = r["Line"]
        if not isinstance(line, int) or not 1 <= line <= max(lines, 1):
            problems.append(f"{r['Code']} at {where}: line {line!r} is not a line of the file ({lines} lines)")
        if r["Description"].startswith(r["Code"]):
            problems.append(f"{r['Code']} at {where}: the message starts with the rule id")
    if run["invocations"][0]["executionSuccessful"] is not True:
        problems.append("executionSuccessful is not true for a run whose inputs were all read")
    for p in problems:
        print("sarif consumer:", p, file=sys.stderr)
    print(f"sarif consumer: {len(records)} results placed, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
