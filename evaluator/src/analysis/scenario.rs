//! The attacker scenarios of a policy: for each threat, the scenarios its module opens for
//! each principal an Allow statement trusts (`threat/<name>.rs`), in each partition the role
//! may be in, and the helpers they share: caller ARN templates, the services reached through
//! `"*"`, the accounts a condition pins the caller to.

use super::partition;
use super::search::Scenario;
use super::threat::{ScenarioContext, Scenarios, Threat};
use super::AnalysisOptions;
use crate::policy::{Effect, PolicyPrincipal, TrustPolicy};
use crate::principal::is_account_id;

/// A scenario with the statements that trust its caller.
pub(crate) type Trusted = (Scenario, Vec<usize>);

/// The attacker scenarios of a threat in every partition the role may be in (labelled with the
/// partition when there are several), and the trusted services that only assume roles passed
/// to them (with their statements).
pub(crate) fn scenarios(
    policy: &TrustPolicy,
    threat: Threat,
    options: &AnalysisOptions,
) -> (Vec<Trusted>, Vec<(String, usize)>) {
    let partitions = partition::candidates(policy, options.partition.as_deref());
    let model = threat.model();
    let mut all = Scenarios::default();
    for p in &partitions {
        let cx = ScenarioContext {
            policy,
            owner: options.account.as_deref(),
            partition: p,
            options,
        };
        let mut found = Scenarios::default();
        for s in policy
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow)
        {
            for e in &s.principals {
                model.scenarios(&cx, &e.principal, s.index, &mut found);
            }
        }
        for (mut sc, statements) in found.list {
            sc.partition = p.clone();
            if let Some(may_omit) = model.party_may_omit_keys() {
                sc.service_sends_source_keys = !may_omit;
            }
            if partitions.len() > 1 && p != "aws" {
                sc.label = format!("{} (partition {p})", sc.label);
            }
            all.list.push((sc, statements));
        }
        for r in found.passed_roles {
            if !all.passed_roles.contains(&r) {
                all.passed_roles.push(r);
            }
        }
    }
    (all.list, all.passed_roles)
}

/// The ARN templates of an IAM caller of `account` (a placeholder or an account ID) in
/// `partition`, for each form: `role` and `user` with or without an IAM path (IAM User Guide,
/// "IAM identifiers": a friendly name follows an optional path, and whoever creates a user or
/// role chooses both), and `root`. `leaf` is the placeholder of the name after the last `/`.
pub(crate) fn iam_callers(
    partition: &str,
    account: &str,
    forms: &[&str],
    leaf: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    for form in forms {
        if *form == "root" {
            out.push(format!("arn:{partition}:iam::{account}:root"));
        } else {
            out.push(format!("arn:{partition}:iam::{account}:{form}/{leaf}"));
            out.push(format!(
                "arn:{partition}:iam::{account}:{form}/{{name}}/{leaf}"
            ));
        }
    }
    out
}

/// The service namespaces a service's `aws:SourceArn` may name: the one its principal suggests,
/// and those the policy's own `aws:SourceArn` patterns name (so the analysis never claims a
/// restriction because it guessed the namespace wrong).
pub(crate) fn service_names(policy: &TrustPolicy, principal: &str) -> Vec<String> {
    let mut names = Vec::new();
    let labels: Vec<&str> = principal
        .trim_end_matches(".amazonaws.com")
        .trim_end_matches(".amazon.com")
        .split('.')
        .collect();
    if let Some(last) = labels.last() {
        names.push((*last).to_owned());
    }
    if let Some(first) = labels.first() {
        if !names.contains(&(*first).to_owned()) {
            names.push((*first).to_owned());
        }
    }
    for s in &policy.statements {
        for c in &s.conditions {
            if c.condition.key().folded() == "aws:sourcearn" {
                for v in c.condition.raw_values() {
                    if let Some(ns) = v.split(':').nth(2) {
                        if !ns.is_empty()
                            && !ns.contains('*')
                            && !ns.contains('?')
                            && !names.contains(&ns.to_owned())
                        {
                            names.push(ns.to_owned());
                        }
                    }
                }
            }
        }
    }
    names
}

/// The services of [`STAR_SERVICES`] that the forged-service threat tries through `"*"`: one for
/// each different way the policy tells services apart, by its `aws:PrincipalServiceName`
/// conditions, by the service namespace its `aws:SourceArn` conditions admit, and by the
/// service principals its statements name (a policy that excludes
/// EventBridge by name, or denies it in a statement of its own, is judged by SNS too, and so
/// on). With neither, EventBridge alone stands for every service. A service outside the list
/// that the policy tells apart from every listed one is not tried (docs/threats.md, 4.5).
pub(crate) fn star_services(policy: &TrustPolicy) -> Vec<String> {
    let named: Vec<&str> = policy
        .statements
        .iter()
        .flat_map(|s| s.principals.iter())
        .filter_map(|e| match &e.principal {
            PolicyPrincipal::Service(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    // Conditions that tell services apart: on the service's name, and on the namespace its
    // `aws:SourceArn` names (`arn:aws:states:...` for Step Functions), read on a resource ARN of
    // the service in an account no policy names.
    let conditions: Vec<&trustsim_conditions::Condition> = policy
        .statements
        .iter()
        .flat_map(|s| s.conditions.iter())
        .map(|c| &c.condition)
        .filter(|c| {
            matches!(
                c.key().folded(),
                "aws:principalservicename" | "aws:sourcearn"
            )
        })
        .collect();
    let ctx = trustsim_conditions::ContextMap::new();
    let mut seen: Vec<Vec<bool>> = Vec::new();
    let mut out = Vec::new();
    for name in crate::facts::STAR_SERVICES {
        // A service that assumes a role only when passed it (iam:PassRole in the role's own
        // account) is no attacker's: it must not stand for the services that are.
        if crate::knowledge::services::requires_pass_role(name).is_some() {
            continue;
        }
        let namespace = name.split('.').next().unwrap_or(name);
        let source_arn = format!("arn:aws:{namespace}:us-east-1:000000000000:resource");
        let answers: Vec<bool> = conditions
            .iter()
            .map(|c| {
                let value = if c.key().folded() == "aws:sourcearn" {
                    source_arn.as_str()
                } else {
                    name
                };
                c.evaluate_values(Some(&[value]), &ctx).result
            })
            .chain(named.iter().map(|n| n.eq_ignore_ascii_case(name)))
            .collect();
        if !seen.contains(&answers) {
            seen.push(answers);
            out.push((*name).to_owned());
        }
    }
    out
}

/// The accounts other than the owner's that a condition pins the caller to: a 12-digit
/// `aws:PrincipalAccount` value, or the account field of an `aws:PrincipalArn` value when that
/// field is a literal account ID, whatever wildcards the rest of the ARN holds
/// (`arn:aws:iam::999988887777:role/vendor-*` trusts principals of 999988887777). Such an
/// account is a third party the policy trusts.
pub(crate) fn pinned_accounts(policy: &TrustPolicy, owner: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in policy.statements.iter().flat_map(|s| s.conditions.iter()) {
        let folded = c.condition.key().folded();
        for v in c.condition.raw_values() {
            let account = match folded {
                "aws:principalaccount" => Some(v.as_str()),
                "aws:principalarn" => v.split(':').nth(4),
                _ => None,
            };
            if let Some(a) = account.filter(|a| is_account_id(a) && Some(*a) != owner) {
                if !out.iter().any(|o| o == a) {
                    out.push(a.to_owned());
                }
            }
        }
    }
    out
}

/// The literal values of every condition on `key` (folded name).
pub(crate) fn literal_values(policy: &TrustPolicy, key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in policy.statements.iter().flat_map(|s| s.conditions.iter()) {
        if c.condition.key().folded() == key {
            for v in c.condition.raw_values() {
                if !v.contains('*') && !v.contains('?') && !v.contains("${") && !out.contains(v) {
                    out.push(v.clone());
                }
            }
        }
    }
    out
}
