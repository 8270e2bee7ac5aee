//! One catalogue of request facts, read by the request builder, the evaluator, the analysis
//! and the property-testing kit: the keys derived from the caller, the actions a request
//! implies, and the services that stand for "any AWS service" through `"*"`.

/// Keys whose value follows from the caller's ARN alone (IAM User Guide, "AWS global condition
/// context keys": `aws:PrincipalArn` is the role's ARN for a role session, `aws:username` is
/// present for IAM users only, `aws:PrincipalServiceName` for service principals). The analysis
/// lifts predicates on them onto the caller's ARN instead of looking them up in the provenance
/// table.
pub const CALLER_KEYS: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principaltype",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:username",
];

/// Keys the request builder derives from the caller: [`CALLER_KEYS`] and `aws:userid`, which
/// it derives for an account's root (the account ID) only.
pub const DERIVED_KEYS: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principaltype",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:userid",
    "aws:username",
];

/// Is the folded key one of [`CALLER_KEYS`]?
pub fn is_caller_key(folded: &str) -> bool {
    CALLER_KEYS.contains(&folded)
}

/// Does a request with this folded context key pass session tags (and so also need
/// `sts:TagSession`)? IAM User Guide, "Pass session tags in AWS STS": session tags, and
/// transitive tag keys, are passed only with permission for `sts:TagSession`.
pub fn passes_session_tags(folded: &str, values: &[String]) -> bool {
    (folded.starts_with("aws:requesttag/")
        || folded == "aws:tagkeys"
        || folded == "sts:transitivetagkeys")
        && !values.is_empty()
}

/// Does this folded context key set a source identity (and so also need
/// `sts:SetSourceIdentity`)? IAM User Guide, "Monitor and control actions taken with assumed
/// roles": setting a source identity needs permission for `sts:SetSourceIdentity`.
pub fn sets_source_identity(folded: &str) -> bool {
    folded == "sts:sourceidentity"
}

/// The actions a request implies besides its own (lower-cased `action`): `sts:TagSession` when
/// it passes session tags, `sts:SetSourceIdentity` when it sets a source identity. Each as
/// (spelling, lower case).
pub fn implied_actions(
    action: &str,
    tags: bool,
    source_identity: bool,
) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if tags && action != "sts:tagsession" {
        out.push(("sts:TagSession", "sts:tagsession"));
    }
    if source_identity && action != "sts:setsourceidentity" {
        out.push(("sts:SetSourceIdentity", "sts:setsourceidentity"));
    }
    out
}

/// Service principals that stand for "any AWS service" reached through `"*"`, in the order they
/// are tried. They are principals of services that assume roles, from the service pages of the
/// IAM User Guide ("AWS services that work with IAM") and the confused-deputy pages of the
/// services that send `aws:SourceAccount`.
pub const STAR_SERVICES: &[&str] = &[
    "events.amazonaws.com",
    "sns.amazonaws.com",
    "s3.amazonaws.com",
    "logs.amazonaws.com",
    "firehose.amazonaws.com",
    "states.amazonaws.com",
    "scheduler.amazonaws.com",
    "cloudformation.amazonaws.com",
    "codebuild.amazonaws.com",
    "codepipeline.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "sagemaker.amazonaws.com",
    "glue.amazonaws.com",
    "backup.amazonaws.com",
    "config.amazonaws.com",
    "ssm.amazonaws.com",
    "apigateway.amazonaws.com",
    "batch.amazonaws.com",
    "datasync.amazonaws.com",
    "elasticmapreduce.amazonaws.com",
    "eks.amazonaws.com",
    "pods.eks.amazonaws.com",
    "bedrock.amazonaws.com",
    "edgelambda.amazonaws.com",
    "monitoring.rds.amazonaws.com",
    "iot.amazonaws.com",
    "autoscaling.amazonaws.com",
];
