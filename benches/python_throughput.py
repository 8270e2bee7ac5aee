"""Decisions per second from Python on one core: `trustsim.Policy.evaluate` (the whole answer,
with its trace, as a dict) and `Policy.decide` (the decision alone) on the two-condition policy
of benches/src/lib.rs, for an allowed and a forged (denied) request given as dicts.

    pip install ./python && python benches/python_throughput.py [seconds per case]

Pinned to one core when the platform allows it (`os.sched_setaffinity`). Prints one line per
case: calls, seconds, decisions per second. The goal (issue 17) is at least 100,000 decisions
per second with `Policy.evaluate`, whose answer is built as a dict only when read: the
`.to_dict()` line is the cost of reading the whole trace too, and `trustsim.evaluate` parses
the policy at each call.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import trustsim

HERE = Path(__file__).resolve().parent
TWO_CONDITIONS = re.search(
    r'pub const TWO_CONDITIONS: &str = r#"(.*?)"#;', (HERE / "src" / "lib.rs").read_text(), re.S
).group(1)

OWNER = {
    "principal": {"Service": "events.amazonaws.com"},
    "context": {
        "aws:SourceAccount": "111122223333",
        "aws:SourceArn": "arn:aws:events:us-east-1:111122223333:rule/nightly",
    },
}
FORGED = {
    "principal": {"Service": "events.amazonaws.com"},
    "context": {
        "aws:SourceAccount": "444455556666",
        "aws:SourceArn": "arn:aws:events:us-east-1:444455556666:rule/x",
    },
}


def rate(call, request, seconds: float) -> tuple[int, float]:
    n, start = 0, time.perf_counter()
    while True:
        for _ in range(1000):
            call(request)
        n += 1000
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n, elapsed


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    policy = trustsim.Policy(TWO_CONDITIONS)
    assert policy.decide(OWNER) == "Allow" and policy.decide(FORGED) == "ImplicitDeny"
    cases = [
        ("Policy.evaluate", policy.evaluate),
        ("  .to_dict()", lambda r: policy.evaluate(r).to_dict()),
        ("Policy.decide", policy.decide),
        ("trustsim.evaluate", lambda r: trustsim.evaluate(TWO_CONDITIONS, r)),
    ]
    for name, call in cases:
        for label, request in [("allowed", OWNER), ("forged", FORGED)]:
            n, elapsed = rate(call, request, seconds)
            print(f"{name:16} {label:8} {n:>9} calls {elapsed:6.2f} s {n / elapsed:>10,.0f} decisions/s")


if __name__ == "__main__":
    main()
