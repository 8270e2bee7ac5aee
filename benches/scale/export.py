"""Writes a realistic `aws iam get-account-authorization-details` export of N roles.

The mix follows what an account export holds: many service roles with one trusted service and
no condition (identical documents), service-linked and IAM Identity Center roles (AWS-managed
paths), service roles with aws:SourceAccount or aws:SourceArn, third parties with their own
external IDs, GitHub OIDC roles, one per repository, roles for the organization's other
accounts, and multi-statement roles. Account IDs, external IDs and repositories vary per role,
so identical documents are as common as in a real account and no more.

Usage: python3 export.py N OUT [--compact]   (pretty-printed with 4 spaces, as the AWS CLI
writes, unless --compact; every other document URL-encoded, as the raw API returns it)
"""
import json
import random
import sys
import urllib.parse

OWNER = "777788889999"
SERVICES = ["lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com",
            "events.amazonaws.com", "states.amazonaws.com", "glue.amazonaws.com",
            "codebuild.amazonaws.com", "sagemaker.amazonaws.com"]


def account(rng):
    return "".join(rng.choice("0123456789") for _ in range(12))


def statement(principal, action="sts:AssumeRole", condition=None):
    s = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        s["Condition"] = condition
    return s


def role(i, rng):
    k = rng.random()
    path = "/"
    if k < 0.30:
        st = [statement({"Service": rng.choice(SERVICES)})]
    elif k < 0.40:
        svc = rng.choice(["elasticloadbalancing", "autoscaling", "rds", "ecs", "organizations"])
        path = f"/aws-service-role/{svc}.amazonaws.com/"
        st = [statement({"Service": f"{svc}.amazonaws.com"})]
    elif k < 0.47:
        path = "/aws-reserved/sso.amazonaws.com/"
        st = [statement({"Federated": f"arn:aws:iam::{OWNER}:saml-provider/AWSSSO_{i:016x}_DO_NOT_DELETE"},
                        ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                        {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}})]
    elif k < 0.57:
        svc = rng.choice(SERVICES[3:])
        cond = {"StringEquals": {"aws:SourceAccount": OWNER}}
        if rng.random() < 0.5:
            cond["ArnLike"] = {"aws:SourceArn": f"arn:aws:{svc.split('.')[0]}:*:{OWNER}:*"}
        st = [statement({"Service": svc}, condition=cond)]
    elif k < 0.70:
        st = [statement({"AWS": f"arn:aws:iam::{account(rng)}:root"},
                        condition={"StringEquals": {"sts:ExternalId": f"ext-{rng.getrandbits(48):012x}"}})]
    elif k < 0.82:
        org = rng.choice(["octo-org", "acme", "example-corp"])
        st = [statement({"Federated": f"arn:aws:iam::{OWNER}:oidc-provider/token.actions.githubusercontent.com"},
                        "sts:AssumeRoleWithWebIdentity",
                        {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                         "StringLike": {"token.actions.githubusercontent.com:sub": f"repo:{org}/app-{i}:*"}})]
    elif k < 0.92:
        st = [statement({"AWS": f"arn:aws:iam::{account(rng)}:root"},
                        condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})]
    else:
        st = [statement({"AWS": [f"arn:aws:iam::{account(rng)}:role/deployer-{i}", account(rng)]},
                        ["sts:AssumeRole", "sts:TagSession"],
                        {"StringEquals": {"sts:ExternalId": f"x{i}"}}),
              statement({"Service": rng.choice(SERVICES)})]
    name = f"role-{i}"
    doc = {"Version": "2012-10-17", "Statement": st}
    return {"Path": path, "RoleName": name, "RoleId": f"AROA{i:017d}",
            "Arn": f"arn:aws:iam::{OWNER}:role{path}{name}", "CreateDate": "2025-01-01T00:00:00Z",
            "AssumeRolePolicyDocument": urllib.parse.quote(json.dumps(doc), safe="") if i % 2 else doc,
            "InstanceProfileList": [], "RolePolicyList": [], "AttachedManagedPolicies": [],
            "Tags": [], "RoleLastUsed": {}}


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(20261203)
    export = {"UserDetailList": [], "GroupDetailList": [],
              "RoleDetailList": [role(i, rng) for i in range(n)], "Policies": []}
    with open(out, "w") as f:
        json.dump(export, f, indent=None if "--compact" in sys.argv else 4)


main()
