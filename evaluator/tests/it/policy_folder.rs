//! Example: a security test for a folder of trust policies. Copy this file into your crate's
//! `tests/`, set `POLICIES` and `OWNER`, and add to your `Cargo.toml`:
//!
//! ```toml
//! [dev-dependencies]
//! trustsim-evaluator = { version = "0.1", features = ["proptest"] }
//! proptest = "1"
//! ```
//!
//! `cargo test` then fails when a change to a policy lets an attacker in: a trusted AWS service
//! working for another account (forged-service), or any principal of an account the policies do
//! not name (public). Each threat is checked twice: by the analysis (exhaustive within its
//! model, with a witness and a fix when it fails) and by property testing (attacker requests
//! aimed at each policy's own values, with the trace of the request that gets in). The folder
//! may hold trust policies, CloudFormation templates (JSON or YAML), Terraform plans and
//! `aws iam get-account-authorization-details` exports; other files are skipped.
//!
//! (In this repository the kit is behind the `proptest` feature of this crate, hence the `cfg`
//! line below; a copy in your crate needs neither it nor the `allow` line.)

#![cfg(feature = "proptest")]
// This repository's lints deny panics outside `#[test]` functions; a test helper may panic.
#![allow(
    clippy::panic,
    reason = "a test helper fails the test when the folder cannot be read"
)]

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use trustsim_evaluator::testing::{
    assert_no_forged_service, attacker_requests, load_roles, AttackerRequest, Check, Failure,
    LoadedRole,
};
use trustsim_evaluator::{prop_assert_denied, Threat};

/// The folder of trust policies and templates.
const POLICIES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/policies");

/// The account the roles live in.
const OWNER: &str = "111122223333";

fn roles() -> Vec<LoadedRole> {
    let roles = load_roles(POLICIES, Some(OWNER)).unwrap_or_else(|f| panic!("{f}"));
    assert!(!roles.is_empty(), "no role found in {POLICIES}");
    roles
}

/// By the analysis: no role is exposed (or partly exposed) to either threat. A failure names
/// the role and shows the analysis's witness request, its trace, and a fix.
#[test]
fn no_role_is_exposed_by_the_analysis() -> Result<(), Failure> {
    let check = Check::new().owner(OWNER);
    for role in roles() {
        assert_no_forged_service(&role.policy).map_err(|f| f.context(&role.source))?;
        check
            .analysis(&role.policy, Threat::Public)
            .map_err(|f| f.context(&role.source))?;
    }
    Ok(())
}

/// A role of the folder, and a request an attacker of `threat` sends against it.
fn attacks(threat: Threat) -> impl Strategy<Value = (LoadedRole, AttackerRequest)> {
    proptest::sample::select(roles()).prop_flat_map(move |role| {
        let attack = attacker_requests(&role.policy, threat, Some(OWNER));
        (Just(role), attack)
    })
}

proptest! {
    // Failing cases are saved next to this file and tried first on the next run.
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    /// By property testing: no forged-service request gets in.
    #[test]
    fn no_forged_service_request_gets_in((role, attack) in attacks(Threat::ForgedService)) {
        prop_assert_denied!(role.policy, attack.request, "{} ({})", role.source, attack.scenario);
    }

    /// By property testing: no request from an account of its own gets in.
    #[test]
    fn no_public_request_gets_in((role, attack) in attacks(Threat::Public)) {
        prop_assert_denied!(role.policy, attack.request, "{} ({})", role.source, attack.scenario);
    }
}
