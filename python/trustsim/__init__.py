"""trustsim: who can assume this AWS IAM role?

Exact evaluation of simulated ``sts:AssumeRole*`` requests against a role's trust policy, and
an adversarial analysis that proves whether any caller the owner did not mean to trust can get
in (public trust, forged service requests, confused deputies, weak OIDC federation), with a
witness request and a proven fix. The results are the JSON contract of the ``trustsim``
command line (docs/cli.md), as Python dicts.

>>> import trustsim
>>> policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
...     "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
>>> report = trustsim.analyze(policy, account="111122223333")
>>> [t["threat"] for t in report["roles"][0]["threats"] if t["verdict"] == "exposed"]
['forged-service']
"""

from collections.abc import Mapping

from ._errors import PolicyError
from ._native import Evaluation, Policy, __version__, analyze, diff, evaluate, scan

# `Policy.evaluate` answers with an `Evaluation`: a read-only mapping equal to the dict of
# `trustsim.evaluate`, built when first read.
Mapping.register(Evaluation)

__all__ = [
    "Evaluation",
    "Policy",
    "PolicyError",
    "__version__",
    "analyze",
    "diff",
    "evaluate",
    "scan",
]
