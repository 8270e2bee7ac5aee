//! trustsim-conditions: IAM condition operators with AWS's documented semantics.
//!
//! This crate knows context values and condition operators and nothing about policies. Give it
//! an operator as written in a policy (`"ForAllValues:StringNotEqualsIfExists"`), a key, the
//! policy's values, and a request context; it says true or false and why.
//!
//! ```
//! use trustsim_conditions::{CompileOptions, Condition, ContextMap};
//!
//! let cond = Condition::compile(
//!     "StringEquals",
//!     "aws:SourceAccount",
//!     &["111122223333"],
//!     CompileOptions::default(),
//! )?;
//! let mut ctx = ContextMap::new();
//! ctx.insert("AWS:SourceAccount", "444455556666");
//! let outcome = cond.evaluate(&ctx);
//! assert!(!outcome.result);
//! assert_eq!(
//!     cond.explain(&outcome, &ctx),
//!     "`444455556666` equals none of `111122223333`, so `StringEquals` is false"
//! );
//! # Ok::<(), trustsim_conditions::ConditionError>(())
//! ```
//!
//! Layout: [`operator`] parses operator names; [`family`] holds one positive comparison per
//! operator family; [`apply`] is the one place that combines comparisons (OR over values,
//! negation, `ForAllValues:` / `ForAnyValue:`, `IfExists`, `Null`, absent keys);
//! [`symbolic`] is each family's view for analyses (patterns and representative values);
//! [`wildcard`] is the linear-time `*` / `?` matcher; [`variables`] resolves `${...}`.
//! The table of every operator is in `docs/operators.md`.

pub mod apply;
pub mod arn;
pub mod condition;
pub mod err;
pub mod family;
pub mod key;
pub mod operator;
pub mod symbolic;
pub mod variables;
pub mod wildcard;

pub use apply::{Outcome, Reason};
pub use condition::{CompileOptions, Condition, Values};
pub use err::{ConditionError, ConditionWarning};
pub use key::{ConditionKey, Context, ContextMap};
pub use operator::{BaseOperator, Comparison, Family, Operator, SetQualifier};
pub use variables::PolicyVersion;
pub use wildcard::Pattern;
