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

/// Every role in the trust policies, CloudFormation templates, Terraform plans and account
/// exports of a folder and its subfolders (files ending in `.json`, `.yaml`, `.yml` or
/// `.template`, in path order). Files that are none of these inputs (a request, say) are
/// skipped; a file that cannot be read, or a trust policy that does not parse, is a
/// [`Failure`] naming it. A template role that is not deployed under its parameter values is
/// left out; one whose conditions the values do not decide gives a role for each policy it can
/// deploy with, named `Role (when IsProd is false)`.
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
            // A role the template does not deploy has no policy to test.
            if role.document.is_null() {
                continue;
            }
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
    }
    Ok(out)
}

pub(super) fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Failure> {
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
