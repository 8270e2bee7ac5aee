//! Concrete evaluation of a request against a trust policy.
//!
//! AWS: IAM User Guide, "Policy evaluation logic": statements are ORed, an explicit `Deny` in
//! any statement overrides every `Allow`, and a request no statement allows is implicitly
//! denied. A statement applies when its principal, its action and every condition match
//! ("Conditions with multiple context keys or values": conditions are ANDed).
//!
//! trustsim decides the trust policy's part only. When the policy trusts a whole account
//! (`"AWS": "111122223333"` or its `:root` ARN), AWS also requires an identity policy in that
//! account to allow the caller `sts:AssumeRole` on the role; and a caller in another account
//! always needs its own identity policy to allow it ("Cross-account policy evaluation logic").
//! The evaluation says so in its notes.

use serde_json::{json, Value};
use trustsim_conditions::Context;

use crate::policy::{Effect, PolicyPrincipal, Statement, TrustPolicy};
use crate::principal::IamKind;
use crate::request::{Principal, Request};

/// The outcome of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Some statement allows every action the request needs, and none denies.
    Allow,
    /// A `Deny` statement applies.
    ExplicitDeny,
    /// No statement allows it.
    ImplicitDeny,
}

impl Decision {
    /// As the contract writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "Allow",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Does the statement's `Principal` name the caller? Returns the index of the matching entry.
pub fn principal_matches(statement: &Statement, caller: &Principal) -> Option<usize> {
    statement
        .principals
        .iter()
        .position(|entry| match (&entry.principal, caller) {
            (PolicyPrincipal::Everyone, _) => true,
            (PolicyPrincipal::Iam(named), Principal::Aws(who)) => named.trusts(who),
            (PolicyPrincipal::Service(named), Principal::Service(who)) => named == who,
            (PolicyPrincipal::Federated(named), Principal::Federated(who)) => named == who,
            _ => false,
        })
}

fn applies(statement: &Statement, request: &Request, action_lower: &str) -> bool {
    applies_to(
        statement,
        request.principal(),
        request.context(),
        action_lower,
    )
}

fn applies_to(
    statement: &Statement,
    caller: &Principal,
    ctx: &dyn Context,
    action_lower: &str,
) -> bool {
    principal_matches(statement, caller).is_some()
        && statement.actions.covers(action_lower).0
        && statement
            .conditions
            .iter()
            .all(|c| c.condition.evaluate(ctx).result)
}

fn decide_action_in(
    policy: &TrustPolicy,
    caller: &Principal,
    ctx: &dyn Context,
    action_lower: &str,
) -> Decision {
    let mut allowed = false;
    for s in &policy.statements {
        if applies_to(s, caller, ctx, action_lower) {
            match s.effect {
                Effect::Deny => return Decision::ExplicitDeny,
                Effect::Allow => allowed = true,
            }
        }
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

fn decide_action(policy: &TrustPolicy, request: &Request, action_lower: &str) -> Decision {
    decide_action_in(policy, request.principal(), request.context(), action_lower)
}

/// The decision alone, without a trace: the fast path (no allocation for policies without
/// policy variables).
pub fn decide(policy: &TrustPolicy, request: &Request) -> Decision {
    decide_parts(
        policy,
        request.principal(),
        request.actions().map(|(_, l)| l),
        request.context(),
    )
}

/// [`decide`] from a request's parts: the caller, the lower-cased actions it needs (the main
/// one and the implied ones), and its context. The analysis evaluates many candidate contexts
/// this way without building a request for each.
pub fn decide_parts<'a>(
    policy: &TrustPolicy,
    caller: &Principal,
    actions: impl Iterator<Item = &'a str>,
    ctx: &dyn Context,
) -> Decision {
    let mut result = Decision::Allow;
    for lower in actions {
        match decide_action_in(policy, caller, ctx, lower) {
            Decision::ExplicitDeny => return Decision::ExplicitDeny,
            Decision::ImplicitDeny => result = Decision::ImplicitDeny,
            Decision::Allow => {}
        }
    }
    result
}

/// A decision with the reasons for it.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// The decision.
    pub decision: Decision,
    /// How each statement fared for the request's main action.
    pub statements: Vec<StatementTrace>,
    /// The decision for each action the request needs (the main action first).
    pub actions: Vec<ActionDecision>,
    /// What the trust policy alone cannot decide (identity policies that must also allow).
    pub notes: Vec<String>,
}

/// The decision for one action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionDecision {
    /// The action.
    pub action: String,
    /// Its decision.
    pub decision: Decision,
    /// Statements that applied to it.
    pub statements: Vec<usize>,
}

/// How one statement fared.
#[derive(Clone, Debug)]
pub struct StatementTrace {
    /// Position in the policy.
    pub index: usize,
    /// Its Sid.
    pub sid: Option<String>,
    /// Its effect.
    pub effect: Effect,
    /// Whether it applies (principal, action and every condition matched).
    pub applies: bool,
    /// Whether the principal matched.
    pub principal: bool,
    /// Why the principal matched or not.
    pub principal_explanation: String,
    /// Whether the action matched.
    pub action: bool,
    /// Why the action matched or not.
    pub action_explanation: String,
    /// Each condition's result.
    pub conditions: Vec<ConditionTrace>,
    /// Where the statement is.
    pub pointer: String,
}

/// One condition's result.
#[derive(Clone, Debug)]
pub struct ConditionTrace {
    /// The operator as written.
    pub operator: String,
    /// The key as written.
    pub key: String,
    /// Whether it held.
    pub result: bool,
    /// Why.
    pub explanation: String,
    /// Where the condition is.
    pub pointer: String,
}

/// Evaluates with a full trace.
pub fn evaluate(policy: &TrustPolicy, request: &Request) -> Evaluation {
    let ctx = request.context();
    let main = request.action_lower();
    let statements = policy
        .statements
        .iter()
        .map(|s| {
            let who = principal_matches(s, request.principal());
            let principal_explanation = match who.and_then(|i| s.principals.get(i)) {
                Some(e) => format!(
                    "{} names the caller ({})",
                    e.pointer,
                    describe(&e.principal)
                ),
                None => format!(
                    "the caller {} is not among the statement's principals",
                    request.principal()
                ),
            };
            let (action, pattern) = s.actions.covers(main);
            let action_explanation = match (&s.actions, pattern) {
                (crate::policy::ActionSet::Action(_), Some(p)) => {
                    format!("`{}` covers `{}`", p.text, request.action())
                }
                (crate::policy::ActionSet::Action(_), None) => {
                    format!("no `Action` covers `{}`", request.action())
                }
                (crate::policy::ActionSet::NotAction(_), Some(p)) => {
                    format!("`NotAction` `{}` excludes `{}`", p.text, request.action())
                }
                (crate::policy::ActionSet::NotAction(_), None) => {
                    format!("`NotAction` does not exclude `{}`", request.action())
                }
            };
            let conditions: Vec<ConditionTrace> = s
                .conditions
                .iter()
                .map(|c| {
                    let o = c.condition.evaluate(ctx);
                    ConditionTrace {
                        operator: c.condition.operator().to_string(),
                        key: c.condition.key().as_str().to_owned(),
                        result: o.result,
                        explanation: c.condition.explain(&o, ctx),
                        pointer: c.pointer.as_str().to_owned(),
                    }
                })
                .collect();
            StatementTrace {
                index: s.index,
                sid: s.sid.clone(),
                effect: s.effect,
                applies: who.is_some() && action && conditions.iter().all(|c| c.result),
                principal: who.is_some(),
                principal_explanation,
                action,
                action_explanation,
                conditions,
                pointer: s.pointer.as_str().to_owned(),
            }
        })
        .collect::<Vec<_>>();
    let actions: Vec<ActionDecision> = request
        .actions()
        .map(|(name, lower)| ActionDecision {
            action: name.to_owned(),
            decision: decide_action(policy, request, lower),
            statements: policy
                .statements
                .iter()
                .filter(|s| applies(s, request, lower))
                .map(|s| s.index)
                .collect(),
        })
        .collect();
    let decision = if actions.iter().any(|a| a.decision == Decision::ExplicitDeny) {
        Decision::ExplicitDeny
    } else if actions.iter().all(|a| a.decision == Decision::Allow) {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    };
    let notes = notes(policy, request, decision, &actions);
    Evaluation {
        decision,
        statements,
        actions,
        notes,
    }
}

fn describe(p: &PolicyPrincipal) -> String {
    match p {
        PolicyPrincipal::Everyone => "everyone: \"*\"".to_owned(),
        PolicyPrincipal::Iam(id) => match id.kind {
            IamKind::Account => format!("every principal of account {}", id.account),
            IamKind::Role { .. } => format!("the sessions of role {}", id.arn()),
            _ => id.to_string(),
        },
        PolicyPrincipal::Service(s) => format!("service {s}"),
        PolicyPrincipal::Federated(s) => format!("identity provider {s}"),
        PolicyPrincipal::UniqueId(s) => format!("the deleted principal {s}"),
        PolicyPrincipal::CanonicalUser(s) => format!("canonical user {s}"),
    }
}

fn notes(
    policy: &TrustPolicy,
    request: &Request,
    decision: Decision,
    actions: &[ActionDecision],
) -> Vec<String> {
    let mut notes = Vec::new();
    if decision != Decision::Allow {
        return notes;
    }
    let Principal::Aws(caller) = request.principal() else {
        return notes;
    };
    let allowing: Vec<&Statement> = actions
        .first()
        .map(|a| {
            policy
                .statements
                .iter()
                .filter(|s| a.statements.contains(&s.index))
                .collect()
        })
        .unwrap_or_default();
    let via_account = allowing.iter().all(|s| {
        principal_matches(s, request.principal())
            .and_then(|i| s.principals.get(i))
            .is_some_and(|e| {
                matches!(&e.principal, PolicyPrincipal::Iam(id) if id.kind == IamKind::Account)
                    || e.principal == PolicyPrincipal::Everyone
            })
    });
    let cross_account = request.role().is_some_and(|r| r.account != caller.account);
    if cross_account {
        notes.push(format!(
            "the caller is in account {} and the role in {}: AWS also requires an identity policy in the caller's account to allow sts:AssumeRole on the role (IAM User Guide, \"Cross-account policy evaluation logic\")",
            caller.account,
            request.role().map_or("", |r| r.account.as_str())
        ));
    } else if via_account && caller.kind != IamKind::Account {
        notes.push("the policy trusts the caller only through its account (or \"*\"): AWS also requires the caller's identity policy to allow sts:AssumeRole on the role (IAM User Guide, \"AWS JSON policy elements: Principal\", account principals)".to_owned());
    }
    if request.role().is_none() {
        notes.push("the role's ARN was not given, so whether the caller is in the role's account is unknown".to_owned());
    }
    notes
}

impl Evaluation {
    /// The statements that decided, in policy order, each once: the `Deny` statements that
    /// applied to an action denied explicitly (an explicit deny overrides any allow), or the
    /// `Allow` statements that applied to the actions when every one was allowed; none for an
    /// `ImplicitDeny` (nothing allowed some action). IAM User Guide, "Policy evaluation logic"
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>).
    ///
    /// ```
    /// use trustsim_evaluator::{evaluate, Request, TrustPolicy};
    /// let policy = TrustPolicy::from_json(r#"{"Version": "2012-10-17", "Statement": [
    ///   {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"},
    ///   {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
    ///    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]}"#).unwrap();
    /// let request = Request::from_json(r#"{"principal": "arn:aws:iam::111122223333:user/bob",
    ///   "context": {"aws:MultiFactorAuthPresent": "false"}}"#).unwrap();
    /// assert_eq!(evaluate(&policy, &request).deciding(), vec![1]);
    /// ```
    #[must_use]
    pub fn deciding(&self) -> Vec<usize> {
        let wanted = match self.decision {
            Decision::Allow => Effect::Allow,
            Decision::ExplicitDeny => Effect::Deny,
            Decision::ImplicitDeny => return Vec::new(),
        };
        let mut list: Vec<usize> = self
            .actions
            .iter()
            .filter(|a| a.decision == self.decision)
            .flat_map(|a| a.statements.iter().copied())
            .filter(|i| {
                self.statements
                    .iter()
                    .find(|s| s.index == *i)
                    .is_some_and(|s| s.effect == wanted)
            })
            .collect();
        list.sort_unstable();
        list.dedup();
        list
    }

    /// The contract's JSON form, with `context` the request context the conditions saw.
    pub fn to_json(&self, request: &Request) -> Value {
        let statements: Vec<Value> = self
            .statements
            .iter()
            .map(|s| {
                json!({
                    "index": s.index,
                    "sid": s.sid,
                    "effect": s.effect.as_str(),
                    "applies": s.applies,
                    "principal": s.principal,
                    "action": s.action,
                    "conditions": s.conditions.iter().map(|c| json!({
                        "operator": c.operator,
                        "key": c.key,
                        "result": c.result,
                        "explanation": c.explanation,
                        "pointer": c.pointer,
                    })).collect::<Vec<_>>(),
                    "principal_explanation": s.principal_explanation,
                    "action_explanation": s.action_explanation,
                    "pointer": s.pointer,
                })
            })
            .collect();
        let mut context = serde_json::Map::new();
        for (k, v, _) in request.context().iter() {
            context.insert(k.to_owned(), json!(v));
        }
        json!({
            "decision": self.decision.as_str(),
            "statements": statements,
            "context": context,
            "actions": self.actions.iter().map(|a| json!({
                "action": a.action,
                "decision": a.decision.as_str(),
                "statements": a.statements,
            })).collect::<Vec<_>>(),
            "notes": self.notes,
        })
    }
}
