//! Every limit of `trustsim_evaluator::limits` is an error (or, for AWS's quota, a warning) at
//! the right place, just past the limit and not at it.

use serde_json::{json, Value};
use trustsim_evaluator::limits::*;
use trustsim_evaluator::{Request, TrustPolicy};

fn statement(condition: Value) -> Value {
    json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Condition": condition})
}

fn policy(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn error(v: &Value) -> (String, String) {
    let e = TrustPolicy::from_value(v).expect_err("an error");
    (e.pointer.as_str().to_owned(), e.message)
}

#[test]
fn statements() {
    let ok = policy(vec![json!({}); MAX_STATEMENTS]);
    // At the limit the statements are read (and the first one's error is reported).
    assert_eq!(error(&ok).0, "/Statement/0");
    let over = policy(vec![json!({}); MAX_STATEMENTS + 1]);
    assert_eq!(
        error(&over),
        (
            "/Statement".to_owned(),
            "1,001 statements is more than trustsim reads (at most 1,000)".to_owned()
        )
    );
}

#[test]
fn conditions_per_statement() {
    let keys = |n: usize| -> Value {
        let m: serde_json::Map<String, Value> = (0..n)
            .map(|i| (format!("aws:RequestTag/t{i}"), json!("x")))
            .collect();
        json!({"StringEquals": m})
    };
    assert!(
        TrustPolicy::from_value(&policy(vec![statement(keys(MAX_CONDITIONS_PER_STATEMENT))]))
            .is_ok()
    );
    let (at, msg) = error(&policy(vec![statement(keys(
        MAX_CONDITIONS_PER_STATEMENT + 1,
    ))]));
    assert_eq!(at, "/Statement/0/Condition");
    assert!(
        msg.starts_with("the statement has 1,001 conditions"),
        "{msg}"
    );
}

#[test]
fn values_per_condition_and_in_total() {
    let values = |n: usize| json!({"StringEquals": {"aws:SourceAccount": vec!["1"; n]}});
    assert!(
        TrustPolicy::from_value(&policy(vec![statement(values(MAX_VALUES_PER_CONDITION))])).is_ok()
    );
    let (at, msg) = error(&policy(vec![statement(values(
        MAX_VALUES_PER_CONDITION + 1,
    ))]));
    assert_eq!(at, "/Statement/0/Condition/StringEquals/aws:SourceAccount");
    assert!(
        msg.starts_with("10,001 values is more than trustsim reads for one key"),
        "{msg}"
    );
    // Spread over statements: the total counts.
    let half = MAX_VALUES / 2;
    let spread = policy(vec![
        statement(values(half)),
        statement(values(half)),
        statement(values(1)),
    ]);
    let (at, msg) = error(&spread);
    assert_eq!(at, "/Statement/2/Condition/StringEquals/aws:SourceAccount");
    assert_eq!(
        msg,
        "the policy has more than 10,000 condition values, more than trustsim reads"
    );
}

#[test]
fn string_lengths() {
    let long = "a".repeat(MAX_POLICY_STRING_CHARS);
    let cond = |s: &str| json!({"StringLike": {"aws:SourceArn": s}});
    assert!(TrustPolicy::from_value(&policy(vec![statement(cond(&long))])).is_ok());
    let longer = format!("{long}a");
    let (at, msg) = error(&policy(vec![statement(cond(&longer))]));
    assert_eq!(at, "/Statement/0/Condition/StringLike/aws:SourceArn");
    assert!(
        msg.starts_with("the condition value is 8,193 characters long"),
        "{msg}"
    );
    let principal = json!({"Effect": "Allow", "Principal": {"Service": format!("{longer}.amazonaws.com")}, "Action": "sts:AssumeRole"});
    assert_eq!(
        error(&policy(vec![principal])).0,
        "/Statement/0/Principal/Service"
    );
    let action = json!({"Effect": "Allow", "Principal": "*", "Action": format!("sts:{longer}")});
    assert_eq!(error(&policy(vec![action])).0, "/Statement/0/Action");
}

#[test]
fn document_size_and_aws_quota() {
    // Just under AWS's default quota: no warning.
    let small = TrustPolicy::from_value(&policy(vec![statement(
        json!({"StringEquals": {"aws:SourceAccount": "111122223333"}}),
    )]))
    .unwrap();
    assert!(small.quota_warning().is_none());
    assert!(small.length < AWS_TRUST_POLICY_CHARS);
    // Over the default quota and over the largest one.
    let many = |n: usize| json!({"StringEquals": {"aws:SourceAccount": vec!["111122223333"; n]}});
    let mid = TrustPolicy::from_value(&policy(vec![statement(many(200))])).unwrap();
    let w = mid.quota_warning().expect("a warning").message.clone();
    assert!(
        w.ends_with("so IAM rejects it unless the account's quota was raised"),
        "{w}"
    );
    let big = TrustPolicy::from_value(&policy(vec![statement(many(700))])).unwrap();
    let w = big.quota_warning().expect("a warning").message.clone();
    assert!(w.ends_with("so IAM rejects it"), "{w}");
    // Past trustsim's hard limit.
    let huge = policy(vec![statement(many(MAX_POLICY_BYTES / 15 + 1))]);
    let (at, msg) = error(&huge);
    assert_eq!(at, "");
    assert!(
        msg.contains("more than trustsim reads (at most 131,072)"),
        "{msg}"
    );
}

#[test]
fn request_context() {
    let keys: serde_json::Map<String, Value> = (0..=MAX_CONTEXT_KEYS)
        .map(|i| (format!("aws:RequestTag/t{i}"), json!("x")))
        .collect();
    let e = Request::from_value(&json!({"principal": "events.amazonaws.com", "context": keys}))
        .expect_err("an error");
    assert_eq!(e.pointer.as_str(), "/context");
    let many = vec!["x"; MAX_CONTEXT_VALUES + 1];
    let e = Request::from_value(
        &json!({"principal": "events.amazonaws.com", "context": {"aws:TagKeys": many}}),
    )
    .expect_err("an error");
    assert_eq!(e.pointer.as_str(), "/context/aws:TagKeys");
    let long = "x".repeat(MAX_CONTEXT_VALUE_CHARS + 1);
    let e = Request::from_value(
        &json!({"principal": "events.amazonaws.com", "context": {"aws:TagKeys": ["a", long]}}),
    )
    .expect_err("an error");
    assert_eq!(e.pointer.as_str(), "/context/aws:TagKeys/1");
    let ok = "x".repeat(MAX_CONTEXT_VALUE_CHARS);
    assert!(Request::from_value(
        &json!({"principal": "events.amazonaws.com", "context": {"sts:ExternalId": ok}})
    )
    .is_ok());
}

#[test]
fn yaml_depth_duplicates_and_expansion() {
    use std::path::Path;
    use trustsim_evaluator::sources::read_value;
    let deep = format!(
        "a: {}1{}\n",
        "[".repeat(MAX_DEPTH + 1),
        "]".repeat(MAX_DEPTH + 1)
    );
    let e = read_value(&deep, Path::new("t.yaml")).expect_err("an error");
    assert!(
        e.message
            .starts_with("the document nests deeper than 64 levels"),
        "{}",
        e.message
    );
    let e = read_value("a: 1\nb: 2\na: 3\n", Path::new("t.yaml")).expect_err("an error");
    assert_eq!(e.pointer.as_str(), "/a");
    // An alias of a large anchor, used many times.
    let mut wide = String::from("big: &big [");
    wide.push_str(&vec!["x"; 10_000].join(","));
    wide.push_str("]\ncopies:\n");
    for _ in 0..99 {
        wide.push_str("  - *big\n");
    }
    let e = read_value(&wide, Path::new("t.yaml")).expect_err("an error");
    assert!(
        e.message
            .starts_with("the YAML expands to more than 1,000,000 values"),
        "{}",
        e.message
    );
    // Fewer copies fit.
    let fits = wide.replace(&"  - *big\n".repeat(99), &"  - *big\n".repeat(50));
    assert!(read_value(&fits, Path::new("t.yaml")).is_ok());
    // Tags and non-string keys still read as before.
    let v = read_value("1: !GetAtt R.Arn\ntrue: !Ref X\n", Path::new("t.yaml")).unwrap();
    assert_eq!(
        v,
        json!({"1": {"Fn::GetAtt": ["R", "Arn"]}, "true": {"Ref": "X"}})
    );
}

/// Deep YAML flow nesting is refused before the parser sees it (the parser's time grows with the
/// square of flow nesting: 100,000 levels took more than a minute), with the line; block
/// nesting, tags before brackets, and brackets inside quoted or block scalars are read as YAML
/// says. (The time is measured by the `hostile` bench, not here.)
#[test]
fn yaml_flow_nesting_is_refused_at_its_line() {
    use std::path::Path;
    use trustsim_evaluator::sources::read_value;
    let n = 100_000;
    for (open, close) in [("[", "]"), ("{a: ", "}"), ("!Sub [", "]")] {
        let text = format!("x: 1\ny: {}1{}\n", open.repeat(n), close.repeat(n));
        let e = read_value(&text, Path::new("t.yaml")).expect_err("an error");
        assert!(
            e.message
                .starts_with("at line 2, the document nests deeper than 64 levels"),
            "{open}: {}",
            e.message
        );
    }
    // Deep block nesting is refused by the depth rule of the deserializer.
    let block = format!("{}x\n", "- ".repeat(n));
    let e = read_value(&block, Path::new("t.yaml")).expect_err("an error");
    assert!(
        e.message.starts_with("the document nests deeper than 64"),
        "{}",
        e.message
    );
    // Brackets that open nothing: in plain, quoted and block scalars, and after comments.
    let text = format!(
        "a: x{}\nb: \"{}\"\nc: '{}'\nd: |\n  {}\n  [[[\ne: 1 # {}\n",
        "[".repeat(200),
        "[".repeat(200),
        "{".repeat(200),
        "[".repeat(200),
        "[".repeat(200)
    );
    let v = read_value(&text, Path::new("t.yaml")).unwrap();
    assert_eq!(v["e"], json!(1));
    assert_eq!(v["b"], json!("[".repeat(200)));
    assert!(v["d"].as_str().unwrap().ends_with("[[[\n"));
}
