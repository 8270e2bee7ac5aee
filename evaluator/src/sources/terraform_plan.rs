//! The JSON of `terraform show -json` (a plan or state): `aws_iam_role` resources.

use serde_json::Value;

use super::{embedded_error, Role};
use crate::pointer::Pointer;
use crate::policy::PolicyError;

pub(super) fn terraform(
    value: &Value,
    text: &str,
    file: &str,
    owner: Option<&str>,
) -> Result<Vec<Role>, PolicyError> {
    type Found = (String, Value, Option<String>, Pointer);
    let mut found: Vec<Found> = Vec::new();
    fn walk(module: &Value, at: &Pointer, out: &mut Vec<Found>) {
        for (i, r) in module
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if r.get("type").and_then(Value::as_str) != Some("aws_iam_role")
                || r.get("mode").and_then(Value::as_str) == Some("data")
            {
                continue;
            }
            let address = r
                .get("address")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if out.iter().any(|(a, _, _, _)| *a == address) {
                continue;
            }
            let values = r.get("values").cloned().unwrap_or(Value::Null);
            let arn = values.get("arn").and_then(Value::as_str).map(str::to_owned);
            let p = at.key("resources").index(i).key("values");
            out.push((address, values, arn, p));
        }
        for (i, child) in module
            .get("child_modules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            walk(child, &at.key("child_modules").index(i), out);
        }
    }
    if let Some(root) = value
        .get("planned_values")
        .and_then(|p| p.get("root_module"))
    {
        let at = Pointer::root().key("planned_values").key("root_module");
        walk(root, &at, &mut found);
    }
    if let Some(root) = value
        .get("prior_state")
        .and_then(|p| p.get("values"))
        .and_then(|p| p.get("root_module"))
    {
        let at = Pointer::root()
            .key("prior_state")
            .key("values")
            .key("root_module");
        walk(root, &at, &mut found);
    }
    let mut out = Vec::new();
    let lines = super::lines::field_lines(text, "address");
    for (address, values, arn, at) in found {
        let account = arn
            .as_deref()
            .and_then(|a| crate::principal::IamIdentity::parse(a).ok())
            .map(|id| id.account)
            .or_else(|| owner.map(str::to_owned));
        let (document, notes) = match values.get("assume_role_policy") {
            Some(Value::String(s)) => (
                crate::json::parse(s, &format!("the assume_role_policy of {address}")).map_err(
                    |e| {
                        embedded_error(
                            &at.key("assume_role_policy"),
                            &e,
                            "fix the policy in the Terraform source (`jsonencode` or `aws_iam_policy_document` write valid JSON) and run `terraform show -json` again",
                        )
                    },
                )?,
                Vec::new(),
            ),
            Some(v @ Value::Object(_)) => (v.clone(), Vec::new()),
            _ => (
                Value::Null,
                vec!["assume_role_policy is not known until apply".to_owned()],
            ),
        };
        let path = values
            .get("path")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                arn.as_deref()
                    .and_then(crate::knowledge::managed::path_of_arn)
            });
        out.push(Role {
            path,
            arn: arn.clone(),
            ignores: Vec::new(),
            name: address.clone(),
            source: format!("{file}#{address}"),
            line: lines.get(&address).copied(),
            account,
            partition: arn.as_deref().and_then(crate::analysis::partition::of_arn),
            document,
            notes,
            ..Role::default()
        });
    }
    Ok(out)
}

// ------------------------------------------------------------------ account export
