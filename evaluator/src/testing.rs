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
use std::path::Path;
use std::sync::Arc;

pub use proptest;

use proptest::collection::vec as vec_of;
use proptest::prelude::{any, Just, Strategy};
use proptest::sample::select;
use proptest::strategy::{BoxedStrategy, Union};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde_json::{json, Map, Value};
use trustsim_conditions::{Family, Pattern, Values};

use crate::analysis::provenance::{self, Kind, REGIONS, SERVICES_SENDING_SOURCE_KEYS};
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

mod aim;
mod attackers;
mod callers;
mod checks;
mod failures;
mod folder;
mod fresh;
mod policies;
mod requests;
mod templates;
mod text;
mod variants;

use aim::*;
pub use attackers::*;
use callers::*;
pub use checks::*;
pub use failures::*;
pub use folder::*;
use fresh::*;
pub use policies::*;
pub use requests::*;
use templates::*;
use text::*;
pub use variants::*;
