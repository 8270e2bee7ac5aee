//! Key provenance: for each threat, which context keys the attacker's request carries and who
//! sets each one. This is the one table the analysis reads; `docs/threats.md` shows it.
//!
//! Value templates are literal text with placeholders:
//! - `{chosen}`: any string the attacker picks; `{name}`: a non-empty one.
//! - `{account}`: the attacker's own 12-digit account ID (fresh).
//! - `{org}`: its organization ID, `o-...` (fresh).
//! - `{tenant}`: its own organization or namespace at an identity provider (fresh).
//! - `{id}`, `{id2}`: identifiers a service or provider assigns to the attacker (fresh).
//! - `{region}`: an AWS Region the attacker picks; `{service}`: the trusted service's namespace.
//! - `{partition}`: the role's partition (`aws`, `aws-cn`, ...), where every attacker lives.
//! - `{ip}`: the attacker's address, outside the owner's ranges; `{now}`: a time from now on.
//! - `|` separates alternative forms.
//!
//! Kinds: `value` (present), `optional` (the attacker may leave it out), `service` (present or
//! absent depending on the service, not on the attacker), `set` / `optional-set` (multivalued),
//! `absent`, `existential` (set by a party the owner trusts to behave, e.g. a third party's own
//! tags: whatever the legitimate request carries).
//!
//! Sources (IAM User Guide unless noted):
//! - G: "AWS global condition context keys" (reference_policies_condition-keys.html): availability
//!   of each `aws:` key; the Source keys are present only "if accessing a resource triggers an
//!   AWS service to call another service on behalf of the resource owner".
//! - CD: "The confused deputy problem" (confused-deputy.html): aws:SourceArn, aws:SourceAccount,
//!   aws:SourceOrgID, aws:SourceOrgPaths in role trust policies for services.
//! - STS: Service Authorization Reference, "Actions, resources, and condition keys for AWS
//!   Security Token Service" (sts:ExternalId, sts:RoleSessionName, sts:SourceIdentity,
//!   sts:TransitiveTagKeys, aws:RequestTag, aws:TagKeys are request parameters: the caller's).
//! - EXT: "Access to AWS accounts owned by third parties" (id_roles_common-scenarios_third-party.html):
//!   the third party assigns a unique ExternalId per customer.
//! - OIDC: "Available keys for AWS OIDC federation" (reference_policies_iam-condition-keys.html#condition-keys-wif)
//!   and GitHub's "Configuring OpenID Connect in Amazon Web Services" (sub = `repo:ORG/REPO:...`).
//! - EKS: Amazon EKS User Guide, "Assign IAM roles to Kubernetes service accounts"
//!   (sub = `system:serviceaccount:NAMESPACE:NAME`).
//! - COG: Amazon Cognito Developer Guide, "IAM roles" (aud = identity pool ID, amr =
//!   authenticated / unauthenticated).
//! - GH: GitHub Docs, "OpenID Connect reference", "Customizing the subject claims for an
//!   organization or repository": the subject is the included claims as `key:value` pairs joined
//!   by `:`, in the template's order, and any organization or repository admin sets its own
//!   template.
//! - SAML: "Available keys for SAML-based AWS STS federation" (saml:aud is the AWS sign-in
//!   endpoint).
//! - SAR-GH: Service Authorization Reference, "Actions, resources, and condition keys for AWS
//!   Security Token Service", condition keys table: the GitHub claims AWS STS maps to condition
//!   keys are `actor`, `actor_id`, `enterprise_id`, `environment`, `job_workflow_ref`, `ref`,
//!   `repository`, `repository_id`, `repository_owner_id` and `workflow` (besides the generic
//!   `sub` and `aud` of OIDC). These keys are recent (2026); GitHub's "Configuring OpenID
//!   Connect in Amazon Web Services" still says "Support for custom claims for OIDC is
//!   unavailable in AWS", so whether AWS passes each of them is not settled: their rows are of
//!   kind `service` (both worlds). A GitHub claim the reference does not list
//!   (`repository_owner`, `workflow_ref`, `ref_type`, ...) is not documented as passed at all.
//!
//! Claims of the trusted provider that have no row here are not documented as condition keys
//! for that provider; [`UNKNOWN_CLAIM`] stands for them (present with a value the attacker picks,
//! or absent), and a verdict that needs one present says so in its residual.

use super::Threat;

/// How a key's value arises in an attacker's request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Always present with the template's value.
    Value,
    /// Present or absent, as the attacker likes.
    Optional,
    /// Present or absent depending on the party the attacker goes through, not on the attacker:
    /// a service that may omit its source keys, a third party that may not implement
    /// ExternalId, a provider claim AWS may not pass. The search tries the world where the key
    /// is present first, and then the world where each such key may be absent (a residual
    /// names the absent keys); documented services always send theirs.
    Service,
    /// A set of template values, possibly empty.
    Set,
    /// A set, or absent.
    OptionalSet,
    /// Never present.
    Absent,
    /// Whatever a trusted party's legitimate request carries (may be absent).
    Existential,
}

/// One row: for `threat`, the key (or key prefix ending in `/`, or a provider claim given as
/// `:claim` after the provider host) is of `kind` with value `template`.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    /// The threat.
    pub threat: Threat,
    /// Key name, lower case; a prefix when it ends in `/`; a claim suffix when it starts with `:`.
    pub key: &'static str,
    /// How it is set.
    pub kind: Kind,
    /// The value template.
    pub template: &'static str,
    /// The source (see the module docs).
    pub source: &'static str,
}

macro_rules! rows {
    ($($threat:ident $key:literal $kind:ident $template:literal $source:literal;)*) => {
        /// The provenance table.
        pub const TABLE: &[Row] = &[$(Row {
            threat: Threat::$threat,
            key: $key,
            kind: Kind::$kind,
            template: $template,
            source: $source,
        }),*];
    };
}

rows! {
    // Any AWS principal in an account of its own.
    Public "aws:principalorgid" Optional "{org}" "G: aws:PrincipalOrgID, present when the account is in an organization";
    Public "aws:principalorgpaths" OptionalSet "{org}/{chosen}" "G: aws:PrincipalOrgPaths";
    Public "aws:principaltag/" Optional "{chosen}" "G: aws:PrincipalTag, the caller's own tags";
    Public "aws:resourcetag/" Existential "{chosen}" "G: aws:ResourceTag, the role's own tags (the owner's)";
    Public "aws:resourceaccount" Existential "{chosen}" "G: aws:ResourceAccount, the role's account (the owner's)";
    Public "aws:resourceorgid" Existential "{chosen}" "G: aws:ResourceOrgID (the owner's)";
    Public "aws:resourceorgpaths" Existential "{chosen}" "G: aws:ResourceOrgPaths (the owner's)";
    Public "sts:externalid" Optional "{chosen}" "STS: request parameter ExternalId";
    Public "sts:rolesessionname" Value "{chosen}" "STS: request parameter RoleSessionName (required)";
    Public "sts:sourceidentity" Optional "{chosen}" "STS: request parameter SourceIdentity";
    Public "aws:sourceidentity" Optional "{chosen}" "G: aws:SourceIdentity, set by an earlier hop the attacker made";
    Public "aws:requesttag/" Optional "{chosen}" "STS: session tags are request parameters";
    Public "aws:tagkeys" OptionalSet "{chosen}" "STS: session tag keys";
    Public "sts:transitivetagkeys" OptionalSet "{chosen}" "STS: request parameter TransitiveTagKeys";
    Public "sts:durationseconds" Value "{chosen}" "STS: request parameter DurationSeconds";
    Public "aws:multifactorauthpresent" Optional "{chosen}" "G: the attacker authenticates its own principal, with or without MFA";
    Public "aws:multifactorauthage" Optional "{chosen}" "G: aws:MultiFactorAuthAge";
    Public "aws:tokenissuetime" Optional "{chosen}" "G: aws:TokenIssueTime, present for temporary credentials";
    Public "aws:currenttime" Value "{now}" "G: the attacker picks when to call, now or later";
    Public "aws:epochtime" Value "{now}" "G: the attacker picks when to call, now or later";
    Public "aws:requestedregion" Value "{region}" "G: the Region the attacker calls";
    Public "aws:securetransport" Value "true" "G: STS is reached over TLS";
    Public "aws:sourceip" Value "{ip}" "G: the attacker's own address, outside the owner's ranges";
    Public "aws:useragent" Value "{chosen}" "G: aws:UserAgent, sent by the caller";
    Public "aws:referer" Optional "{chosen}" "G: aws:referer, sent by the caller";
    Public "aws:userid" Value "{chosen}" "G: aws:userid of the attacker's own principal";
    Public "aws:viaawsservice" Value "false" "G: a direct call";
    Public "aws:sourcevpc" Optional "vpc-{id}" "G: aws:SourceVpc, when the attacker calls through a VPC endpoint of its own";
    Public "aws:sourcevpce" Optional "vpce-{id2}" "G: aws:SourceVpce, the attacker's own endpoint";
    Public "aws:vpcsourceip" Optional "{chosen}" "G: aws:VpcSourceIp, an address in the attacker's own VPC";

    // An AWS service the policy trusts, working for the attacker's account.
    ForgedService "aws:sourceaccount" Service "{account}" "CD, G: the account the service acts for";
    ForgedService "aws:sourcearn" Service "arn:{partition}:{service}:{region}:{account}:{chosen}|arn:{partition}:{service}::{account}:{chosen}|arn:{partition}:{service}:::{id}" "CD, G: the resource the service acts for (regional, global, or an S3-style ARN without account, whose name is the attacker's own)";
    ForgedService "aws:sourceorgid" Optional "{org}" "CD, G: present when the attacker's account is in an organization";
    ForgedService "aws:sourceorgpaths" OptionalSet "{org}/{chosen}" "CD, G: aws:SourceOrgPaths";
    ForgedService "aws:resourcetag/" Existential "{chosen}" "G: the role's own tags (the owner's)";
    ForgedService "aws:resourceaccount" Existential "{chosen}" "G: the role's account (the owner's)";
    ForgedService "aws:requesttag/" Optional "{chosen}" "services such as EKS Pod Identity tag sessions from the attacker's own resources";
    ForgedService "aws:tagkeys" OptionalSet "{chosen}" "as aws:RequestTag";
    ForgedService "sts:rolesessionname" Value "{chosen}" "the service names the session, often after the attacker's resource";
    ForgedService "aws:currenttime" Value "{now}" "G: the attacker picks when to call, now or later";
    ForgedService "aws:epochtime" Value "{now}" "G: the attacker picks when to call, now or later";
    ForgedService "aws:securetransport" Value "true" "G";
    ForgedService "aws:requestedregion" Value "{region}" "G";

    // A third party the policy trusts, acting for another of its customers.
    ConfusedDeputy "sts:externalid" Service "{id}" "EXT: the deputy sends the ExternalId it assigned to the attacker, unique per customer";
    ConfusedDeputy "sts:rolesessionname" Existential "{chosen}" "the deputy names its sessions";
    ConfusedDeputy "sts:sourceidentity" Existential "{chosen}" "the deputy's own choice";
    ConfusedDeputy "aws:sourceidentity" Existential "{chosen}" "G: set by the deputy's earlier hop";
    ConfusedDeputy "aws:principaltag/" Existential "{chosen}" "the deputy's own tags";
    ConfusedDeputy "aws:principalorgid" Existential "{chosen}" "the deputy's own organization";
    ConfusedDeputy "aws:principalorgpaths" OptionalSet "{chosen}" "the deputy's own organization";
    ConfusedDeputy "aws:multifactorauthpresent" Existential "{chosen}" "the deputy's own sign-in";
    ConfusedDeputy "aws:multifactorauthage" Existential "{chosen}" "the deputy's own sign-in";
    ConfusedDeputy "aws:tokenissuetime" Existential "{chosen}" "the deputy's own credentials";
    ConfusedDeputy "aws:sourceip" Existential "{chosen}" "the deputy's own address";
    ConfusedDeputy "aws:requesttag/" Existential "{chosen}" "the deputy's own session tags";
    ConfusedDeputy "aws:tagkeys" OptionalSet "{chosen}" "the deputy's own session tags";
    ConfusedDeputy "sts:transitivetagkeys" OptionalSet "{chosen}" "the deputy's own session tags";
    ConfusedDeputy "sts:durationseconds" Existential "{chosen}" "the deputy's own request";
    ConfusedDeputy "aws:resourcetag/" Existential "{chosen}" "the role's own tags";
    ConfusedDeputy "aws:resourceaccount" Existential "{chosen}" "the role's account";
    ConfusedDeputy "aws:userid" Existential "{chosen}" "the deputy's own principal";
    ConfusedDeputy "aws:currenttime" Value "{now}" "G: the attacker picks when to call, now or later";
    ConfusedDeputy "aws:epochtime" Value "{now}" "G: the attacker picks when to call, now or later";
    ConfusedDeputy "aws:securetransport" Value "true" "G";
    ConfusedDeputy "aws:requestedregion" Value "{region}" "G";
    ConfusedDeputy "aws:viaawsservice" Value "false" "G";
    ConfusedDeputy "aws:sourcevpc" Existential "{chosen}" "the deputy's own network";
    ConfusedDeputy "aws:sourcevpce" Existential "{chosen}" "the deputy's own network";
    ConfusedDeputy "aws:vpcsourceip" Existential "{chosen}" "the deputy's own network";

    // Any identity of a trusted identity provider. Provider claims are matched by suffix.
    Federated "token.actions.githubusercontent.com:sub" Value "repo:{tenant}/{chosen}|repository:{tenant}/{chosen}|repository_owner:{tenant}|repository_owner:{tenant}:{chosen}|job_workflow_ref:{tenant}/{chosen}|workflow_ref:{tenant}/{chosen}|actor:{tenant}|actor:{tenant}:{chosen}|workflow:{chosen}|environment:{chosen}|ref:{chosen}|context:{chosen}|event_name:{chosen}|ref_type:{chosen}" "OIDC, GH: sub is repo:ORG/REPO:... by default; an organization or repository that customizes its subject template (include_claim_keys) gets KEY:VALUE:... with its first included claim first, and the values of workflow, environment, ref, context, event_name and ref_type are its own choice";
    Federated "token.actions.githubusercontent.com:repository" Service "{tenant}/{chosen}" "SAR-GH: repository, the attacker's own repository";
    Federated "token.actions.githubusercontent.com:repository_owner" Service "{tenant}" "GitHub: repository_owner; not in SAR-GH, so not documented as passed";
    Federated "token.actions.githubusercontent.com:job_workflow_ref" Service "{tenant}/{chosen}" "SAR-GH: job_workflow_ref, a workflow of the attacker's own repository";
    Federated "token.actions.githubusercontent.com:actor" Service "{id}" "SAR-GH: actor, the attacker's own GitHub login";
    Federated "token.actions.githubusercontent.com:actor_id" Service "{id2}" "SAR-GH: actor_id, the ID GitHub assigned to the attacker's login";
    Federated "token.actions.githubusercontent.com:repository_id" Service "{id3}" "SAR-GH: repository_id, the ID GitHub assigned to the attacker's repository";
    Federated "token.actions.githubusercontent.com:repository_owner_id" Service "{id4}" "SAR-GH: repository_owner_id, the ID GitHub assigned to the attacker's organization";
    Federated "token.actions.githubusercontent.com:enterprise_id" Optional "{id5}" "SAR-GH: enterprise_id, present only for an organization in an enterprise (the attacker's own, or none)";
    Federated "token.actions.githubusercontent.com:environment" Optional "{chosen}" "SAR-GH: environment, present only for a job that names one (the attacker names its own)";
    Federated "token.actions.githubusercontent.com:ref" Service "{chosen}" "SAR-GH: ref, a branch or tag of the attacker's repository";
    Federated "token.actions.githubusercontent.com:workflow" Service "{chosen}" "SAR-GH: workflow, the name of the attacker's workflow";
    Federated "token.actions.githubusercontent.com:aud" Value "{chosen}" "OIDC: STS checks aud against the provider's client IDs, which every GitHub repository shares (sts.amazonaws.com)";
    Federated "gitlab.com:sub" Value "project_path:{tenant}/{chosen}" "GitLab ID tokens: sub is project_path:GROUP/PROJECT:...";
    Federated "gitlab.com:namespace_path" Value "{tenant}" "GitLab ID tokens";
    Federated "gitlab.com:project_path" Value "{tenant}/{chosen}" "GitLab ID tokens";
    Federated "gitlab.com:aud" Value "{chosen}" "OIDC";
    Federated "app.terraform.io:sub" Value "organization:{tenant}:{chosen}" "HCP Terraform workload identity: sub is organization:ORG:project:...";
    Federated "app.terraform.io:aud" Value "{chosen}" "OIDC";
    Federated "cognito-identity.amazonaws.com:aud" Value "{region}:{id}" "COG: aud is the identity pool ID; the attacker uses a pool of its own";
    Federated "cognito-identity.amazonaws.com:sub" Value "{region}:{id2}" "COG: the identity ID Cognito assigns";
    Federated "cognito-identity.amazonaws.com:amr" Set "{chosen}" "COG: authenticated or unauthenticated, and the login provider";
    Federated "accounts.google.com:aud" Value "{id}" "OIDC: the attacker's own OAuth client ID";
    Federated "accounts.google.com:oaud" Value "{id}" "OIDC";
    Federated "accounts.google.com:sub" Value "{id2}" "OIDC: the attacker's Google account ID";
    Federated "accounts.google.com:azp" Value "{id}" "OIDC";
    Federated "accounts.google.com:email" Value "{chosen}" "OIDC";
    Federated "graph.facebook.com:app_id" Value "{id}" "OIDC: the attacker's own app";
    Federated "graph.facebook.com:id" Value "{id2}" "OIDC";
    Federated "www.amazon.com:app_id" Value "{id}" "OIDC: the attacker's own app";
    Federated "www.amazon.com:user_id" Value "{id2}" "OIDC";
    Federated "saml:aud" Value "https://signin.aws.amazon.com/saml" "SAML: the AWS sign-in endpoint";
    Federated ":sub" Value "{id}" "OIDC: the subject the provider issues to the attacker, which is not one the policy names";
    Federated ":aud" Value "{chosen}" "OIDC: STS checks aud against the provider's client IDs before the trust policy";
    Federated "saml:sub" Value "{id}" "SAML: the attacker's own subject at the identity provider";
    Federated "saml:" Value "{chosen}" "SAML: attributes of the attacker's own user";
    Federated "aws:requesttag/" Optional "{chosen}" "session tags come from the attacker's claims";
    Federated "aws:tagkeys" OptionalSet "{chosen}" "session tags come from the attacker's claims";
    Federated "sts:rolesessionname" Value "{chosen}" "STS: request parameter";
    Federated "sts:sourceidentity" Optional "{chosen}" "from the attacker's claims";
    Federated "aws:sourceidentity" Optional "{chosen}" "G: from the attacker's claims";
    Federated "aws:currenttime" Value "{now}" "G: the attacker picks when to call, now or later";
    Federated "aws:epochtime" Value "{now}" "G: the attacker picks when to call, now or later";
    Federated "aws:securetransport" Value "true" "G";
    Federated "aws:sourceip" Value "{ip}" "G: the attacker's own address";
    Federated "aws:requestedregion" Value "{region}" "G";
    Federated "aws:resourcetag/" Existential "{chosen}" "the role's own tags";
    Federated "aws:resourceaccount" Existential "{chosen}" "the role's account";

    // Any principal of a trusted account (informational).
    AccountWide "aws:principaltag/" Optional "{chosen}" "G: the principal's tags, set in that account";
    AccountWide "aws:principalorgid" Existential "{chosen}" "the account's organization";
    AccountWide "aws:principalorgpaths" OptionalSet "{chosen}" "the account's organization";
    AccountWide "sts:externalid" Optional "{chosen}" "STS: request parameter";
    AccountWide "sts:rolesessionname" Value "{chosen}" "STS: request parameter";
    AccountWide "sts:sourceidentity" Optional "{chosen}" "STS: request parameter";
    AccountWide "aws:sourceidentity" Optional "{chosen}" "G: set by an earlier hop";
    AccountWide "aws:requesttag/" Optional "{chosen}" "STS: request parameter";
    AccountWide "aws:tagkeys" OptionalSet "{chosen}" "STS: request parameter";
    AccountWide "sts:transitivetagkeys" OptionalSet "{chosen}" "STS: request parameter";
    AccountWide "sts:durationseconds" Value "{chosen}" "STS: request parameter";
    AccountWide "aws:multifactorauthpresent" Optional "{chosen}" "G";
    AccountWide "aws:multifactorauthage" Optional "{chosen}" "G";
    AccountWide "aws:tokenissuetime" Optional "{chosen}" "G";
    AccountWide "aws:currenttime" Value "{now}" "G: the attacker picks when to call, now or later";
    AccountWide "aws:epochtime" Value "{now}" "G: the attacker picks when to call, now or later";
    AccountWide "aws:sourceip" Existential "{chosen}" "the principal's own address";
    AccountWide "aws:securetransport" Value "true" "G";
    AccountWide "aws:requestedregion" Value "{region}" "G";
    AccountWide "aws:resourcetag/" Existential "{chosen}" "the role's own tags";
    AccountWide "aws:resourceaccount" Existential "{chosen}" "the role's account";
    AccountWide "aws:userid" Value "{chosen}" "G";
    AccountWide "aws:viaawsservice" Value "false" "G";
    AccountWide "aws:sourcevpc" Existential "{chosen}" "the principal's own network";
    AccountWide "aws:sourcevpce" Existential "{chosen}" "the principal's own network";
    AccountWide "aws:vpcsourceip" Existential "{chosen}" "the principal's own network";
}

/// Services whose own documentation shows them setting `aws:SourceAccount` / `aws:SourceArn`
/// when they assume a customer's role (a forged request from them always carries the keys).
/// Others may omit the keys; a condition on them then protects only if it fails on an absent key.
/// Sources: the services' "Cross-service confused deputy prevention" pages (EC2 Auto Scaling,
/// Amazon Personalize, AWS IoT, AppStream 2.0, AWS FIS via Resilience Hub, Incident Manager,
/// SageMaker Unified Studio for DataZone, Lake Formation and Glue, Fraud Detector).
pub const SERVICES_SENDING_SOURCE_KEYS: &[&str] = &[
    "autoscaling.amazonaws.com",
    "personalize.amazonaws.com",
    "iot.amazonaws.com",
    "appstream.amazonaws.com",
    "fis.amazonaws.com",
    "ssm-incidents.amazonaws.com",
    "datazone.amazonaws.com",
    "lakeformation.amazonaws.com",
    "glue.amazonaws.com",
    "frauddetector.amazonaws.com",
];

/// The first two services of the table of services that assume a role only after
/// `iam:PassRole` (`knowledge::services`, which the analysis reads).
#[deprecated(note = "use trustsim_evaluator::knowledge::services::requires_pass_role")]
pub const SERVICES_REQUIRING_PASS_ROLE: &[&str] = &["ec2.amazonaws.com", "lambda.amazonaws.com"];

/// AWS Regions an attacker can pick (AWS General Reference, "AWS Regions"); patterns can only
/// tell Regions apart by name, so this list is the whole of the attacker's choice.
pub const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-south-1",
    "eu-south-2",
    "eu-north-1",
    "il-central-1",
    "me-south-1",
    "me-central-1",
    "mx-central-1",
    "sa-east-1",
    "ap-east-2",
    "ap-southeast-6",
];

/// The subject of an EKS cluster's OIDC provider: `system:serviceaccount:NAMESPACE:NAME` for a
/// service account other than the ones the policy names (EKS).
pub const EKS_SUB: Row = Row {
    threat: Threat::Federated,
    key: ":sub",
    kind: Kind::Value,
    template: "system:serviceaccount:{tenant}:{name}",
    source: "EKS: sub is system:serviceaccount:NAMESPACE:NAME; the attacker's pod runs in its own namespace and names its service account as it likes",
};

/// The row of a claim of the trusted provider that AWS does not document as a condition key for
/// that provider: it may be absent (AWS does not pass it) or, if AWS passes it, hold a value the
/// attacker picks (its meaning is not modelled, so no value is assumed to be the owner's own).
pub const UNKNOWN_CLAIM: Row = Row {
    threat: Threat::Federated,
    key: ":",
    kind: Kind::Service,
    template: "{chosen}",
    source: "a claim AWS does not document as a condition key for this provider",
};

/// The row for `key` (lower case) under `threat`, for a caller trusted through `provider`
/// (the OIDC host or SAML provider, for federated keys).
///
/// For account-wide trust the callers are the account's existing principals, whose names are
/// theirs (fresh), not chosen.
pub fn lookup(threat: Threat, key: &str, provider: Option<&str>) -> Option<&'static Row> {
    // A provider's own claims (`accounts.google.com:aud`, `saml:sub`) exist only in requests
    // from that provider.
    let host = provider.map(trustsim_conditions::key::fold);
    let applies = |r: &Row| {
        if r.key.starts_with("aws:") || r.key.starts_with("sts:") || r.key.starts_with(':') {
            return true;
        }
        match &host {
            Some(h) if r.key.starts_with("saml:") => h.contains(":saml-provider/"),
            Some(h) => r.key.starts_with(h.as_str()),
            None => false,
        }
    };
    let rows = TABLE
        .iter()
        .filter(|r| r.threat == threat)
        .filter(|r| applies(r));
    if let Some(r) = rows.clone().find(|r| r.key == key) {
        return Some(r);
    }
    if let Some(r) = rows
        .clone()
        .filter(|r| r.key.ends_with('/') || r.key.ends_with(':'))
        .find(|r| key.starts_with(r.key) && key.len() > r.key.len())
    {
        return Some(r);
    }
    // A provider claim: `<provider>:<claim>` where the provider is the one trusted.
    let host = provider.map(trustsim_conditions::key::fold)?;
    let claim = key.strip_prefix(host.as_str())?;
    if claim == ":sub" && host.starts_with("oidc.eks.") {
        return Some(&EKS_SUB);
    }
    if let Some(r) = rows
        .filter(|r| r.key.starts_with(':'))
        .find(|r| r.key == claim)
    {
        return Some(r);
    }
    // Any other claim of the trusted OIDC provider (not a SAML attribute: `saml:` rows cover
    // those).
    (threat == Threat::Federated && claim.starts_with(':') && !host.contains(":saml-provider/"))
        .then_some(&UNKNOWN_CLAIM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_a_source_and_a_known_template() {
        for r in TABLE {
            assert!(!r.source.is_empty(), "{}", r.key);
            let mut t = r.template.to_owned();
            for v in [
                "{chosen}",
                "{name}",
                "{account}",
                "{org}",
                "{tenant}",
                "{id2}",
                "{id3}",
                "{id4}",
                "{id5}",
                "{id}",
                "{region}",
                "{service}",
                "{partition}",
                "{now}",
                "{ip}",
            ] {
                t = t.replace(v, "");
            }
            assert!(
                !t.contains('{') && !t.contains('}'),
                "unknown placeholder in {}",
                r.template
            );
            assert_eq!(r.key, r.key.to_lowercase(), "keys are stored lower-cased");
            // A fresh value must follow literal text (Regions and services are expanded to
            // literals first), so that its entry state is known.
            for alt in r.template.split('|') {
                let mut seen_open = false;
                for piece in alt.split('{').skip(1) {
                    let var = piece.split('}').next().unwrap_or("");
                    let fresh = matches!(
                        var,
                        "account" | "org" | "tenant" | "id" | "id2" | "id3" | "id4" | "id5"
                    );
                    assert!(
                        !(fresh && seen_open),
                        "fresh `{var}` after a variable part in {}",
                        r.template
                    );
                    if !matches!(var, "region" | "service" | "partition") && !fresh {
                        seen_open = true;
                    }
                    if fresh {
                        seen_open = true;
                    }
                }
            }
        }
    }

    #[test]
    fn lookups_by_name_prefix_and_provider() {
        assert_eq!(
            lookup(Threat::ForgedService, "aws:sourceaccount", None).map(|r| r.kind),
            Some(Kind::Service)
        );
        assert_eq!(
            lookup(Threat::Public, "aws:principaltag/team", None).map(|r| r.kind),
            Some(Kind::Optional)
        );
        assert_eq!(
            lookup(Threat::Public, "aws:sourceaccount", None).map(|r| r.kind),
            None
        );
        let eks = "oidc.eks.us-east-1.amazonaws.com/id/ABC";
        assert_eq!(
            lookup(
                Threat::Federated,
                &format!("{eks}:sub").to_lowercase(),
                Some(eks)
            )
            .map(|r| r.template),
            Some("system:serviceaccount:{tenant}:{name}")
        );
        assert_eq!(
            lookup(
                Threat::Federated,
                "gitlab.example.com:sub",
                Some("gitlab.example.com")
            )
            .map(|r| r.template),
            Some("{id}")
        );
        assert_eq!(
            lookup(
                Threat::Federated,
                "token.actions.githubusercontent.com:sub",
                Some("token.actions.githubusercontent.com")
            )
            .map(|r| r.template.split('|').next()),
            Some(Some("repo:{tenant}/{chosen}"))
        );
        assert_eq!(
            lookup(
                Threat::Federated,
                "saml:sub",
                Some("arn:aws:iam::1:saml-provider/x")
            )
            .map(|r| r.template),
            Some("{id}")
        );
        assert_eq!(
            lookup(
                Threat::Federated,
                "saml:edupersonaffiliation",
                Some("arn:aws:iam::1:saml-provider/x")
            )
            .map(|r| r.template),
            Some("{chosen}")
        );
        assert!(
            lookup(Threat::Federated, "saml:sub", Some("accounts.google.com")).is_none(),
            "SAML keys only for SAML providers"
        );
        assert!(
            lookup(
                Threat::Federated,
                "token.actions.githubusercontent.com:sub",
                Some("accounts.google.com")
            )
            .is_none(),
            "another provider's claims are absent"
        );
    }
}
