//! A property-testing kit for trust policies, built on [`proptest`] (cargo feature `proptest`).
//!
//! It gives a team that keeps its roles' trust policies in a repository a test that fails when
//! a change lets an attacker in, and gives people who write their own analyzers generators to
//! test them with:
//!
//! - **attacker requests** for a given policy and [`Threat`]: [`attacker_requests`] and one
//!   function per threat ([`forged_service_requests`], [`public_requests`],
//!   [`confused_deputy_requests`], [`federated_requests`], [`account_wide_requests`]). They
//!   follow the attacker model of `docs/threats.md` (section 2: who calls, and the provenance
//!   table [`provenance::TABLE`] for every key the policy reads), and they aim near the
//!   policy's boundary: fresh accounts, ExternalIds and organizations that share a prefix with
//!   the policy's literals or differ from them in case, chosen text built from the policy's own
//!   values and patterns (wildcards filled in, one character changed, a tail of an ARN pattern),
//!   addresses just outside the policy's networks, and times just after its dates;
//! - **arbitrary well-formed policies and requests**: [`trust_policies`], [`statements`],
//!   [`requests`], [`requests_near`] (requests aimed at one policy), [`owner_requests`] (the
//!   owner's own legitimate requests), and the equivalence transforms [`equivalent_documents`]
//!   and [`equivalent_requests`];
//! - **assertions** with failure messages that show the request, the deciding statements and
//!   the evaluation trace: [`check_denied`] / [`check_allowed`] and the macros
//!   [`prop_assert_denied!`](crate::prop_assert_denied) /
//!   [`prop_assert_allowed!`](crate::prop_assert_allowed) for proptest bodies,
//!   [`assert_denied!`](crate::assert_denied) for plain tests, and the role checks
//!   [`assert_no_forged_service`], [`assert_no_public`], [`assert_no_confused_deputy`],
//!   [`assert_no_federated`] and [`Check`], which combine the analysis with sampled attacker
//!   requests;
//! - [`load_roles`]: every role of a folder of policies and templates.
//!
//! ```
//! use trustsim_evaluator::testing::{forged_service_requests, proptest};
//! use trustsim_evaluator::{prop_assert_denied, TrustPolicy};
//!
//! let policy = TrustPolicy::from_json(r#"{"Version": "2012-10-17", "Statement": [{
//!     "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
//!     "Action": "sts:AssumeRole",
//!     "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]}"#)?;
//! proptest::proptest!(|(attack in forged_service_requests(&policy, Some("111122223333")))| {
//!     prop_assert_denied!(policy, attack.request);
//! });
//! # Ok::<(), trustsim_evaluator::PolicyError>(())
//! ```
//!
//! **What the attacker strategies model.** The same attacker as the analysis
//! (`docs/threats.md`, sections 1.2 and 2): fresh values have the analysis's shapes (12 digits;
//! `o-` and lower-case letters and digits; letters, digits and `-_.@=,+`) and never equal a
//! literal of the policy, a piece of one between `:` and `/`, or an account the policy names;
//! chosen text is any string; a service that is not documented to send `aws:SourceAccount` and
//! `aws:SourceArn` sends both or neither; keys the table does not list for the threat are
//! absent. Besides the keys the policy reads, a request may carry session tags or a source
//! identity when the attacker may send them (they only add the actions `sts:TagSession` and
//! `sts:SetSourceIdentity` the request needs). The limits of that model (section 4 of `docs/threats.md`) are the strategies' limits
//! too. Through `"*"`, forged-service requests come from EventBridge, SNS and every service the
//! policy's `aws:PrincipalServiceName` literals name.
//!
//! **Panics.** Nothing here panics. The check functions return a [`Failure`], which converts into
//! proptest's [`TestCaseError`] (so `?` works in a proptest body) and whose `Debug` is the whole
//! message (so `?` in a `#[test] fn ... -> Result<(), Failure>` prints it). Only the macro
//! [`assert_denied!`](crate::assert_denied) and [`assert_not_exposed!`](crate::assert_not_exposed)
//! panic, in the test that uses them.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use proptest;

use proptest::collection::vec as vec_of;
use proptest::prelude::{any, Just, Strategy};
use proptest::sample::select;
use proptest::strategy::{BoxedStrategy, Union};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde_json::{json, Map, Value};
use trustsim_conditions::{Family, Pattern, Values};

use crate::analysis::provenance::{
    self, Kind, REGIONS, SERVICES_REQUIRING_PASS_ROLE, SERVICES_SENDING_SOURCE_KEYS,
};
use crate::analysis::{analyze_threat, AnalysisOptions, Threat, Verdict};
use crate::eval::{decide, evaluate, Decision};
use crate::policy::{Effect, PolicyPrincipal, TrustPolicy};
use crate::principal::{is_account_id, IamIdentity, IamKind, WEB_IDENTITY_PROVIDERS};
use crate::request::{Principal, Request, ACTIONS};

/// The owner account of the policies [`trust_policies`] generates, and the one this crate's own
/// tests use.
pub const OWNER: &str = "111122223333";

/// The third party's account in the policies [`trust_policies`] generates.
pub const THIRD_PARTY: &str = "444455556666";

/// Characters of the analysis's `Word` shape: fresh names and IDs, and IAM names.
const WORD_CHARS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@=,+";
/// Characters after `o-` in an organization ID.
const ORG_CHARS: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
const DIGITS: &str = "0123456789";
/// Characters of random chosen text (wildcards and separators included).
const CHOSEN_CHARS: &str = "abcXYZ0129:/-_.*?@ ";
/// Chosen values worth trying whatever the policy says.
const SPECIAL: &[&str] = &[
    "",
    "true",
    "false",
    "0",
    "1",
    "*",
    "sts.amazonaws.com",
    "arn:aws:iam::999988887777:role/x",
];

/// Keys that follow from the caller (the catalogue's, as the analysis reads them).
const DERIVED: &[&str] = crate::facts::CALLER_KEYS;

/// Services tried through `"*"`, besides those the policy names: the first two of the
/// catalogue's list (the kit samples; the analysis searches them all).
fn star_services() -> &'static [&'static str] {
    crate::facts::STAR_SERVICES
        .get(..2)
        .unwrap_or(crate::facts::STAR_SERVICES)
}

// ------------------------------------------------------------------ failures

/// A failed check: a message that says what was expected, and shows the request, the deciding
/// statements and the trace. `Display` and `Debug` both print the message.
#[derive(Clone, PartialEq, Eq)]
pub struct Failure {
    message: String,
}

impl Failure {
    /// A failure with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Puts `context` (e.g. the role's name) before the message.
    #[must_use]
    pub fn context(self, context: impl fmt::Display) -> Self {
        Self {
            message: format!("{context}: {}", self.message),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

// ------------------------------------------------------------------ explanations and checks

/// Explains a decision: the request as JSON, the decision, the deciding statements (as written
/// in the policy) and the evaluation trace of every statement.
pub fn explain(policy: &TrustPolicy, request: &Request) -> String {
    let e = evaluate(policy, request);
    let mut out = format!("request: {}\ndecision: {}\n", request.to_json(), e.decision);
    let deciding: Vec<usize> = match e.decision {
        Decision::Allow => {
            let mut list: Vec<usize> = e
                .actions
                .iter()
                .flat_map(|a| a.statements.iter().copied())
                .collect();
            list.sort_unstable();
            list.dedup();
            list
        }
        Decision::ExplicitDeny => {
            let mut list: Vec<usize> = e
                .actions
                .iter()
                .filter(|a| a.decision == Decision::ExplicitDeny)
                .flat_map(|a| a.statements.iter().copied())
                .filter(|i| {
                    policy
                        .statements
                        .get(*i)
                        .is_some_and(|s| s.effect == Effect::Deny)
                })
                .collect();
            list.sort_unstable();
            list.dedup();
            list
        }
        Decision::ImplicitDeny => Vec::new(),
    };
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
    owner: Option<String>,
    cases: u32,
    seed: u64,
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

    fn options(&self) -> AnalysisOptions {
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

// ------------------------------------------------------------------ roles of a folder

/// A role read by [`load_roles`].
#[derive(Clone)]
pub struct LoadedRole {
    /// Its name (file stem, logical ID, Terraform address or role name).
    pub name: String,
    /// Where it is (`path`, `path#/Resources/Name`, ...).
    pub source: String,
    /// Its account, when the input says (or the owner given to [`load_roles`]).
    pub account: Option<String>,
    /// Its trust policy.
    pub policy: TrustPolicy,
}

impl fmt::Debug for LoadedRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.source)
    }
}

/// Every role in the trust policies, CloudFormation templates, Terraform plans and account
/// exports of a folder and its subfolders (files ending in `.json`, `.yaml`, `.yml` or
/// `.template`, in path order). Files that are none of these inputs (a request, say) are
/// skipped; a file that cannot be read, or a trust policy that does not parse, is a
/// [`Failure`] naming it.
pub fn load_roles(dir: impl AsRef<Path>, owner: Option<&str>) -> Result<Vec<LoadedRole>, Failure> {
    let mut files = Vec::new();
    collect_files(dir.as_ref(), &mut files)?;
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
        let value = crate::sources::read_value(&text, &path)
            .map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
        let Some(kind) = crate::sources::detect(&value) else {
            continue;
        };
        let roles = crate::sources::roles(kind, &value, &text, &path, owner)
            .map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
        for role in roles {
            let policy = TrustPolicy::from_value(&role.document)
                .map_err(|e| Failure::new(format!("{}: {e}", role.source)))?;
            out.push(LoadedRole {
                name: role.name,
                source: role.source,
                account: role.account.or_else(|| owner.map(str::to_owned)),
                policy,
            });
        }
    }
    Ok(out)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Failure> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Failure::new(format!("{}: {e}", dir.display())))?;
    for entry in entries {
        let path = entry
            .map_err(|e| Failure::new(format!("{}: {e}", dir.display())))?
            .path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "json" | "yaml" | "yml" | "template"))
        {
            out.push(path);
        }
    }
    Ok(())
}

// ------------------------------------------------------------------ what a policy says

/// One key the policy's conditions read.
#[derive(Clone, Debug)]
struct KeyFacts {
    /// As first written.
    name: String,
    folded: String,
    /// Every value written on it.
    values: Vec<String>,
    /// Values under String and ARN operators.
    patterns: Vec<String>,
    /// Networks of IP operators (not the whole address space).
    networks: Vec<ipnetwork::IpNetwork>,
    /// Read by a set operator.
    multi: bool,
}

/// What the strategies aim at.
#[derive(Clone, Debug)]
struct Aim {
    owner: Option<String>,
    keys: Vec<KeyFacts>,
    /// Every condition value.
    texts: Vec<String>,
    /// Values no fresh value takes: literals of String and ARN conditions, their pieces between
    /// `:` and `/`, and their tails after a separator.
    excluded: BTreeSet<String>,
    /// Accounts the policy names anywhere, and the owner's.
    named_accounts: BTreeSet<String>,
    /// Digit runs to aim fresh accounts at.
    digit_runs: Vec<String>,
    /// Words to aim fresh names at.
    near_words: Vec<String>,
    /// IAM names (roles, users) to aim chosen names at.
    iam_names: Vec<String>,
    everyone: bool,
    services: Vec<String>,
    iam: Vec<IamIdentity>,
    providers: Vec<String>,
}

fn push_unique(list: &mut Vec<String>, v: impl Into<String>) {
    let v = v.into();
    if !list.contains(&v) {
        list.push(v);
    }
}

fn digit_runs_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            run.push(c);
        } else if !run.is_empty() {
            out.push(std::mem::take(&mut run));
        }
    }
    out
}

impl Aim {
    fn of(policy: &TrustPolicy, owner: Option<&str>) -> Self {
        let mut aim = Aim {
            owner: owner.map(str::to_owned),
            keys: Vec::new(),
            texts: Vec::new(),
            excluded: BTreeSet::new(),
            named_accounts: BTreeSet::new(),
            digit_runs: Vec::new(),
            near_words: Vec::new(),
            iam_names: Vec::new(),
            everyone: false,
            services: Vec::new(),
            iam: Vec::new(),
            providers: Vec::new(),
        };
        for s in &policy.statements {
            for c in &s.conditions {
                let cond = &c.condition;
                let folded = cond.key().folded().to_owned();
                let family = cond.operator().base.family();
                let idx = match aim.keys.iter().position(|k| k.folded == folded) {
                    Some(i) => i,
                    None => {
                        aim.keys.push(KeyFacts {
                            name: cond.key().as_str().to_owned(),
                            folded: folded.clone(),
                            values: Vec::new(),
                            patterns: Vec::new(),
                            networks: Vec::new(),
                            multi: false,
                        });
                        aim.keys.len().saturating_sub(1)
                    }
                };
                let Some(k) = aim.keys.get_mut(idx) else {
                    continue;
                };
                k.multi |= cond.operator().qualifier.is_some();
                for v in cond.raw_values() {
                    push_unique(&mut k.values, v.clone());
                    push_unique(&mut aim.texts, v.clone());
                    if matches!(family, Family::String | Family::Arn) {
                        push_unique(&mut k.patterns, v.clone());
                    }
                }
                if let Values::Ip(nets) = cond.values() {
                    for n in nets {
                        if n.prefix() != 0 && !k.networks.contains(n) {
                            k.networks.push(*n);
                        }
                    }
                }
                if matches!(family, Family::String | Family::Arn) {
                    for v in cond.raw_values() {
                        aim.excluded.insert(v.clone());
                        for piece in v.split([':', '/']) {
                            if !piece.is_empty() {
                                aim.excluded.insert(piece.to_owned());
                            }
                        }
                        for (i, ch) in v.char_indices() {
                            if !ch.is_ascii_alphanumeric() {
                                if let Some(tail) = v.get(i + ch.len_utf8()..) {
                                    if !tail.is_empty() {
                                        aim.excluded.insert(tail.to_owned());
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if s.effect != Effect::Allow {
                continue;
            }
            for e in &s.principals {
                match &e.principal {
                    PolicyPrincipal::Everyone => aim.everyone = true,
                    PolicyPrincipal::Service(n) => push_unique(&mut aim.services, n.clone()),
                    PolicyPrincipal::Federated(n) => push_unique(&mut aim.providers, n.clone()),
                    PolicyPrincipal::Iam(id) => {
                        if !aim.iam.contains(id) {
                            aim.iam.push(id.clone());
                        }
                    }
                    PolicyPrincipal::UniqueId(_) | PolicyPrincipal::CanonicalUser(_) => {}
                }
            }
        }
        let doc = policy.document.to_string();
        for run in digit_runs_of(&doc) {
            if run.len() == 12 {
                aim.named_accounts.insert(run.clone());
            }
        }
        if let Some(o) = owner {
            aim.named_accounts.insert(o.to_owned());
        }
        for l in aim.excluded.iter().chain(aim.texts.iter()) {
            let lead: String = l.chars().take_while(char::is_ascii_digit).collect();
            if !lead.is_empty() {
                push_unique(&mut aim.digit_runs, lead);
            }
            let word: String = l.chars().filter(|c| WORD_CHARS.contains(*c)).collect();
            if !word.is_empty() {
                push_unique(&mut aim.near_words, word);
            }
        }
        for a in &aim.named_accounts {
            push_unique(&mut aim.digit_runs, a.clone());
        }
        for k in &aim.keys {
            for v in &k.values {
                for marker in ["role/", "user/", "assumed-role/"] {
                    if let Some((_, rest)) = v.rsplit_once(marker) {
                        let name: String = rest
                            .split('/')
                            .next()
                            .unwrap_or_default()
                            .chars()
                            .filter(|c| WORD_CHARS.contains(*c))
                            .collect();
                        if !name.is_empty() {
                            push_unique(&mut aim.iam_names, name);
                        }
                    }
                }
                if k.folded == "aws:username" || k.folded == "sts:rolesessionname" {
                    let name: String = v.chars().filter(|c| WORD_CHARS.contains(*c)).collect();
                    if !name.is_empty() {
                        push_unique(&mut aim.iam_names, name);
                    }
                }
            }
        }
        // Names of the principals the policy names are no fresh names either: an account's
        // other principals are the account-wide attackers.
        for id in &aim.iam {
            match &id.kind {
                IamKind::Role { name, .. } | IamKind::User { name, .. } => {
                    push_unique(&mut aim.iam_names, name.clone());
                    aim.excluded.insert(name.clone());
                }
                IamKind::AssumedRole { role, .. } => {
                    push_unique(&mut aim.iam_names, role.clone());
                    aim.excluded.insert(role.clone());
                }
                _ => {}
            }
        }
        aim
    }

    fn key(&self, folded: &str) -> Option<&KeyFacts> {
        self.keys.iter().find(|k| k.folded == folded)
    }

    fn literal_values(&self, folded: &str) -> Vec<String> {
        self.key(folded)
            .map(|k| {
                k.values
                    .iter()
                    .filter(|v| !v.contains('*') && !v.contains('?') && !v.contains("${"))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    fn is_owner(&self, account: &str) -> bool {
        self.owner.as_deref() == Some(account)
    }
}

// ------------------------------------------------------------------ text strategies

fn text(chars: &'static str, min: usize, max: usize) -> BoxedStrategy<String> {
    let alphabet: Vec<char> = chars.chars().collect();
    if alphabet.is_empty() {
        return Just(String::new()).boxed();
    }
    vec_of(select(alphabet), min..=max)
        .prop_map(|v| v.into_iter().collect())
        .boxed()
}

/// `*` replaced by `fill`, `?` by its first character (or `x`).
fn fill(pattern: &str, fill: &str) -> String {
    let one = fill.chars().next().unwrap_or('x');
    pattern
        .chars()
        .flat_map(|c| match c {
            '*' => fill.chars().collect::<Vec<_>>(),
            '?' => vec![one],
            c => vec![c],
        })
        .collect()
}

/// A near miss of `s`: one character dropped, added, changed, or the case flipped.
fn mutate(s: &str, how: u8, c: char, at: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let at = if n == 0 { 0 } else { at % n };
    match how % 6 {
        0 => chars.iter().take(n.saturating_sub(1)).collect(),
        1 => chars.iter().copied().chain(std::iter::once(c)).collect(),
        2 => chars
            .iter()
            .map(|x| {
                if x.is_ascii_uppercase() {
                    x.to_ascii_lowercase()
                } else {
                    x.to_ascii_uppercase()
                }
            })
            .collect(),
        3 => chars
            .iter()
            .enumerate()
            .map(|(i, x)| if i == at { c } else { *x })
            .collect(),
        4 => std::iter::once(c).chain(chars.iter().copied()).collect(),
        _ => chars.iter().take(at).collect(),
    }
}

/// Text the attacker chooses for a key: the key's own values and patterns (wildcards filled,
/// near misses, tails after `:` or `/`), other values of the policy, special values, and noise.
fn chosen(aim: &Aim, key: Option<&KeyFacts>) -> BoxedStrategy<String> {
    let mut arms: Vec<(u32, BoxedStrategy<String>)> = vec![
        (2, text(CHOSEN_CHARS, 0, 10)),
        (1, select(SPECIAL).prop_map(str::to_owned).boxed()),
    ];
    let on_key: Vec<String> = key.map(|k| k.values.clone()).unwrap_or_default();
    let mut tails: Vec<String> = Vec::new();
    for v in &on_key {
        for (i, ch) in v.char_indices() {
            if ch == ':' || ch == '/' {
                if let Some(t) = v.get(i + 1..) {
                    push_unique(&mut tails, t);
                }
            }
        }
    }
    if !on_key.is_empty() {
        arms.push((4, select(on_key.clone()).boxed()));
        arms.push((
            3,
            (select(on_key.clone()), text(WORD_CHARS, 0, 4))
                .prop_map(|(v, f)| fill(&v, &f))
                .boxed(),
        ));
        arms.push((
            2,
            (
                select(on_key),
                any::<u8>(),
                select(WORD_CHARS.chars().collect::<Vec<_>>()),
                any::<usize>(),
            )
                .prop_map(|(v, how, c, at)| mutate(&fill(&v, "a"), how, c, at))
                .boxed(),
        ));
    }
    if !tails.is_empty() {
        arms.push((
            2,
            (select(tails), text(WORD_CHARS, 0, 3))
                .prop_map(|(v, f)| fill(&v, &f))
                .boxed(),
        ));
    }
    if !aim.texts.is_empty() {
        arms.push((
            1,
            (select(aim.texts.clone()), text(WORD_CHARS, 0, 3))
                .prop_map(|(v, f)| fill(&v, &f))
                .boxed(),
        ));
    }
    let numbers: Vec<String> = key
        .map(|k| {
            k.values
                .iter()
                .filter_map(|v| v.parse::<f64>().ok())
                .flat_map(|n| [n - 1.0, n, n + 1.0])
                .map(|n| {
                    if n.fract() == 0.0 && n.abs() < 1e15 {
                        format!("{}", n as i64)
                    } else {
                        format!("{n}")
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    if !numbers.is_empty() {
        arms.push((2, select(numbers).boxed()));
    }
    Union::new_weighted(arms).boxed()
}

fn non_empty(s: BoxedStrategy<String>) -> BoxedStrategy<String> {
    s.prop_map(|v| if v.is_empty() { "x".to_owned() } else { v })
        .boxed()
}

/// An IAM role or user name: one of the policy's names, a near miss of one, or a random name.
fn iam_name(aim: &Aim) -> BoxedStrategy<String> {
    let mut arms: Vec<(u32, BoxedStrategy<String>)> = vec![(2, text(WORD_CHARS, 1, 12))];
    if !aim.iam_names.is_empty() {
        arms.push((3, select(aim.iam_names.clone()).boxed()));
        arms.push((
            2,
            (
                select(aim.iam_names.clone()),
                any::<u8>(),
                select(WORD_CHARS.chars().collect::<Vec<_>>()),
                any::<usize>(),
            )
                .prop_map(|(v, how, c, at)| mutate(&v, how, c, at))
                .prop_map(|v| if v.is_empty() { "x".to_owned() } else { v })
                .boxed(),
        ));
    }
    Union::new_weighted(arms).boxed()
}

// ------------------------------------------------------------------ fresh values

/// The fresh values of one attacker: AWS or a provider assigns them, the attacker cannot pick.
#[derive(Clone, Debug)]
struct Fresh {
    account: String,
    org: String,
    tenant: String,
    id: String,
    id2: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FreshVar {
    Account,
    Org,
    Tenant,
    Id,
    Id2,
}

impl Fresh {
    fn get(&self, v: FreshVar) -> &str {
        match v {
            FreshVar::Account => &self.account,
            FreshVar::Org => &self.org,
            FreshVar::Tenant => &self.tenant,
            FreshVar::Id => &self.id,
            FreshVar::Id2 => &self.id2,
        }
    }
}

fn fresh_account(candidate: &str, aim: &Aim) -> String {
    let mut digits: String = candidate
        .chars()
        .filter(char::is_ascii_digit)
        .take(12)
        .collect();
    while digits.len() < 12 {
        digits.push('0');
    }
    let ok = |a: &str| !aim.named_accounts.contains(a) && !aim.excluded.contains(a);
    if ok(&digits) {
        return digits;
    }
    let head: String = digits.chars().take(6).collect();
    let tail: u32 = digits
        .chars()
        .skip(6)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    for i in 1..1_000_000u32 {
        let a = format!("{head}{:06}", (tail + i) % 1_000_000);
        if ok(&a) {
            return a;
        }
    }
    digits
}

fn fresh_word(candidate: &str, aim: &Aim) -> String {
    let mut w: String = candidate
        .chars()
        .filter(|c| WORD_CHARS.contains(*c))
        .collect();
    if w.is_empty() {
        w.push('x');
    }
    if !aim.excluded.contains(&w) {
        return w;
    }
    for i in 0..100_000u32 {
        let c = format!("{w}{i}");
        if !aim.excluded.contains(&c) {
            return c;
        }
    }
    w
}

fn fresh_org(candidate: &str, aim: &Aim) -> String {
    let mut tail: String = candidate
        .trim_start_matches("o-")
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| ORG_CHARS.contains(*c))
        .collect();
    if tail.is_empty() {
        tail.push('x');
    }
    let org = format!("o-{tail}");
    if !aim.excluded.contains(&org) {
        return org;
    }
    for i in 0..100_000u32 {
        let c = format!("o-{tail}{i}");
        if !aim.excluded.contains(&c) {
            return c;
        }
    }
    org
}

fn fresh_values(aim: &Arc<Aim>) -> BoxedStrategy<Fresh> {
    let mut accounts: Vec<(u32, BoxedStrategy<String>)> = vec![(1, text(DIGITS, 12, 12))];
    if !aim.digit_runs.is_empty() {
        accounts.push((
            1,
            (
                select(aim.digit_runs.clone()),
                1..=12usize,
                text(DIGITS, 12, 12),
            )
                .prop_map(|(run, keep, rest)| {
                    let head: String = run.chars().take(keep).collect();
                    let n = head.chars().count();
                    format!(
                        "{head}{}",
                        rest.chars().take(12 - n.min(12)).collect::<String>()
                    )
                })
                .boxed(),
        ));
    }
    let mut words: Vec<(u32, BoxedStrategy<String>)> = vec![(1, text(WORD_CHARS, 1, 12))];
    if !aim.near_words.is_empty() {
        words.push((
            1,
            (
                select(aim.near_words.clone()),
                any::<u8>(),
                select(WORD_CHARS.chars().collect::<Vec<_>>()),
                any::<usize>(),
                text(WORD_CHARS, 0, 3),
            )
                .prop_map(|(v, how, c, at, more)| format!("{}{more}", mutate(&v, how, c, at)))
                .boxed(),
        ));
    }
    let orgs: Vec<(u32, BoxedStrategy<String>)> = {
        let near: Vec<String> = aim
            .excluded
            .iter()
            .filter(|v| v.starts_with("o-"))
            .map(|v| fill(v, ""))
            .collect();
        let mut arms = vec![(1, text(ORG_CHARS, 1, 12))];
        if !near.is_empty() {
            arms.push((
                1,
                (select(near), 2..=14usize, text(ORG_CHARS, 0, 3))
                    .prop_map(|(v, keep, more)| {
                        format!("{}{more}", v.chars().take(keep).collect::<String>())
                    })
                    .boxed(),
            ));
        }
        arms
    };
    let word = Union::new_weighted(words);
    let (a1, a2, a3) = (Arc::clone(aim), Arc::clone(aim), Arc::clone(aim));
    (
        Union::new_weighted(accounts).prop_map(move |a| fresh_account(&a, &a1)),
        Union::new_weighted(orgs).prop_map(move |o| fresh_org(&o, &a2)),
        (word.clone(), word.clone(), word).prop_map(move |(t, i, j)| {
            (
                fresh_word(&t, &a3),
                fresh_word(&i, &a3),
                fresh_word(&j, &a3),
            )
        }),
    )
        .prop_map(|(account, org, (tenant, id, id2))| Fresh {
            account,
            org,
            tenant,
            id,
            id2,
        })
        .boxed()
}

// ------------------------------------------------------------------ values from templates

#[derive(Clone, Debug)]
enum Piece {
    Text(String),
    Fresh(FreshVar),
}

fn render(pieces: &[Piece], fresh: &Fresh) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.as_str(),
            Piece::Fresh(v) => fresh.get(*v),
        })
        .collect()
}

/// One key's values in a request, before the fresh values are known.
#[derive(Clone, Debug)]
struct KeyDraft {
    name: String,
    values: Option<Vec<Vec<Piece>>>,
    multi: bool,
    /// A `service`-kind key: present only in the world where the service sends it.
    service: bool,
}

fn now_secs() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i128::from(d.as_secs()))
}

/// A time at or after now (epoch seconds), near the key's dates.
fn later(key: Option<&KeyFacts>) -> BoxedStrategy<String> {
    let now = now_secs();
    let mut dates: Vec<String> = Vec::new();
    for v in key.map(|k| k.values.as_slice()).unwrap_or_default() {
        if let Some(i) = trustsim_conditions::family::date::Instant::parse(v) {
            for d in [-1, 0, 1] {
                let s = i.epoch_seconds() + d;
                if s >= now {
                    push_unique(&mut dates, s.to_string());
                }
            }
        }
    }
    let mut arms: Vec<(u32, BoxedStrategy<String>)> = vec![
        (1, Just(now.to_string()).boxed()),
        (
            2,
            (0i128..=10 * 366 * 86_400)
                .prop_map(move |d| (now + d).to_string())
                .boxed(),
        ),
    ];
    if !dates.is_empty() {
        arms.push((2, select(dates).boxed()));
    }
    Union::new_weighted(arms).boxed()
}

/// The attacker's own address: outside every network and string pattern the policy writes on
/// the key (the owner's ranges), often just outside one.
fn address(key: Option<&KeyFacts>) -> BoxedStrategy<String> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let networks: Vec<ipnetwork::IpNetwork> = key.map(|k| k.networks.clone()).unwrap_or_default();
    let patterns: Vec<Pattern> = key
        .map(|k| k.patterns.iter().map(|p| Pattern::new(p)).collect())
        .unwrap_or_default();
    let mut near: Vec<IpAddr> = Vec::new();
    for n in &networks {
        match n {
            ipnetwork::IpNetwork::V4(v4) => {
                let lo = u32::from(v4.network());
                let hi = u32::from(v4.broadcast());
                near.push(IpAddr::V4(Ipv4Addr::from(lo.wrapping_sub(1))));
                near.push(IpAddr::V4(Ipv4Addr::from(hi.wrapping_add(1))));
            }
            ipnetwork::IpNetwork::V6(v6) => {
                let lo = u128::from(v6.network());
                let size = 128u32.saturating_sub(u32::from(v6.prefix()));
                let span = if size >= 128 {
                    u128::MAX
                } else {
                    (1u128 << size) - 1
                };
                near.push(IpAddr::V6(Ipv6Addr::from(lo.wrapping_sub(1))));
                near.push(IpAddr::V6(Ipv6Addr::from(
                    lo.wrapping_add(span).wrapping_add(1),
                )));
            }
        }
    }
    let outside = move |a: IpAddr| -> String {
        let ok = |a: &IpAddr| {
            let s = a.to_string();
            !networks.iter().any(|n| n.contains(*a)) && !patterns.iter().any(|p| p.matches(&s))
        };
        if ok(&a) {
            return a.to_string();
        }
        for i in 1u32..=4000 {
            let c = IpAddr::V4(Ipv4Addr::from(
                0x0B00_0000u32.wrapping_add(i.wrapping_mul(0x0101_0101)),
            ));
            if ok(&c) {
                return c.to_string();
            }
        }
        for i in 1u128..=4000 {
            let c = IpAddr::V6(Ipv6Addr::from(
                0x2a05_0000_0000_0000_0000_0000_0000_0000u128 + i * 0x0001_0001_0001_0001_0001,
            ));
            if ok(&c) {
                return c.to_string();
            }
        }
        a.to_string()
    };
    let mut arms: Vec<(u32, BoxedStrategy<IpAddr>)> = vec![
        (
            3,
            any::<u32>()
                .prop_map(|n| IpAddr::V4(Ipv4Addr::from(n)))
                .boxed(),
        ),
        (
            1,
            any::<u128>()
                .prop_map(|n| IpAddr::V6(Ipv6Addr::from(n)))
                .boxed(),
        ),
    ];
    if !near.is_empty() {
        arms.push((3, select(near).boxed()));
    }
    Union::new_weighted(arms).prop_map(outside).boxed()
}

/// Context for turning one key's template into a strategy.
struct DraftCtx<'a> {
    aim: &'a Aim,
    key: Option<&'a KeyFacts>,
    services: &'a [String],
    /// Set members are never empty.
    set: bool,
    time: bool,
}

/// One `|`-alternative of a provenance template.
fn draft(template: &str, ctx: &DraftCtx<'_>) -> BoxedStrategy<Vec<Piece>> {
    let mut parts: Vec<BoxedStrategy<Piece>> = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        let Some(start) = rest.find('{') else {
            parts.push(Just(Piece::Text(rest.to_owned())).boxed());
            break;
        };
        let lit = rest.get(..start).unwrap_or_default();
        if !lit.is_empty() {
            parts.push(Just(Piece::Text(lit.to_owned())).boxed());
        }
        let tail = rest.get(start..).unwrap_or_default();
        let end = tail.find('}').unwrap_or(tail.len());
        let var = tail.get(1..end).unwrap_or_default();
        rest = tail.get(end + 1..).unwrap_or_default();
        let piece: BoxedStrategy<Piece> = match var {
            "account" => Just(Piece::Fresh(FreshVar::Account)).boxed(),
            "org" => Just(Piece::Fresh(FreshVar::Org)).boxed(),
            "tenant" => Just(Piece::Fresh(FreshVar::Tenant)).boxed(),
            "id" => Just(Piece::Fresh(FreshVar::Id)).boxed(),
            // Further assigned identifiers (GitHub's repository and owner IDs): drawn as the
            // second one, which keeps the samples attacker requests.
            "id2" | "id3" | "id4" | "id5" => Just(Piece::Fresh(FreshVar::Id2)).boxed(),
            // The kit's attackers live in the commercial partition.
            "partition" => Just(Piece::Text("aws".to_owned())).boxed(),
            "region" => select(REGIONS)
                .prop_map(|r| Piece::Text(r.to_owned()))
                .boxed(),
            "service" => {
                if ctx.services.is_empty() {
                    Just(Piece::Text("events".to_owned())).boxed()
                } else {
                    select(ctx.services.to_vec()).prop_map(Piece::Text).boxed()
                }
            }
            "ip" => address(ctx.key).prop_map(Piece::Text).boxed(),
            _ if ctx.time => later(ctx.key).prop_map(Piece::Text).boxed(),
            "name" => non_empty(chosen(ctx.aim, ctx.key))
                .prop_map(Piece::Text)
                .boxed(),
            _ if ctx.set => non_empty(chosen(ctx.aim, ctx.key))
                .prop_map(Piece::Text)
                .boxed(),
            _ => chosen(ctx.aim, ctx.key).prop_map(Piece::Text).boxed(),
        };
        parts.push(piece);
    }
    parts.boxed()
}

fn key_draft(
    name: &str,
    kind: Kind,
    template: &str,
    ctx: &DraftCtx<'_>,
) -> BoxedStrategy<KeyDraft> {
    let alts: Vec<BoxedStrategy<Vec<Piece>>> = template.split('|').map(|t| draft(t, ctx)).collect();
    let one: BoxedStrategy<Vec<Piece>> = if alts.is_empty() {
        Just(Vec::new()).boxed()
    } else {
        Union::new(alts).boxed()
    };
    let multi = matches!(kind, Kind::Set | Kind::OptionalSet);
    let values: BoxedStrategy<Option<Vec<Vec<Piece>>>> = match kind {
        Kind::Value | Kind::Service => one.prop_map(|d| Some(vec![d])).boxed(),
        Kind::Optional | Kind::Existential => Union::new_weighted(vec![
            (1, Just(None).boxed()),
            (3, one.prop_map(|d| Some(vec![d])).boxed()),
        ])
        .boxed(),
        Kind::Set => vec_of(one, 0..=3).prop_map(Some).boxed(),
        Kind::OptionalSet => Union::new_weighted(vec![
            (1, Just(None).boxed()),
            (3, vec_of(one, 0..=3).prop_map(Some).boxed()),
        ])
        .boxed(),
        Kind::Absent => Just(None).boxed(),
    };
    let name = name.to_owned();
    let service = kind == Kind::Service;
    values
        .prop_map(move |values| KeyDraft {
            name: name.clone(),
            values,
            multi,
            service,
        })
        .boxed()
}

// ------------------------------------------------------------------ callers

#[derive(Clone, Debug)]
enum Account {
    Fresh,
    Fixed(String),
}

#[derive(Clone, Debug)]
enum Name {
    Fresh,
    Chosen(String),
}

/// A caller before the fresh values are known.
#[derive(Clone, Debug)]
enum Caller {
    Fixed(Principal),
    Session {
        partition: String,
        account: Account,
        role: Name,
        session: String,
    },
    User {
        partition: String,
        account: Account,
        path: String,
        name: Name,
    },
    Root {
        partition: String,
        account: Account,
    },
}

impl Caller {
    fn resolve(&self, fresh: &Fresh) -> Option<Principal> {
        let account = |a: &Account| match a {
            Account::Fresh => fresh.account.clone(),
            Account::Fixed(s) => s.clone(),
        };
        let name = |n: &Name| match n {
            Name::Fresh => fresh.id.clone(),
            Name::Chosen(s) => s.clone(),
        };
        let arn = match self {
            Caller::Fixed(p) => return Some(p.clone()),
            Caller::Session {
                partition,
                account: a,
                role,
                session,
            } => format!(
                "arn:{partition}:sts::{}:assumed-role/{}/{session}",
                account(a),
                name(role)
            ),
            Caller::User {
                partition,
                account: a,
                path,
                name: n,
            } => format!("arn:{partition}:iam::{}:user{path}{}", account(a), name(n)),
            Caller::Root {
                partition,
                account: a,
            } => format!("arn:{partition}:iam::{}:root", account(a)),
        };
        Principal::infer(&arn).ok()
    }
}

fn session_name() -> BoxedStrategy<String> {
    text(WORD_CHARS, 2, 12)
}

/// Role sessions of any role of an account (a role name aimed at the policy's names).
fn sessions_in(aim: &Aim, partition: &str, account: Account) -> BoxedStrategy<Caller> {
    let partition = partition.to_owned();
    (iam_name(aim), session_name())
        .prop_map(move |(role, session)| Caller::Session {
            partition: partition.clone(),
            account: account.clone(),
            role: Name::Chosen(role),
            session,
        })
        .boxed()
}

/// One attacker scenario: who calls, with what, for which threat.
struct Scene {
    label: String,
    caller: BoxedStrategy<Caller>,
    action: &'static str,
    provider: Option<String>,
    services: Vec<String>,
    /// The service always sends `aws:SourceAccount` and `aws:SourceArn`.
    documented: bool,
    stand_in: bool,
}

impl Scene {
    fn fixed(label: String, principal: Principal, action: &'static str) -> Self {
        Scene {
            label,
            caller: Just(Caller::Fixed(principal)).boxed(),
            action,
            provider: None,
            services: Vec::new(),
            documented: false,
            stand_in: false,
        }
    }
}

fn stand_in_account(aim: &Aim) -> String {
    ["444455556666", "555566667777", "666677778888"]
        .into_iter()
        .find(|a| !aim.named_accounts.contains(*a))
        .unwrap_or("777788889999")
        .to_owned()
}

fn public_scenes(aim: &Aim) -> Vec<Scene> {
    let caller = Union::new_weighted(vec![
        (3, sessions_in(aim, "aws", Account::Fresh)),
        (
            2,
            (select(vec!["/", "/team/", "/a/b/"]), iam_name(aim))
                .prop_map(|(path, name)| Caller::User {
                    partition: "aws".to_owned(),
                    account: Account::Fresh,
                    path: path.to_owned(),
                    name: Name::Chosen(name),
                })
                .boxed(),
        ),
        (
            1,
            Just(Caller::Root {
                partition: "aws".to_owned(),
                account: Account::Fresh,
            })
            .boxed(),
        ),
    ])
    .boxed();
    vec![Scene {
        label: "a principal of an account of its own".to_owned(),
        caller,
        action: "sts:AssumeRole",
        provider: None,
        services: Vec::new(),
        documented: false,
        stand_in: false,
    }]
}

fn forged_scenes(policy: &TrustPolicy, aim: &Aim) -> Vec<Scene> {
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for name in &aim.services {
        if SERVICES_REQUIRING_PASS_ROLE.contains(&name.as_str()) {
            continue;
        }
        seen.push(name.clone());
        let mut s = Scene::fixed(
            format!("{name} working for another account"),
            Principal::Service(name.clone()),
            "sts:AssumeRole",
        );
        s.services = crate::analysis::scenario::service_names(policy, name);
        s.documented = SERVICES_SENDING_SOURCE_KEYS.contains(&name.as_str());
        out.push(s);
    }
    if aim.everyone {
        let mut names: Vec<String> = aim
            .literal_values("aws:principalservicename")
            .into_iter()
            .filter(|n| n.contains('.'))
            .collect();
        names.extend(star_services().iter().map(|s| (*s).to_owned()));
        for name in names {
            if SERVICES_REQUIRING_PASS_ROLE.contains(&name.as_str()) || seen.contains(&name) {
                continue;
            }
            seen.push(name.clone());
            let mut s = Scene::fixed(
                format!("any AWS service through \"*\", e.g. {name} working for another account"),
                Principal::Service(name.clone()),
                "sts:AssumeRole",
            );
            s.services = crate::analysis::scenario::service_names(policy, &name);
            out.push(s);
        }
    }
    if out.is_empty() {
        let name = "events.amazonaws.com";
        let mut s = Scene::fixed(
            format!("{name}, which the policy does not trust, working for another account"),
            Principal::Service(name.to_owned()),
            "sts:AssumeRole",
        );
        s.services = crate::analysis::scenario::service_names(policy, name);
        s.stand_in = true;
        out.push(s);
    }
    out
}

fn deputy_scenes(aim: &Aim) -> Vec<Scene> {
    let mut out = Vec::new();
    for id in &aim.iam {
        if aim.is_owner(&id.account) {
            continue;
        }
        let partition = id.partition.clone().unwrap_or_else(|| "aws".to_owned());
        let caller = match &id.kind {
            IamKind::Account => sessions_in(aim, &partition, Account::Fixed(id.account.clone())),
            IamKind::Role { name, .. } => {
                let (partition, account, role) =
                    (partition.clone(), id.account.clone(), name.clone());
                session_name()
                    .prop_map(move |session| Caller::Session {
                        partition: partition.clone(),
                        account: Account::Fixed(account.clone()),
                        role: Name::Chosen(role.clone()),
                        session,
                    })
                    .boxed()
            }
            _ => Just(Caller::Fixed(Principal::Aws(id.clone()))).boxed(),
        };
        out.push(Scene {
            label: format!("the third party {id} acting for another customer"),
            caller,
            action: "sts:AssumeRole",
            provider: None,
            services: Vec::new(),
            documented: false,
            stand_in: false,
        });
    }
    if aim.everyone {
        let mut accounts: Vec<String> = Vec::new();
        for a in aim.literal_values("aws:principalaccount") {
            if is_account_id(&a) {
                push_unique(&mut accounts, a);
            }
        }
        for arn in aim.literal_values("aws:principalarn") {
            if let Some(a) = arn.split(':').nth(4).filter(|a| is_account_id(a)) {
                push_unique(&mut accounts, a);
            }
        }
        for account in accounts {
            if aim.is_owner(&account) {
                continue;
            }
            out.push(Scene {
                label: format!(
                    "a principal of account {account} (through \"*\") acting for another customer"
                ),
                caller: sessions_in(aim, "aws", Account::Fixed(account.clone())),
                action: "sts:AssumeRole",
                provider: None,
                services: Vec::new(),
                documented: false,
                stand_in: false,
            });
        }
    }
    if out.is_empty() {
        let account = stand_in_account(aim);
        out.push(Scene {
            label: format!(
                "a principal of account {account}, which the policy does not name, acting for another customer"
            ),
            caller: sessions_in(aim, "aws", Account::Fixed(account)),
            action: "sts:AssumeRole",
            provider: None,
            services: Vec::new(),
            documented: false,
            stand_in: true,
        });
    }
    out
}

fn federated_scene(name: &str, provider: &str, label: String) -> Scene {
    let saml = name.contains(":saml-provider/");
    let mut s = Scene::fixed(
        label,
        Principal::Federated(name.to_owned()),
        if saml {
            "sts:AssumeRoleWithSAML"
        } else {
            "sts:AssumeRoleWithWebIdentity"
        },
    );
    s.provider = Some(provider.to_owned());
    s
}

fn federated_scenes(aim: &Aim) -> Vec<Scene> {
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for name in &aim.providers {
        let provider = match name.split_once(":oidc-provider/") {
            Some((_, host)) => host.to_owned(),
            None => name.clone(),
        };
        seen.push(name.clone());
        out.push(federated_scene(
            name,
            &provider,
            format!("any identity of {name}"),
        ));
    }
    if aim.everyone {
        let owner = aim.owner.clone().unwrap_or_else(|| OWNER.to_owned());
        let mut providers: Vec<(String, String)> = vec![(
            "accounts.google.com".to_owned(),
            "accounts.google.com".to_owned(),
        )];
        for k in &aim.keys {
            let entry = if k.folded.starts_with("saml:") {
                let arn = format!("arn:aws:iam::{owner}:saml-provider/idp");
                Some((arn.clone(), arn))
            } else if let Some((host, _)) = k.name.rsplit_once(':').filter(|(h, _)| {
                h.contains('.') && !k.folded.starts_with("aws:") && !k.folded.starts_with("sts:")
            }) {
                if WEB_IDENTITY_PROVIDERS.contains(&host) {
                    Some((host.to_owned(), host.to_owned()))
                } else {
                    Some((
                        format!("arn:aws:iam::{owner}:oidc-provider/{host}"),
                        host.to_owned(),
                    ))
                }
            } else {
                None
            };
            if let Some(e) = entry {
                if !providers.iter().any(|p| p.0 == e.0) {
                    providers.push(e);
                }
            }
        }
        for (name, provider) in providers {
            if seen.contains(&name) {
                continue;
            }
            seen.push(name.clone());
            out.push(federated_scene(
                &name,
                &provider,
                format!("any web identity through \"*\", e.g. one of {provider}"),
            ));
        }
    }
    if out.is_empty() {
        let mut s = federated_scene(
            "accounts.google.com",
            "accounts.google.com",
            "a Google identity, which the policy does not trust".to_owned(),
        );
        s.stand_in = true;
        out.push(s);
    }
    out
}

fn account_wide_scenes(aim: &Aim) -> Vec<Scene> {
    let mut out = Vec::new();
    let mut accounts: Vec<(String, String)> = Vec::new();
    for id in aim.iam.iter().filter(|id| id.kind == IamKind::Account) {
        let entry = (
            id.partition.clone().unwrap_or_else(|| "aws".to_owned()),
            id.account.clone(),
        );
        if !accounts.contains(&entry) {
            accounts.push(entry);
        }
    }
    let stand_in = accounts.is_empty();
    if stand_in {
        accounts.push(("aws".to_owned(), stand_in_account(aim)));
    }
    for (partition, account) in accounts {
        let (p1, a1) = (partition.clone(), account.clone());
        let caller = Union::new(vec![
            session_name()
                .prop_map(move |session| Caller::Session {
                    partition: p1.clone(),
                    account: Account::Fixed(a1.clone()),
                    role: Name::Fresh,
                    session,
                })
                .boxed(),
            Just(Caller::User {
                partition,
                account: Account::Fixed(account.clone()),
                path: "/".to_owned(),
                name: Name::Fresh,
            })
            .boxed(),
        ])
        .boxed();
        out.push(Scene {
            label: if stand_in {
                format!("a principal of account {account}, which the policy does not trust")
            } else {
                format!("any principal of account {account}")
            },
            caller,
            action: "sts:AssumeRole",
            provider: None,
            services: Vec::new(),
            documented: false,
            stand_in,
        });
    }
    out
}

// ------------------------------------------------------------------ attacker requests

/// A request an attacker of a threat can send.
#[derive(Clone)]
pub struct AttackerRequest {
    /// The threat whose attacker sends it.
    pub threat: Threat,
    /// Who the attacker is, in words (`events.amazonaws.com working for another account`).
    pub scenario: String,
    /// True when the policy trusts no principal of the threat's class and the request comes
    /// from a stand-in the policy does not name (EventBridge, a Google identity, a principal of
    /// an account the policy does not name). Under `"*"`, a confused-deputy or account-wide
    /// stand-in is trusted after all: it is then a public attacker.
    pub stand_in: bool,
    /// The request.
    pub request: Request,
}

impl fmt::Debug for AttackerRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} attacker ({}): {}",
            self.threat.name(),
            self.scenario,
            self.request.to_json()
        )
    }
}

fn scene_requests(threat: Threat, aim: &Arc<Aim>, scene: Scene) -> BoxedStrategy<AttackerRequest> {
    let mut names: Vec<(String, String)> = aim
        .keys
        .iter()
        .map(|k| (k.name.clone(), k.folded.clone()))
        .collect();
    if !names.iter().any(|(_, f)| f == "sts:rolesessionname") {
        names.push((
            "sts:RoleSessionName".to_owned(),
            "sts:rolesessionname".to_owned(),
        ));
    }
    let mut drafts: Vec<BoxedStrategy<KeyDraft>> = Vec::new();
    for (name, folded) in &names {
        if DERIVED.contains(&folded.as_str()) {
            continue;
        }
        let Some(row) = provenance::lookup(threat, folded, scene.provider.as_deref()) else {
            continue;
        };
        let ctx = DraftCtx {
            aim,
            key: aim.key(folded),
            services: &scene.services,
            set: matches!(row.kind, Kind::Set | Kind::OptionalSet),
            time: matches!(folded.as_str(), "aws:currenttime" | "aws:epochtime"),
        };
        drafts.push(key_draft(name, row.kind, row.template, &ctx));
    }
    let noise = noise(threat, aim, &names, scene.provider.as_deref());
    let Scene {
        label,
        caller,
        action,
        documented,
        stand_in,
        ..
    } = scene;
    (
        caller,
        fresh_values(aim),
        drafts,
        proptest::bool::weighted(0.75),
        noise,
    )
        .prop_filter_map(
            "the attacker's principal or request did not build",
            move |(caller, fresh, drafts, sends, noise)| {
                let principal = caller.resolve(&fresh)?;
                let mut b = Request::builder(principal).action(action);
                for d in drafts.into_iter().chain(noise) {
                    if d.service && !(documented || sends) {
                        continue;
                    }
                    let Some(values) = d.values else {
                        continue;
                    };
                    let texts: Vec<String> = values.iter().map(|p| render(p, &fresh)).collect();
                    if d.multi {
                        b = b.context_many(&d.name, texts);
                    } else if let Some(v) = texts.into_iter().next() {
                        b = b.context(&d.name, v);
                    }
                }
                Some(AttackerRequest {
                    threat,
                    scenario: label.clone(),
                    stand_in,
                    request: b.build().ok()?,
                })
            },
        )
        .boxed()
}

/// Request parameters the policy does not read but the attacker may send (session tags, a
/// source identity), when the provenance table lets it: they only add the actions
/// `sts:TagSession` / `sts:SetSourceIdentity` the request needs.
fn noise(
    threat: Threat,
    aim: &Aim,
    names: &[(String, String)],
    provider: Option<&str>,
) -> BoxedStrategy<Vec<KeyDraft>> {
    let reads = |prefix: &str| names.iter().any(|(_, f)| f.starts_with(prefix));
    let may = |key: &str| {
        provenance::lookup(threat, key, provider)
            .is_some_and(|r| matches!(r.kind, Kind::Optional | Kind::Existential))
    };
    let text_draft = |name: String, value: String, multi: bool| KeyDraft {
        name,
        values: Some(vec![vec![Piece::Text(value)]]),
        multi,
        service: false,
    };
    let tags = !reads("aws:requesttag/") && !reads("aws:tagkeys") && may("aws:requesttag/x");
    let source = !reads("sts:sourceidentity") && may("sts:sourceidentity");
    let tag: BoxedStrategy<Vec<KeyDraft>> = if tags {
        Union::new_weighted(vec![
            (4, Just(Vec::new()).boxed()),
            (
                1,
                (text(WORD_CHARS, 1, 8), chosen(aim, None))
                    .prop_map(move |(k, v)| {
                        vec![
                            text_draft(format!("aws:RequestTag/{k}"), v, false),
                            text_draft("aws:TagKeys".to_owned(), k, true),
                        ]
                    })
                    .boxed(),
            ),
        ])
        .boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    let identity: BoxedStrategy<Vec<KeyDraft>> = if source {
        Union::new_weighted(vec![
            (4, Just(Vec::new()).boxed()),
            (
                1,
                text(WORD_CHARS, 2, 12)
                    .prop_map(move |v| vec![text_draft("sts:SourceIdentity".to_owned(), v, false)])
                    .boxed(),
            ),
        ])
        .boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    (tag, identity)
        .prop_map(|(a, b)| a.into_iter().chain(b).collect())
        .boxed()
}

/// Requests an attacker of `threat` can send against `policy`, aimed near the policy's
/// boundary (see the module documentation). `owner` is the role owner's account, when known:
/// no attacker comes from it, and for [`Threat::ConfusedDeputy`] its principals are not third
/// parties.
///
/// The strategy always yields requests: when the policy trusts no principal of the class, they
/// come from a stand-in ([`AttackerRequest::stand_in`]).
pub fn attacker_requests(
    policy: &TrustPolicy,
    threat: Threat,
    owner: Option<&str>,
) -> BoxedStrategy<AttackerRequest> {
    let aim = Arc::new(Aim::of(policy, owner));
    let scenes = match threat {
        Threat::Public => public_scenes(&aim),
        Threat::ForgedService => forged_scenes(policy, &aim),
        Threat::ConfusedDeputy => deputy_scenes(&aim),
        Threat::Federated => federated_scenes(&aim),
        Threat::AccountWide => account_wide_scenes(&aim),
    };
    let strategies: Vec<BoxedStrategy<AttackerRequest>> = scenes
        .into_iter()
        .map(|s| scene_requests(threat, &aim, s))
        .collect();
    Union::new(strategies).boxed()
}

/// Forged-service requests: each service the policy trusts (except `ec2.amazonaws.com` and
/// `lambda.amazonaws.com`, which only assume roles passed to them), working for a fresh account
/// with `aws:SourceAccount` and an `aws:SourceArn` of that account (regional, global or
/// S3-style), or without either key when the service is not documented to send them.
pub fn forged_service_requests(
    policy: &TrustPolicy,
    owner: Option<&str>,
) -> BoxedStrategy<AttackerRequest> {
    attacker_requests(policy, Threat::ForgedService, owner)
}

/// Public requests: a role session, user or root of a fresh account with any name, tags and
/// request parameters (ExternalId, session tags, MFA, ...).
pub fn public_requests(
    policy: &TrustPolicy,
    owner: Option<&str>,
) -> BoxedStrategy<AttackerRequest> {
    attacker_requests(policy, Threat::Public, owner)
}

/// Confused-deputy requests: each trusted third party (a principal of another account than the
/// owner's) acting for another customer, with the fresh ExternalId it assigned to that
/// customer, which is not one the policy names.
pub fn confused_deputy_requests(
    policy: &TrustPolicy,
    owner: Option<&str>,
) -> BoxedStrategy<AttackerRequest> {
    attacker_requests(policy, Threat::ConfusedDeputy, owner)
}

/// Federated requests: any identity of each trusted identity provider, with a subject of its
/// own (a GitHub organization, an EKS namespace, a Cognito pool, ... not named by the policy)
/// and any audience the provider lets it have.
pub fn federated_requests(
    policy: &TrustPolicy,
    owner: Option<&str>,
) -> BoxedStrategy<AttackerRequest> {
    attacker_requests(policy, Threat::Federated, owner)
}

/// Account-wide requests: existing roles and users (names of their own) of each account the
/// policy trusts as a whole.
pub fn account_wide_requests(
    policy: &TrustPolicy,
    owner: Option<&str>,
) -> BoxedStrategy<AttackerRequest> {
    attacker_requests(policy, Threat::AccountWide, owner)
}

// ------------------------------------------------------------------ policies

/// A generated trust policy: the document and its parsed form. `Debug` prints the document as
/// compact JSON.
#[derive(Clone)]
pub struct GeneratedPolicy {
    /// The JSON document.
    pub document: Value,
    /// The parsed policy.
    pub policy: TrustPolicy,
}

impl fmt::Debug for GeneratedPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.document)
    }
}

impl GeneratedPolicy {
    /// Parses a document (for documents made from a generated one).
    pub fn from_document(document: Value) -> Option<Self> {
        let policy = TrustPolicy::from_value(&document).ok()?;
        Some(Self { document, policy })
    }
}

/// The shape of generated policies.
#[derive(Clone, Debug)]
pub struct PolicyShape {
    /// The owner account the principals and values name.
    pub owner: String,
    /// Fewest statements.
    pub min_statements: usize,
    /// Most statements.
    pub max_statements: usize,
    /// Most conditions per statement.
    pub max_conditions: usize,
    /// The probability that a statement is a `Deny`.
    pub deny: f64,
}

impl Default for PolicyShape {
    /// Owner [`OWNER`], one to three statements, up to two conditions each, one in five a Deny.
    fn default() -> Self {
        Self {
            owner: OWNER.to_owned(),
            min_statements: 1,
            max_statements: 3,
            max_conditions: 2,
            deny: 0.2,
        }
    }
}

/// The families of generated conditions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fam {
    Str,
    Arn,
    Num,
    Date,
    Bool,
    Ip,
}

/// Keys of generated conditions, with values to pick from (`{owner}` is replaced).
const KEY_POOL: &[(&str, Fam, &[&str])] = &[
    (
        "aws:SourceAccount",
        Fam::Str,
        &["{owner}", "444455556666", "1111*", "*", "11112222333?"],
    ),
    (
        "aws:SourceArn",
        Fam::Arn,
        &[
            "arn:aws:events:*:{owner}:rule/*",
            "arn:aws:events:us-east-1:*:rule/ci-*",
            "arn:aws:s3:::my-bucket",
            "arn:aws:s3:::logs.*",
            "arn:aws:*:*:{owner}:*",
            "*",
        ],
    ),
    ("aws:SourceOrgID", Fam::Str, &["o-abcdef1234", "o-abc*"]),
    (
        "sts:ExternalId",
        Fam::Str,
        &["abc", "Unique-ID-4711", "a*", "*", "12345"],
    ),
    (
        "aws:PrincipalAccount",
        Fam::Str,
        &["{owner}", "444455556666", "4444*"],
    ),
    (
        "aws:PrincipalArn",
        Fam::Arn,
        &[
            "arn:aws:iam::{owner}:role/admin",
            "arn:aws:iam::444455556666:role/vendor",
            "arn:aws:iam::*:role/ci-*",
            "arn:aws:iam::444455556666:*",
        ],
    ),
    ("aws:PrincipalOrgID", Fam::Str, &["o-abcdef1234", "o-abc*"]),
    (
        "aws:PrincipalServiceName",
        Fam::Str,
        &[
            "events.amazonaws.com",
            "s3.amazonaws.com",
            "*.amazonaws.com",
        ],
    ),
    (
        "aws:PrincipalType",
        Fam::Str,
        &["AssumedRole", "User", "Account"],
    ),
    ("aws:username", Fam::Str, &["bob", "b*"]),
    ("aws:PrincipalTag/team", Fam::Str, &["blue", "b*"]),
    ("aws:RequestTag/team", Fam::Str, &["blue", "*"]),
    ("aws:TagKeys", Fam::Str, &["team", "env", "t*"]),
    ("sts:RoleSessionName", Fam::Str, &["ci-*", "bob"]),
    (
        "aws:SourceIp",
        Fam::Ip,
        &["203.0.113.0/24", "198.51.100.7/32", "2001:db8::/32"],
    ),
    ("aws:MultiFactorAuthPresent", Fam::Bool, &["true", "false"]),
    ("aws:SecureTransport", Fam::Bool, &["true", "false"]),
    ("aws:MultiFactorAuthAge", Fam::Num, &["3600", "0"]),
    (
        "aws:CurrentTime",
        Fam::Date,
        &["2020-01-01T00:00:00Z", "2100-01-01T00:00:00Z"],
    ),
    (
        "token.actions.githubusercontent.com:sub",
        Fam::Str,
        &[
            "repo:octo-org/*",
            "repo:octo-org/app:ref:refs/heads/main",
            "repo:*",
            "repo:octo-*",
        ],
    ),
    (
        "token.actions.githubusercontent.com:aud",
        Fam::Str,
        &["sts.amazonaws.com"],
    ),
    (
        "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE1:sub",
        Fam::Str,
        &[
            "system:serviceaccount:prod:app",
            "system:serviceaccount:*:app",
            "system:serviceaccount:prod-*:*",
        ],
    ),
    (
        "cognito-identity.amazonaws.com:aud",
        Fam::Str,
        &[
            "us-east-1:11111111-2222-3333-4444-555555555555",
            "us-east-1:*",
        ],
    ),
    (
        "cognito-identity.amazonaws.com:amr",
        Fam::Str,
        &["authenticated", "unauthenticated"],
    ),
    (
        "accounts.google.com:aud",
        Fam::Str,
        &["1234.apps.googleusercontent.com", "*"],
    ),
    ("saml:sub", Fam::Str, &["alice", "a*"]),
    ("aws:SourceVpce", Fam::Str, &["vpce-1a2b3c4d", "vpce-*"]),
];

fn principal_pool(owner: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS", "*".to_owned()),
        ("AWS", owner.to_owned()),
        ("AWS", format!("arn:aws:iam::{owner}:root")),
        ("AWS", format!("arn:aws:iam::{owner}:role/admin")),
        ("AWS", THIRD_PARTY.to_owned()),
        ("AWS", format!("arn:aws:iam::{THIRD_PARTY}:role/vendor")),
        ("AWS", format!("arn:aws:iam::{THIRD_PARTY}:user/bob")),
        ("Service", "events.amazonaws.com".to_owned()),
        ("Service", "s3.amazonaws.com".to_owned()),
        ("Service", "autoscaling.amazonaws.com".to_owned()),
        ("Service", "lambda.amazonaws.com".to_owned()),
        (
            "Federated",
            format!("arn:aws:iam::{owner}:oidc-provider/token.actions.githubusercontent.com"),
        ),
        (
            "Federated",
            format!(
                "arn:aws:iam::{owner}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE1"
            ),
        ),
        ("Federated", "cognito-identity.amazonaws.com".to_owned()),
        ("Federated", "accounts.google.com".to_owned()),
        (
            "Federated",
            format!("arn:aws:iam::{owner}:saml-provider/corp"),
        ),
    ]
}

const POLICY_ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "sts:AssumeRoleWithSAML",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:Assume*",
    "sts:*",
];

fn operators(fam: Fam) -> &'static [&'static str] {
    match fam {
        Fam::Str => &[
            "StringEquals",
            "StringNotEquals",
            "StringLike",
            "StringNotLike",
            "StringEqualsIgnoreCase",
            "StringNotEqualsIgnoreCase",
        ],
        Fam::Arn => &[
            "ArnLike",
            "ArnEquals",
            "ArnNotLike",
            "ArnNotEquals",
            "StringLike",
            "StringEquals",
        ],
        Fam::Num => &[
            "NumericLessThan",
            "NumericGreaterThanEquals",
            "NumericEquals",
        ],
        Fam::Date => &["DateLessThan", "DateGreaterThan"],
        Fam::Bool => &["Bool"],
        Fam::Ip => &["IpAddress", "NotIpAddress"],
    }
}

/// One condition: `(operator, key, value)`.
fn condition(owner: &str) -> BoxedStrategy<(String, String, Value)> {
    let owner = owner.to_owned();
    (
        0..KEY_POOL.len(),
        any::<usize>(),
        0u8..12,
        proptest::bool::weighted(0.15),
        vec_of(any::<usize>(), 1..=2),
        0u8..2,
    )
        .prop_map(move |(k, op, qualifier, if_exists, picks, null)| {
            let (key, fam, values) =
                KEY_POOL
                    .get(k)
                    .copied()
                    .unwrap_or(("aws:SourceAccount", Fam::Str, &["*"]));
            let ops = operators(fam);
            let base = ops
                .get(op % ops.len().max(1))
                .copied()
                .unwrap_or("StringEquals");
            if qualifier == 11 {
                let v = if null == 0 { "true" } else { "false" };
                return ("Null".to_owned(), key.to_owned(), json!(v));
            }
            let set_key = matches!(key, "aws:TagKeys" | "cognito-identity.amazonaws.com:amr");
            let prefix = match (qualifier, set_key, fam) {
                (_, _, Fam::Bool | Fam::Num | Fam::Date | Fam::Ip) => "",
                (0..=4, true, _) => "ForAnyValue:",
                (5..=7, true, _) => "ForAllValues:",
                (0, false, _) => "ForAnyValue:",
                (1, false, _) => "ForAllValues:",
                _ => "",
            };
            let suffix = if if_exists { "IfExists" } else { "" };
            let mut vals: Vec<String> = Vec::new();
            for p in picks {
                if let Some(v) = values.get(p % values.len().max(1)) {
                    push_unique(&mut vals, v.replace("{owner}", &owner));
                }
            }
            let value = match vals.as_slice() {
                [one] => json!(one),
                _ => json!(vals),
            };
            (format!("{prefix}{base}{suffix}"), key.to_owned(), value)
        })
        .boxed()
}

/// Statements of generated policies (JSON), with the effect drawn by `shape.deny`, or fixed.
pub fn statements(shape: &PolicyShape, effect: Option<Effect>) -> BoxedStrategy<Value> {
    let pool = principal_pool(&shape.owner);
    let principal = Union::new_weighted(vec![
        (1, Just(json!("*")).boxed()),
        (
            6,
            vec_of(select(pool), 1..=3)
                .prop_map(|entries| {
                    let mut map = Map::new();
                    for (kind, value) in entries {
                        match map.get_mut(kind) {
                            None => {
                                map.insert(kind.to_owned(), json!(value));
                            }
                            Some(Value::String(s)) if *s != value => {
                                let first = s.clone();
                                map.insert(kind.to_owned(), json!([first, value]));
                            }
                            Some(Value::Array(list)) if !list.contains(&json!(value)) => {
                                list.push(json!(value));
                            }
                            _ => {}
                        }
                    }
                    Value::Object(map)
                })
                .boxed(),
        ),
    ]);
    let action = Union::new_weighted(vec![
        (4, Just(json!("sts:AssumeRole")).boxed()),
        (2, select(POLICY_ACTIONS).prop_map(|a| json!(a)).boxed()),
        (
            2,
            proptest::sample::subsequence(POLICY_ACTIONS.to_vec(), 1..=3)
                .prop_map(|v| json!(v))
                .boxed(),
        ),
    ]);
    let effect = match effect {
        Some(e) => Just(e).boxed(),
        None => proptest::bool::weighted(shape.deny)
            .prop_map(|deny| if deny { Effect::Deny } else { Effect::Allow })
            .boxed(),
    };
    (
        effect,
        principal,
        action,
        proptest::bool::weighted(0.1),
        vec_of(condition(&shape.owner), 0..=shape.max_conditions),
        proptest::option::weighted(0.2, 0u32..100),
    )
        .prop_map(|(effect, principal, action, not_action, conditions, sid)| {
            let mut s = Map::new();
            if let Some(n) = sid {
                s.insert("Sid".to_owned(), json!(format!("S{n}")));
            }
            s.insert("Effect".to_owned(), json!(effect.as_str()));
            s.insert("Principal".to_owned(), principal);
            if not_action {
                s.insert("NotAction".to_owned(), json!("sts:TagSession"));
            } else {
                s.insert("Action".to_owned(), action);
            }
            if !conditions.is_empty() {
                let mut block: Map<String, Value> = Map::new();
                for (op, key, value) in conditions {
                    let entry = block.entry(op).or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(m) = entry {
                        if !m.keys().any(|k| k.eq_ignore_ascii_case(&key)) {
                            m.insert(key, value);
                        }
                    }
                }
                s.insert("Condition".to_owned(), Value::Object(block));
            }
            Value::Object(s)
        })
        .boxed()
}

/// Arbitrary well-formed trust policies of the default [`PolicyShape`]: principals of every
/// kind (`"*"`, the owner, a third party, services, identity providers), STS actions and
/// wildcards, `NotAction`, and conditions of every operator family (with `IfExists`,
/// `ForAnyValue:` / `ForAllValues:` and `Null`) on the keys that trust policies read, with
/// values that meet (`*`, prefixes, the owner's account) and miss.
pub fn trust_policies() -> BoxedStrategy<GeneratedPolicy> {
    trust_policies_with(&PolicyShape::default())
}

/// [`trust_policies`] of the given shape.
pub fn trust_policies_with(shape: &PolicyShape) -> BoxedStrategy<GeneratedPolicy> {
    let (min, max) = (shape.min_statements.max(1), shape.max_statements.max(1));
    (
        vec_of(statements(shape, None), min..=max.max(min)),
        proptest::bool::weighted(0.1),
    )
        .prop_filter_map("the parser rejects the policy", |(list, single)| {
            let statement = match (single, list.as_slice()) {
                (true, [one]) => one.clone(),
                _ => Value::Array(list),
            };
            GeneratedPolicy::from_document(json!({"Version": "2012-10-17", "Statement": statement}))
        })
        .boxed()
}

// ------------------------------------------------------------------ requests

/// Callers for requests: the principals the policy trusts (or callers they trust: a role's
/// sessions, principals of a trusted account), and others.
fn caller_pool(aim: &Aim, owner: &str) -> BoxedStrategy<Principal> {
    let mut trusted: Vec<Principal> = Vec::new();
    let mut others: Vec<Principal> = Vec::new();
    let mut accounts: Vec<String> = vec![owner.to_owned(), THIRD_PARTY.to_owned()];
    for id in &aim.iam {
        let p = id.partition.as_deref().unwrap_or("aws");
        match &id.kind {
            IamKind::Account => push_unique(&mut accounts, id.account.clone()),
            IamKind::Role { name, .. } => {
                if let Ok(c) = Principal::infer(&format!(
                    "arn:{p}:sts::{}:assumed-role/{name}/s",
                    id.account
                )) {
                    trusted.push(c);
                }
            }
            _ => trusted.push(Principal::Aws(id.clone())),
        }
    }
    for s in &aim.services {
        trusted.push(Principal::Service(s.clone()));
    }
    for f in &aim.providers {
        trusted.push(Principal::Federated(f.clone()));
    }
    for s in ["events.amazonaws.com", "s3.amazonaws.com"] {
        let p = Principal::Service(s.to_owned());
        if !trusted.contains(&p) {
            others.push(p);
        }
    }
    let google = Principal::Federated("accounts.google.com".to_owned());
    if !trusted.contains(&google) {
        others.push(google);
    }
    let in_account = (
        select(accounts),
        0u8..3,
        iam_name(aim),
        session_name(),
        text(DIGITS, 12, 12),
        proptest::bool::weighted(0.2),
    )
        .prop_filter_map(
            "not a principal",
            |(a, kind, name, session, random, fresh)| {
                let a = if fresh { random } else { a };
                let arn = match kind {
                    0 => format!("arn:aws:sts::{a}:assumed-role/{name}/{session}"),
                    1 => format!("arn:aws:iam::{a}:user/{name}"),
                    _ => format!("arn:aws:iam::{a}:root"),
                };
                Principal::infer(&arn).ok()
            },
        );
    let mut arms: Vec<(u32, BoxedStrategy<Principal>)> = vec![(2, in_account.boxed())];
    if !others.is_empty() {
        arms.push((1, select(others).boxed()));
    }
    if !trusted.is_empty() {
        arms.push((4, select(trusted).boxed()));
    }
    Union::new_weighted(arms).boxed()
}

/// A context key in a request: its name, its values, and whether it is multivalued (`None`:
/// absent).
type ContextEntry = Option<(String, Vec<String>, bool)>;

/// A caller, with the `aws:SourceAccount` and `aws:SourceArn` it sends (services).
type SourcedCaller = (Principal, Option<(String, String)>);

/// One key's value in a request: absent, one value, or (for keys read by set operators, or
/// sometimes) several.
fn context_value(aim: &Aim, key: &KeyFacts, absent: u32) -> BoxedStrategy<ContextEntry> {
    let name = key.name.clone();
    let (n1, n2) = (name.clone(), name);
    let value = if key.folded == "aws:sourceip" {
        Union::new(vec![
            address(Some(key)),
            chosen(aim, Some(key)),
            select(
                key.networks
                    .iter()
                    .map(|n| n.ip().to_string())
                    .chain(std::iter::once("203.0.113.9".to_owned()))
                    .collect::<Vec<_>>(),
            )
            .boxed(),
        ])
        .boxed()
    } else if matches!(key.folded.as_str(), "aws:currenttime" | "aws:epochtime") {
        Union::new(vec![later(Some(key)), chosen(aim, Some(key))]).boxed()
    } else {
        chosen(aim, Some(key))
    };
    Union::new_weighted(vec![
        (absent, Just(None).boxed()),
        (
            if key.multi { 1 } else { 4 },
            value
                .clone()
                .prop_map(move |v| Some((n1.clone(), vec![v], false)))
                .boxed(),
        ),
        (
            if key.multi { 3 } else { 1 },
            vec_of(value, 0..=3)
                .prop_map(move |v| Some((n2.clone(), v, true)))
                .boxed(),
        ),
    ])
    .boxed()
}

/// Requests from `caller_pool`, with each of the aim's keys absent (weight `absent`, against 5
/// for present).
fn requests_for(aim: Aim, owner: &str, absent: u32) -> BoxedStrategy<Request> {
    let values: Vec<BoxedStrategy<ContextEntry>> = aim
        .keys
        .iter()
        .map(|k| context_value(&aim, k, absent))
        .collect();
    let owner = owner.to_owned();
    (
        caller_pool(&aim, &owner),
        Union::new_weighted(vec![
            (3, Just("sts:AssumeRole").boxed()),
            (2, select(ACTIONS).boxed()),
        ]),
        proptest::bool::weighted(0.3),
        values,
    )
        .prop_filter_map(
            "the request did not build",
            move |(principal, action, role, values)| {
                let mut b = Request::builder(principal).action(action);
                if role {
                    b = b.role(&format!("arn:aws:iam::{owner}:role/target"));
                }
                for (key, vals, multi) in values.into_iter().flatten() {
                    b = if multi {
                        b.context_many(&key, vals)
                    } else {
                        b.context(&key, vals.into_iter().next().unwrap_or_default())
                    };
                }
                b.build().ok()
            },
        )
        .boxed()
}

/// Arbitrary well-formed requests: IAM callers of the owner's, the third party's and random
/// accounts, services and identity providers; every STS action; and any of the keys
/// [`trust_policies`] reads, absent, single or multivalued, with values near the ones those
/// policies write. `owner` names the owner account (the role's, when a role ARN is given).
pub fn requests(owner: &str) -> BoxedStrategy<Request> {
    let mut aim = Aim {
        owner: Some(owner.to_owned()),
        keys: Vec::new(),
        texts: Vec::new(),
        excluded: BTreeSet::new(),
        named_accounts: BTreeSet::new(),
        digit_runs: Vec::new(),
        near_words: Vec::new(),
        iam_names: vec!["admin".to_owned(), "vendor".to_owned(), "bob".to_owned()],
        everyone: false,
        services: Vec::new(),
        iam: Vec::new(),
        providers: Vec::new(),
    };
    for (key, fam, values) in KEY_POOL {
        let values: Vec<String> = values.iter().map(|v| v.replace("{owner}", owner)).collect();
        aim.texts.extend(values.iter().cloned());
        aim.keys.push(KeyFacts {
            name: (*key).to_owned(),
            folded: trustsim_conditions::key::fold(key),
            patterns: if matches!(fam, Fam::Str | Fam::Arn) {
                values.clone()
            } else {
                Vec::new()
            },
            networks: if *fam == Fam::Ip {
                values.iter().filter_map(|v| v.parse().ok()).collect()
            } else {
                Vec::new()
            },
            values,
            multi: matches!(*key, "aws:TagKeys" | "cognito-identity.amazonaws.com:amr"),
        });
    }
    requests_for(aim, owner, 20)
}

/// Requests aimed at one policy, from any caller (not only attackers): the principals it
/// trusts (and others), any action, and every key its conditions read, absent or with values
/// built from its own (wildcards filled, near misses, addresses near its networks, ...). Good
/// for comparing two policies, or a policy and a transformed copy, where random requests would
/// almost all be denied.
pub fn requests_near(policy: &TrustPolicy, owner: &str) -> BoxedStrategy<Request> {
    requests_for(Aim::of(policy, Some(owner)), owner, 1)
}

/// Requests of the owner's own legitimate kinds, which no threat's attacker sends: each service
/// the policy trusts working for the owner (`aws:SourceAccount` the owner, `aws:SourceArn` a
/// resource of the owner's account), and principals of the owner's account. Other keys the
/// policy reads are absent or take values near the policy's.
pub fn owner_requests(policy: &TrustPolicy, owner: &str) -> BoxedStrategy<Request> {
    let aim = Aim::of(policy, Some(owner));
    let mut callers: Vec<(u32, BoxedStrategy<SourcedCaller>)> = Vec::new();
    let owner_s = owner.to_owned();
    let owner_principals = (0u8..3, iam_name(&aim), session_name()).prop_filter_map(
        "not a principal",
        move |(kind, name, session)| {
            let arn = match kind {
                0 => format!("arn:aws:sts::{owner_s}:assumed-role/{name}/{session}"),
                1 => format!("arn:aws:iam::{owner_s}:user/{name}"),
                _ => format!("arn:aws:iam::{owner_s}:root"),
            };
            Principal::infer(&arn).ok().map(|p| (p, None))
        },
    );
    callers.push((1, owner_principals.boxed()));
    for service in &aim.services {
        let namespaces = crate::analysis::scenario::service_names(policy, service);
        let source_arn = aim.key("aws:sourcearn");
        let resource = match source_arn {
            Some(k) => chosen(&aim, Some(k)),
            None => text(WORD_CHARS, 1, 8),
        };
        let (service, owner_s) = (service.clone(), owner.to_owned());
        let namespaces = if namespaces.is_empty() {
            vec!["events".to_owned()]
        } else {
            namespaces
        };
        callers.push((
            1,
            (select(namespaces), select(REGIONS), resource)
                .prop_map(move |(ns, region, resource)| {
                    let tail = resource
                        .rsplit_once(':')
                        .map_or(resource.clone(), |(_, t)| t.to_owned());
                    (
                        Principal::Service(service.clone()),
                        Some((
                            owner_s.clone(),
                            format!("arn:aws:{ns}:{region}:{owner_s}:{tail}"),
                        )),
                    )
                })
                .boxed(),
        ));
    }
    let values: Vec<BoxedStrategy<ContextEntry>> = aim
        .keys
        .iter()
        .filter(|k| k.folded != "aws:sourceaccount" && k.folded != "aws:sourcearn")
        .map(|k| context_value(&aim, k, 1))
        .collect();
    (Union::new_weighted(callers), values)
        .prop_filter_map(
            "the request did not build",
            |((principal, source), values)| {
                let mut b = Request::builder(principal);
                if let Some((account, arn)) = source {
                    b = b
                        .context("aws:SourceAccount", account)
                        .context("aws:SourceArn", arn);
                }
                for (key, vals, multi) in values.into_iter().flatten() {
                    b = if multi {
                        b.context_many(&key, vals)
                    } else {
                        b.context(&key, vals.into_iter().next().unwrap_or_default())
                    };
                }
                b.build().ok()
            },
        )
        .boxed()
}

// ------------------------------------------------------------------ equivalent variants

/// SplitMix64, for the shuffles of the equivalence transforms.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, list: &mut [T]) {
        for i in (1..list.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            list.swap(i, j);
        }
    }

    fn recase(&mut self, s: &str) -> String {
        s.chars()
            .map(|c| {
                if self.next() % 2 == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    }

    fn shuffle_map(&mut self, map: Map<String, Value>) -> Map<String, Value> {
        let mut entries: Vec<(String, Value)> = map.into_iter().collect();
        self.shuffle(&mut entries);
        entries.into_iter().collect()
    }
}

fn shuffle_list(v: &mut Value, mix: &mut Mix) {
    if let Value::Array(list) = v {
        mix.shuffle(list);
    }
}

/// The document with its statements, principals, actions, condition operators, keys and values
/// reordered, and its condition key names re-cased, as `seed` says. An equivalent policy.
pub fn equivalent_document(document: &Value, seed: u64) -> Value {
    let mut mix = Mix(seed);
    let mut doc = document.clone();
    let Some(statements) = doc.get_mut("Statement") else {
        return doc;
    };
    shuffle_list(statements, &mut mix);
    let list: Vec<&mut Value> = match statements {
        Value::Array(items) => items.iter_mut().collect(),
        obj @ Value::Object(_) => vec![obj],
        _ => Vec::new(),
    };
    for s in list {
        let Some(obj) = s.as_object_mut() else {
            continue;
        };
        if let Some(Value::Object(p)) = obj.get_mut("Principal") {
            for v in p.values_mut() {
                shuffle_list(v, &mut mix);
            }
            let shuffled = mix.shuffle_map(std::mem::take(p));
            *p = shuffled;
        }
        for k in ["Action", "NotAction"] {
            if let Some(v) = obj.get_mut(k) {
                shuffle_list(v, &mut mix);
            }
        }
        if let Some(Value::Object(cond)) = obj.get_mut("Condition") {
            let mut blocks = Map::new();
            for (op, keys) in mix.shuffle_map(std::mem::take(cond)) {
                let keys = match keys {
                    Value::Object(keys) => {
                        let mut out = Map::new();
                        for (k, mut v) in mix.shuffle_map(keys) {
                            shuffle_list(&mut v, &mut mix);
                            out.insert(mix.recase(&k), v);
                        }
                        Value::Object(out)
                    }
                    other => other,
                };
                blocks.insert(op, keys);
            }
            *cond = blocks;
        }
        let shuffled = mix.shuffle_map(std::mem::take(obj));
        *obj = shuffled;
    }
    doc
}

/// Equivalent variants of a document ([`equivalent_document`] with drawn seeds).
pub fn equivalent_documents(document: &Value) -> BoxedStrategy<Value> {
    let doc = document.clone();
    any::<u64>()
        .prop_map(move |seed| equivalent_document(&doc, seed))
        .boxed()
}

/// The request with its context key names re-cased and its multivalued keys' values
/// reordered, as `seed` says. An equivalent request.
pub fn equivalent_request(request: &Request, seed: u64) -> Request {
    let mut mix = Mix(seed);
    let mut json = request.to_json();
    if let Some(Value::Object(ctx)) = json.get_mut("context") {
        let mut out = Map::new();
        for (k, mut v) in mix.shuffle_map(std::mem::take(ctx)) {
            shuffle_list(&mut v, &mut mix);
            out.insert(mix.recase(&k), v);
        }
        *ctx = out;
    }
    Request::from_value(&json).unwrap_or_else(|_| request.clone())
}

/// Equivalent variants of a request ([`equivalent_request`] with drawn seeds).
pub fn equivalent_requests(request: &Request) -> BoxedStrategy<Request> {
    let r = request.clone();
    any::<u64>()
        .prop_map(move |seed| equivalent_request(&r, seed))
        .boxed()
}
