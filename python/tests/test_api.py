"""The Python API: dicts and JSON strings, the CLI's JSON contract, errors with their JSON
Pointer, `Policy` for many requests, `scan` over every input kind, and calls from threads."""

from __future__ import annotations

import collections.abc
import json
import re
import subprocess
import threading

import pytest

import trustsim

SERVICE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def load(root, name):
    return json.loads((root / "examples" / name).read_text())


def test_evaluate_takes_dicts_and_json_strings_alike(root):
    policy = load(root, "eventbridge-role.json")
    request = load(root, "forged-eventbridge-request.json")
    from_dicts = trustsim.evaluate(policy, request)
    from_text = trustsim.evaluate(json.dumps(policy), json.dumps(request))
    assert from_dicts == from_text
    assert from_dicts["decision"] == "Allow"
    other = dict(request, principal="123456789012")
    assert trustsim.evaluate(policy, other)["decision"] == "ImplicitDeny"


def test_evaluate_gives_what_eval_prints(root, trustsim_bin):
    out = subprocess.run(
        [
            trustsim_bin,
            "eval",
            "examples/eventbridge-role.json",
            "--request",
            "examples/forged-eventbridge-request.json",
            "--format",
            "json",
        ],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    ours = trustsim.evaluate(
        load(root, "eventbridge-role.json"), load(root, "forged-eventbridge-request.json")
    )
    assert ours == json.loads(out.stdout)


def test_a_bad_policy_raises_policy_error_with_pointer_and_help():
    bad = json.loads(json.dumps(SERVICE))
    bad["Statement"][0]["Condition"] = {"StringEqual": {"aws:SourceAccount": "111122223333"}}
    with pytest.raises(trustsim.PolicyError) as caught:
        trustsim.evaluate(bad, {"principal": {"Service": "events.amazonaws.com"}})
    e = caught.value
    assert isinstance(e, ValueError)
    assert e.pointer == "/Statement/0/Condition/StringEqual"
    assert e.help == "did you mean `StringEquals`?"
    assert e.line is None and e.path is None
    assert "unknown condition operator `StringEqual`" in str(e)


def test_json_syntax_errors_name_the_line():
    with pytest.raises(trustsim.PolicyError) as caught:
        trustsim.Policy('{\n  "Version": "2012-10-17",\n  "Statement": [\n')
    assert caught.value.pointer == "(document root)"
    assert caught.value.line == 4
    assert caught.value.help


def test_a_bad_request_raises_policy_error_at_its_pointer():
    with pytest.raises(trustsim.PolicyError) as caught:
        trustsim.evaluate(
            SERVICE, {"principal": "events.amazonaws.com", "context": {"aws:SourceAccount": {"a": 1}}}
        )
    assert caught.value.pointer == "/context/aws:SourceAccount"
    with pytest.raises(trustsim.PolicyError) as caught:
        trustsim.Policy(SERVICE).decide({"principal": "events.amazonaws.com", "bogus": 1})
    assert caught.value.pointer == "/bogus"
    assert caught.value.help == "a request has `action`, `principal`, `role` and `context`"


def test_something_that_is_not_json_is_a_type_error():
    with pytest.raises(TypeError):
        trustsim.evaluate(SERVICE, object())


def test_analyze_finds_the_forged_service_request_and_its_fix_closes_it():
    report = trustsim.analyze(SERVICE, account="111122223333")
    (role,) = report["roles"]
    by_threat = {t["threat"]: t for t in role["threats"]}
    forged = by_threat["forged-service"]
    assert forged["verdict"] == "exposed" and forged["status"] == "fails"
    # The witness is a request the evaluator allows; the fix is proved.
    assert trustsim.evaluate(SERVICE, forged["witness"])["decision"] == "Allow"
    assert trustsim.evaluate(forged["fix"], forged["witness"])["decision"] != "Allow"
    fixed = trustsim.analyze(forged["fix"], account="111122223333")
    verdicts = {t["threat"]: t["verdict"] for t in fixed["roles"][0]["threats"]}
    assert verdicts["forged-service"] == "restricted"
    assert report["summary"]["findings"] == 1 and fixed["summary"]["findings"] == 0


def test_the_zone_of_trust_makes_a_trusted_account_informational():
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::999900001111:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    outside = trustsim.analyze(policy, account="111122223333")
    inside = trustsim.analyze(policy, account="111122223333", trusted_accounts=["999900001111"])
    assert outside["summary"]["findings"] == 1
    assert inside["summary"]["findings"] == 0
    assert inside["summary"]["informational"] >= 1


@pytest.mark.parametrize(
    "option",
    [
        {"account": "1111"},
        {"trusted_accounts": ["not-an-account"]},
        {"trusted_org": "org-1"},
        {"partition": "aws-moon"},
    ],
)
def test_bad_options_raise_value_error(option):
    with pytest.raises(ValueError):
        trustsim.analyze(SERVICE, **option)


def test_policy_reads_once_and_answers_like_evaluate(root):
    text = (root / "examples" / "externalid-role.json").read_text()
    policy = trustsim.Policy(text)
    assert len(policy) == len(json.loads(text)["Statement"])
    assert repr(policy).startswith("trustsim.Policy(")
    principal = "arn:aws:sts::123412341234:assumed-role/ALICE/for-carol"
    for external_id in ["12345", "67890", "x"]:
        request = {"principal": principal, "context": {"sts:ExternalId": external_id}}
        answer = policy.evaluate(request)
        expected = trustsim.evaluate(text, request)
        assert answer.decision == expected["decision"] == policy.decide(request)
        assert answer == expected and answer.to_dict() == expected
        assert dict(answer) == expected and len(answer) == len(expected)
        assert isinstance(answer, collections.abc.Mapping)
        assert answer.get("no such key", 7) == 7 and "decision" in answer
        with pytest.raises(KeyError):
            answer["no such key"]
    assert policy.analyze(account="111122223333") == trustsim.analyze(text, account="111122223333")


def test_policy_warnings_name_their_pointer():
    policy = trustsim.Policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAcount": "111122223333"}},
                }
            ],
        }
    )
    assert policy.warnings, "a misspelt global condition key is warned about"
    pointer, message = policy.warnings[0]
    assert pointer.startswith("/Statement/0/Condition")
    assert message


def test_scan_gives_the_report_of_analyze(root, trustsim_bin):
    args = ["examples", "--account", "111122223333", "--format", "json", "--no-config"]
    cli = subprocess.run([trustsim_bin, "analyze", *args], cwd=root, capture_output=True, text=True)
    import os

    here = os.getcwd()
    os.chdir(root)
    try:
        ours = trustsim.scan("examples", account="111122223333")
    finally:
        os.chdir(here)
    assert ours.pop("exit_status") == cli.returncode == 3
    messages = ours.pop("messages")
    assert ours == json.loads(cli.stdout)
    assert any(m.startswith("note: ") for m in messages)
    kinds = {re.search(r"\.(json|yaml)", r["source"]).group(1) for r in ours["roles"]}
    assert kinds == {"json", "yaml"}


def test_scan_reports_input_errors_and_analyses_the_rest(root, tmp_path):
    (tmp_path / "bad.json").write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"')
    report = trustsim.scan(
        [tmp_path / "bad.json", root / "examples" / "eventbridge-role.json", tmp_path / "missing.json"],
        account="111122223333",
    )
    assert report["summary"]["roles"] == 1
    assert len(report["errors"]) == 2
    assert any("bad.json" in e for e in report["errors"])
    assert any("missing.json" in e for e in report["errors"])
    assert report["exit_status"] == 3


def test_scan_refuses_bad_options_and_empty_inputs(tmp_path):
    with pytest.raises(ValueError, match="not a 12-digit account ID"):
        trustsim.scan(tmp_path, account="12")
    nothing = trustsim.scan(tmp_path)
    assert nothing["roles"] == [] and nothing["exit_status"] == 1
    assert nothing["errors"][0].startswith("no roles found in ")
    empty = trustsim.scan(tmp_path, allow_empty=True)
    assert empty["roles"] == [] and empty["exit_status"] == 0
    with pytest.raises(ValueError):
        trustsim.scan(tmp_path, fail_on="sometimes")


def test_calls_from_threads_agree(root):
    policy = trustsim.Policy(load(root, "eventbridge-role.json"))
    request = load(root, "forged-eventbridge-request.json")
    expected = policy.evaluate(request)
    results = []

    def work():
        for _ in range(200):
            results.append(policy.evaluate(request) == expected)
        results.append(trustsim.analyze(SERVICE)["summary"]["roles"] == 1)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 * 201 and all(results)


def test_the_version_is_the_crates():
    assert trustsim.__version__.count(".") == 2


def test_deciding_names_the_statements_that_decided():
    policy = trustsim.Policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"},
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sts:AssumeRole",
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
                },
            ],
        }
    )
    bob = "arn:aws:iam::111122223333:user/bob"
    denied = policy.evaluate({"principal": bob, "context": {"aws:MultiFactorAuthPresent": "false"}})
    assert (denied.decision, denied.deciding) == ("ExplicitDeny", [1])
    allowed = policy.evaluate({"principal": bob, "context": {"aws:MultiFactorAuthPresent": "true"}})
    assert (allowed.decision, allowed.deciding) == ("Allow", [0])
    nobody = policy.evaluate({"principal": "444455556666"})
    assert (nobody.decision, nobody.deciding) == ("ImplicitDeny", [])


def test_policies_and_requests_may_be_paths_and_errors_then_name_the_file(root, tmp_path):
    events = root / "examples" / "eventbridge-role.json"
    forged = root / "examples" / "forged-eventbridge-request.json"
    assert trustsim.evaluate(events, forged) == trustsim.evaluate(
        events.read_text(), forged.read_bytes()
    )
    assert trustsim.analyze(events)["summary"]["findings"] == 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Condition": {"StringEqual": {}}}]}')
    with pytest.raises(trustsim.PolicyError) as caught:
        trustsim.Policy(bad)
    assert caught.value.path == bad
    assert str(caught.value).startswith(f"{bad}: /Statement/0/Condition/StringEqual: ")
    with pytest.raises(OSError):
        trustsim.Policy(tmp_path / "missing.json")


def test_policy_errors_pickle_whole():
    import pickle

    with pytest.raises(trustsim.PolicyError) as caught:
        trustsim.Policy('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}')
    again = pickle.loads(pickle.dumps(caught.value))
    assert (again.pointer, again.path, again.line, again.help, str(again)) == (
        caught.value.pointer,
        caught.value.path,
        caught.value.line,
        caught.value.help,
        str(caught.value),
    )


def test_trusted_accounts_may_be_one_comma_list():
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999900001111:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    as_list = trustsim.analyze(policy, account="111122223333", trusted_accounts=["999900001111", "222233334444"])
    as_text = trustsim.analyze(policy, account="111122223333", trusted_accounts="999900001111, 222233334444")
    assert as_list == as_text and as_list["summary"]["findings"] == 0
    with pytest.raises(TypeError):
        trustsim.analyze(policy, trusted_accounts=7)


def test_scan_takes_any_iterable_of_paths_but_not_none_or_standard_input(root):
    examples = root / "examples"
    one = trustsim.scan(p for p in [examples / "eventbridge-role.json"])
    assert one["summary"]["roles"] == 1
    with pytest.raises(ValueError, match="at least one path"):
        trustsim.scan([])
    with pytest.raises(ValueError, match="standard input"):
        trustsim.scan("-")


def test_to_dict_is_a_copy_of_its_own(root):
    policy = trustsim.Policy(root / "examples" / "eventbridge-role.json")
    answer = policy.evaluate(root / "examples" / "forged-eventbridge-request.json")
    copy = answer.to_dict()
    copy["statements"].append("changed")
    assert answer.to_dict() != copy
    assert json.loads(json.dumps(answer.to_dict())) == answer


def test_signatures_show_their_defaults():
    import inspect

    assert "trusted_accounts=()" in str(inspect.signature(trustsim.analyze))
    assert "allow_empty=False" in str(inspect.signature(trustsim.scan))


def test_diff_says_which_class_widened_with_a_replayed_witness(root):
    fixed = root / "examples" / "eventbridge-role-fixed.json"
    open_ = root / "examples" / "eventbridge-role.json"
    d = trustsim.diff(fixed, open_, account="111122223333")
    assert d["widened"] is True
    forged = next(c for c in d["classes"] if c["class"] == "forged-service")
    assert forged["change"] == "widened" and forged["exact"]
    assert trustsim.evaluate(open_, forged["widened"])["decision"] == "Allow"
    assert trustsim.evaluate(fixed, forged["widened"])["decision"] != "Allow"
    back = trustsim.diff(open_, fixed, account="111122223333")
    assert not back["widened"]
    assert {c["class"]: c["change"] for c in back["classes"]}["forged-service"] == "narrowed"
    same = trustsim.diff(fixed, fixed)
    assert all(c["change"] == "unchanged" for c in same["classes"])
