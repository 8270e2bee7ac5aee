"""A Prowler-style check: which roles of an AWS account can be assumed by someone the owner did
not mean to trust?

Reads an account export (``aws iam get-account-authorization-details > export.json``), analyses
every role with trustsim, and prints one line per exposed role: its name and the threats that
let someone in. Roles AWS manages (service-linked and
IAM Identity Center roles) and trust of the accounts given as trusted are informational and not
listed. Exits 1 when a role is exposed, for a CI gate.

    python exposed_roles.py export.json --account 111122223333 --trusted-account 999900001111
"""

from __future__ import annotations

import argparse
import sys
from typing import Dict, List, Sequence

import trustsim


def exposed_roles(
    export: str, account: str, trusted_accounts: Sequence[str] = (), trusted_org: str | None = None
) -> Dict[str, List[str]]:
    """The exposed roles of an account export: role name -> the threats that fail."""
    report = trustsim.scan(
        export,
        account=account,
        trusted_accounts=list(trusted_accounts),
        trusted_org=trusted_org,
    )
    if report["errors"]:
        raise SystemExit("\n".join(report["errors"]))
    found: Dict[str, List[str]] = {}
    for role in report["roles"]:
        failing = [t for t in role["threats"] if t["status"] == "fails"]
        if failing:
            found[role["role"]] = [t["threat"] for t in failing]
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="List the roles of an account export that someone the owner did not mean to trust can assume."
    )
    parser.add_argument("export")
    parser.add_argument("--account", required=True)
    parser.add_argument("--trusted-account", action="append", default=[])
    parser.add_argument("--trusted-org")
    args = parser.parse_args(argv)
    found = exposed_roles(args.export, args.account, args.trusted_account, args.trusted_org)
    for name, threats in sorted(found.items()):
        print(f"{name}: {', '.join(threats)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
