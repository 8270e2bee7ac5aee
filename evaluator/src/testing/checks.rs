//! The property-testing kit: explanations and checks.

use super::*;

/// Explains a decision: the request as JSON, the decision, the deciding statements (as written
/// in the policy) and the evaluation trace of every statement.
pub fn explain(policy: &TrustPolicy, request: &Request) -> String {
    let e = evaluate(policy, request);
    let mut out = format!("request: {}\ndecision: {}\n", request.to_json(), e.decision);
    let deciding = e.deciding();
    if deciding.is_empty() {
        let missing: Vec<&str> = e
            .actions
            .iter()
            .filter(|a| a.decision != Decision::Allow)
            .map(|a| a.action.as_str())
            .collect();
        out.push_str(&format!(
            "deciding statements: none (no statement allows {})\n",
            missing.join(", ")
        ));
    } else {
        out.push_str("deciding statements:\n");
        for i in deciding {
            if let Some(s) = policy.statements.get(i) {
                let text = policy
                    .document
                    .pointer(s.pointer.as_str())
                    .map_or_else(String::new, Value::to_string);
                out.push_str(&format!(
                    "  statement {i} ({}) at {}: {text}\n",
                    s.effect.as_str(),
                    s.pointer.as_str()
                ));
            }
        }
    }
    if e.actions.len() > 1 {
        out.push_str("actions needed:\n");
        for a in &e.actions {
            out.push_str(&format!(
                "  {}: {} (statements {:?})\n",
                a.action, a.decision, a.statements
            ));
        }
    }
    out.push_str(&format!("trace for {}:\n", request.action()));
    let mark = |b: bool| if b { "✓" } else { "✗" };
    for s in &e.statements {
        let sid = s
            .sid
            .as_deref()
            .map_or_else(String::new, |x| format!(" \"{x}\""));
        out.push_str(&format!(
            "  statement {}{sid} ({}) {}\n    {} principal: {}\n    {} action: {}\n",
            s.index,
            s.effect.as_str(),
            if s.applies {
                "applies"
            } else {
                "does not apply"
            },
            mark(s.principal),
            s.principal_explanation,
            mark(s.action),
            s.action_explanation
        ));
        for c in &s.conditions {
            out.push_str(&format!(
                "    {} {} {}: {} ({})\n",
                mark(c.result),
                c.operator,
                c.key,
                c.explanation,
                c.pointer
            ));
        }
    }
    for n in &e.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out
}

/// `Ok` when the policy does not allow the request (implicit or explicit deny); otherwise a
/// [`Failure`] that shows the request, the allowing statements and the trace.
pub fn check_denied(policy: &TrustPolicy, request: &Request) -> Result<(), Failure> {
    if decide(policy, request) == Decision::Allow {
        Err(Failure::new(format!(
            "expected the request to be denied, but the policy allows it\n{}",
            explain(policy, request)
        )))
    } else {
        Ok(())
    }
}

/// `Ok` when the policy allows the request; otherwise a [`Failure`] that shows the request, the
/// denying statements (if any) and the trace.
pub fn check_allowed(policy: &TrustPolicy, request: &Request) -> Result<(), Failure> {
    if decide(policy, request) == Decision::Allow {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "expected the request to be allowed, but the policy denies it\n{}",
            explain(policy, request)
        )))
    }
}

/// In a proptest body (or any function returning `Result<_, E>` with `E: From<Failure>`):
/// fails the case unless the policy denies the request, with a message that shows the
/// request, the allowing statements and the trace. The policy and the request are taken by
/// reference; an optional format string and arguments are put before the message.
///
/// ```
/// use trustsim_evaluator::testing::{proptest, Failure};
/// use trustsim_evaluator::{prop_assert_denied, Principal, Request, TrustPolicy};
///
/// # fn main() -> Result<(), Failure> {
/// let policy = TrustPolicy::from_json(r#"{"Statement": {"Effect": "Allow",
///     "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}}"#)
///     .map_err(|e| Failure::new(e.to_string()))?;
/// let other = Request::builder(Principal::infer("arn:aws:iam::999988887777:user/eve").unwrap())
///     .build()
///     .unwrap();
/// prop_assert_denied!(policy, other, "an outsider");
/// # Ok(())
/// # }
/// ```
#[macro_export]
macro_rules! prop_assert_denied {
    ($policy:expr, $request:expr $(,)?) => {
        $crate::testing::check_denied(&$policy, &$request)?
    };
    ($policy:expr, $request:expr, $($fmt:tt)+) => {
        $crate::testing::check_denied(&$policy, &$request)
            .map_err(|f| f.context(::std::format!($($fmt)+)))?
    };
}

/// Like [`prop_assert_denied!`](crate::prop_assert_denied), for a request the policy must
/// allow.
#[macro_export]
macro_rules! prop_assert_allowed {
    ($policy:expr, $request:expr $(,)?) => {
        $crate::testing::check_allowed(&$policy, &$request)?
    };
    ($policy:expr, $request:expr, $($fmt:tt)+) => {
        $crate::testing::check_allowed(&$policy, &$request)
            .map_err(|f| f.context(::std::format!($($fmt)+)))?
    };
}

/// In a plain `#[test]`: panics (in the calling test) unless the policy denies the request,
/// with the message of [`check_denied`].
#[macro_export]
macro_rules! assert_denied {
    ($policy:expr, $request:expr $(,)?) => {
        if let ::std::result::Result::Err(f) = $crate::testing::check_denied(&$policy, &$request) {
            ::std::panic!("{}", f)
        }
    };
}

/// In a plain `#[test]`: panics (in the calling test) when [`Check::not_exposed`] with default
/// settings fails for the policy and threat: the analysis's verdict with its witness and fix,
/// or the first sampled attacker request that gets in, with its trace.
#[macro_export]
macro_rules! assert_not_exposed {
    ($policy:expr, $threat:expr $(,)?) => {
        if let ::std::result::Result::Err(f) =
            $crate::testing::Check::new().not_exposed(&$policy, $threat)
        {
            ::std::panic!("{}", f)
        }
    };
}

/// Checks a role against a threat, both by the analysis and by sampling attacker requests.
///
/// ```
/// use trustsim_evaluator::testing::Check;
/// use trustsim_evaluator::{Threat, TrustPolicy};
///
/// let policy = TrustPolicy::from_json(r#"{"Statement": {"Effect": "Allow",
///     "Principal": {"AWS": "arn:aws:iam::444455556666:role/vendor"}, "Action": "sts:AssumeRole",
///     "Condition": {"StringEquals": {"sts:ExternalId": "Unique-ID-4711"}}}}"#)?;
/// let check = Check::new().owner("111122223333").cases(64);
/// assert!(check.not_exposed(&policy, Threat::ConfusedDeputy).is_ok());
/// assert!(check.not_exposed(&policy, Threat::Public).is_ok());
/// # Ok::<(), trustsim_evaluator::PolicyError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Check {
    pub(super) owner: Option<String>,
    pub(super) cases: u32,
    pub(super) seed: u64,
}

impl Default for Check {
    fn default() -> Self {
        Self::new()
    }
}

impl Check {
    /// Owner unknown, 256 sampled requests per threat, a fixed seed (the same requests on every
    /// run).
    pub fn new() -> Self {
        Self {
            owner: None,
            cases: 256,
            seed: 0x7275_7374_7369_6d00,
        }
    }

    /// The role owner's account: the analysis then treats it as the owner's (not a third
    /// party), and no attacker request comes from it.
    #[must_use]
    pub fn owner(mut self, account: impl Into<String>) -> Self {
        self.owner = Some(account.into());
        self
    }

    /// How many attacker requests [`Check::sampled`] draws.
    #[must_use]
    pub fn cases(mut self, cases: u32) -> Self {
        self.cases = cases;
        self
    }

    /// The seed of [`Check::sampled`]'s random generator.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    pub(super) fn options(&self) -> AnalysisOptions {
        AnalysisOptions {
            account: self.owner.clone(),
            ..Default::default()
        }
    }

    /// `Ok` when the analysis finds the threat `restricted` or `not-applicable`; otherwise a
    /// [`Failure`] with the verdict, the explanation, the witness request and its trace, the
    /// residual and the fix the analysis proposes.
    pub fn analysis(&self, policy: &TrustPolicy, threat: Threat) -> Result<(), Failure> {
        let r = analyze_threat(policy, threat, &self.options());
        if matches!(r.verdict, Verdict::Restricted | Verdict::NotApplicable) {
            return Ok(());
        }
        let mut message = format!(
            "the analysis finds the role {} to the {} threat: {}\n",
            r.verdict.name(),
            threat.name(),
            r.explanation
        );
        if let Some(residual) = &r.residual {
            message.push_str(&format!("who gets in: {residual}\n"));
        }
        if let Some(w) = &r.witness {
            message.push_str(&format!("witness:\n{}", explain(policy, w)));
        }
        let fix = crate::analysis::fix::propose(policy, threat, &self.options()).filter(|f| {
            TrustPolicy::from_value(f).is_ok_and(|p| {
                matches!(
                    analyze_threat(&p, threat, &self.options()).verdict,
                    Verdict::Restricted | Verdict::NotApplicable
                )
            })
        });
        if let Some(fix) = fix {
            message.push_str(&format!("a fix the analysis proves: {fix}\n"));
        }
        Err(Failure::new(message))
    }

    /// `Ok` when none of [`Check::cases`] attacker requests of the threat
    /// ([`attacker_requests`]) is allowed; otherwise a [`Failure`] with the (shrunk) request
    /// that gets in and its trace.
    pub fn sampled(&self, policy: &TrustPolicy, threat: Threat) -> Result<(), Failure> {
        let strategy = attacker_requests(policy, threat, self.owner.as_deref());
        let config = Config {
            cases: self.cases,
            max_shrink_iters: 1024,
            failure_persistence: None,
            ..Config::default()
        };
        let mut seed = [0u8; 32];
        for (i, b) in seed.iter_mut().enumerate() {
            *b = self.seed.to_le_bytes().get(i % 8).copied().unwrap_or(0) ^ (i as u8);
        }
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        let result = runner.run(&strategy, |attack| {
            check_denied(policy, &attack.request).map_err(TestCaseError::from)
        });
        match result {
            Ok(()) => Ok(()),
            Err(TestError::Fail(_, attack)) => Err(Failure::new(format!(
                "an attacker of the {} threat gets in: {}\n{}",
                threat.name(),
                attack.scenario,
                explain(policy, &attack.request)
            ))),
            Err(TestError::Abort(reason)) => Err(Failure::new(format!(
                "the {} attacker requests could not be generated: {reason}",
                threat.name()
            ))),
        }
    }

    /// [`Check::analysis`], then [`Check::sampled`].
    pub fn not_exposed(&self, policy: &TrustPolicy, threat: Threat) -> Result<(), Failure> {
        self.analysis(policy, threat)?;
        self.sampled(policy, threat)
    }
}

/// `Ok` unless a trusted AWS service working for another account can assume the role, by the
/// analysis or by one of 256 sampled forged-service requests ([`Check::not_exposed`], owner
/// unknown). Use `?` in a test that returns `Result`, or [`Check`] to set the owner.
///
/// ```
/// use trustsim_evaluator::testing::assert_no_forged_service;
/// use trustsim_evaluator::TrustPolicy;
///
/// let open = TrustPolicy::from_json(r#"{"Statement": {"Effect": "Allow",
///     "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}}"#)?;
/// let failure = assert_no_forged_service(&open).unwrap_err();
/// assert!(failure.message().contains("exposed to the forged-service threat"));
/// assert!(failure.message().contains("witness"));
/// # Ok::<(), trustsim_evaluator::PolicyError>(())
/// ```
pub fn assert_no_forged_service(policy: &TrustPolicy) -> Result<(), Failure> {
    Check::new().not_exposed(policy, Threat::ForgedService)
}

/// `Ok` unless a principal of an account the policy does not name can assume the role
/// ([`Check::not_exposed`] for [`Threat::Public`], owner unknown).
pub fn assert_no_public(policy: &TrustPolicy) -> Result<(), Failure> {
    Check::new().not_exposed(policy, Threat::Public)
}

/// `Ok` unless a trusted third party acting for another customer can assume the role
/// ([`Check::not_exposed`] for [`Threat::ConfusedDeputy`], owner unknown: every `AWS`
/// principal counts as a third party; use [`Check::owner`] otherwise).
pub fn assert_no_confused_deputy(policy: &TrustPolicy) -> Result<(), Failure> {
    Check::new().not_exposed(policy, Threat::ConfusedDeputy)
}

/// `Ok` unless any identity of a trusted identity provider can assume the role
/// ([`Check::not_exposed`] for [`Threat::Federated`], owner unknown).
pub fn assert_no_federated(policy: &TrustPolicy) -> Result<(), Failure> {
    Check::new().not_exposed(policy, Threat::Federated)
}
