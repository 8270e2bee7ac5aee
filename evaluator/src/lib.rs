//! trustsim-evaluator: AWS IAM role trust policies, and the concrete evaluation of simulated
//! `sts:AssumeRole*` requests against them.
//!
//! ```
//! use trustsim_evaluator::{evaluate, Decision, Principal, Request, TrustPolicy};
//!
//! let policy = TrustPolicy::from_json(r#"{
//!   "Version": "2012-10-17",
//!   "Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
//!                  "Action": "sts:AssumeRole",
//!                  "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]
//! }"#)?;
//! let forged = Request::builder(Principal::Service("events.amazonaws.com".into()))
//!     .context("aws:SourceAccount", "444455556666")
//!     .build()?;
//! assert_eq!(evaluate(&policy, &forged).decision, Decision::ImplicitDeny);
//! # Ok::<(), trustsim_evaluator::PolicyError>(())
//! ```
//!
//! Flow: JSON text → [`TrustPolicy`] (validated, operators parsed, patterns compiled, every
//! element with its JSON Pointer) → [`evaluate`] / [`decide`] against a [`Request`].
//!
//! With the cargo feature `proptest`, the module `testing` is a property-testing kit: strategies
//! for attacker requests, policies and requests, and assertion helpers (see `docs/library.md`).

pub mod analysis;
pub mod eval;
pub mod facts;
pub mod json;
pub mod knowledge;
pub mod limits;
pub mod pointer;
pub mod policy;
pub mod principal;
pub mod request;
pub mod sources;
#[cfg(feature = "proptest")]
pub mod testing;

pub use analysis::{analyze, Analysis, AnalysisOptions, Threat, ThreatResult, Verdict};
pub use eval::{
    decide, evaluate, ActionDecision, ConditionTrace, Decision, Evaluation, StatementTrace,
};
pub use pointer::Pointer;
pub use policy::{Effect, PolicyError, PolicyPrincipal, PolicyWarning, Statement, TrustPolicy};
pub use principal::{IamIdentity, IamKind};
pub use request::{Principal, Request, RequestBuilder, RequestError};
pub use trustsim_conditions as conditions;

/// The library guide, `docs/library.md`: its examples run as doctests.
#[cfg(all(doctest, feature = "proptest"))]
#[doc = include_str!("../../docs/library.md")]
pub struct LibraryGuide;
