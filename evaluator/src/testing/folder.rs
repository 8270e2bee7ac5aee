//! The property-testing kit: roles of a folder.

use super::*;

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

/// Every role in the trust policies, CloudFormation templates, Terraform plans and modules and
/// account exports of a folder and its subfolders, read as `trustsim analyze` reads a folder
/// ([`crate::sources::scan`]: files ending in `.json`, `.yaml`, `.yml`, `.template`, `.tf`,
/// `.tf.json` or `.tfvars`, in path order). Files that are none of these inputs (a request,
/// say) are skipped; a file that cannot be read, or a trust policy that does not parse, is a
/// [`Failure`] naming it. A template role that is not deployed under its parameter values is
/// left out; one whose conditions the values do not decide gives a role for each policy it can
/// deploy with, named `Role (when IsProd is false)`.
pub fn load_roles(dir: impl AsRef<Path>, owner: Option<&str>) -> Result<Vec<LoadedRole>, Failure> {
    let options = crate::sources::ScanOptions {
        allow_empty: true,
        deployment: crate::sources::Deployment {
            owner: owner.map(str::to_owned),
            ..Default::default()
        },
        ..Default::default()
    };
    let report = crate::sources::scan(&[dir.as_ref()], &options);
    if !report.errors.is_empty() {
        let errors: Vec<String> = report
            .errors
            .iter()
            .map(|e| crate::sources::error_text(e))
            .collect();
        return Err(Failure::new(errors.join("\n")));
    }
    let mut out = Vec::new();
    for found in report.roles {
        let role = found
            .read()
            .map_err(|e| Failure::new(crate::sources::error_text(&e)))?;
        // A template whose conditions are undecided: each deployable policy is a role.
        let variants: Vec<(String, &Value)> = if role.branches.is_empty() {
            vec![(role.name.clone(), &role.document)]
        } else {
            role.branches
                .iter()
                .map(|b| (format!("{} ({})", role.name, b.label()), &b.document))
                .collect()
        };
        for (name, document) in variants {
            let policy = TrustPolicy::from_value(document)
                .map_err(|e| Failure::new(format!("{}: {e}", role.source)))?;
            out.push(LoadedRole {
                name,
                source: role.source.clone(),
                account: role.account.clone().or_else(|| owner.map(str::to_owned)),
                policy,
            });
        }
    }
    Ok(out)
}
