//! The solver predicates of a key: its conditions' symbolic view, compiled, and predicates on
//! keys derived from an IAM caller lifted onto the caller's ARN.

use super::*;

/// The solver predicates of a condition: its symbolic view (`trustsim_conditions::symbolic`),
/// compiled. A pattern longer than the solver takes makes the search inexact.
pub(super) fn globs_of(cond: &Condition, which: Source<'_>, limits: &mut Limits) -> Vec<Glob> {
    let mut out = Vec::new();
    for (_, toks) in symbolic::patterns(cond, which) {
        match Glob::new(toks) {
            Some(g) => out.push(g),
            None => limits.truncated = true,
        }
    }
    out
}

/// A predicate on a key derived from an IAM caller, as a predicate on the caller's
/// `aws:PrincipalArn` (`arn:aws:iam::ACCOUNT:role/NAME`, `...:user/NAME`, `...:root`).
/// `arn:aws:iam::*:user/*`, `arn:aws:iam::*:role/*` and `arn:aws:iam::*:root`: predicates that
/// tell the forms of an IAM caller's ARN apart.
pub(super) fn caller_form_globs(partition: &str) -> Vec<Glob> {
    let lit = |s: &str| s.chars().map(Tok::Char).collect::<Vec<_>>();
    [":user/", ":role/", ":root"]
        .iter()
        .filter_map(|form| {
            let mut t = lit(&format!("arn:{partition}:iam::"));
            t.push(Tok::Run(Some(':')));
            t.extend(lit(form));
            if form.ends_with('/') {
                t.push(Tok::Run(None));
            }
            Glob::new(t)
        })
        .collect()
}

pub(super) fn lift(folded: &str, g: &Glob, partition: &str) -> Vec<Glob> {
    let lit = |s: &str| s.chars().map(Tok::Char).collect::<Vec<_>>();
    let head = lit(&format!("arn:{partition}:iam::"));
    let mut out: Vec<Vec<Tok>> = Vec::new();
    match folded {
        "aws:principalaccount" => {
            let mut t = head.clone();
            t.extend(g.tokens().iter().copied());
            t.push(Tok::Char(':'));
            t.push(Tok::Run(None));
            out.push(t);
        }
        "aws:username" => {
            // `user/NAME` or `user/PATH/NAME`: the name is the part after the last `/`.
            let name: Vec<Tok> = g
                .tokens()
                .iter()
                .map(|t| match t {
                    Tok::Run(_) => Tok::Run(Some('/')),
                    Tok::One(_) => Tok::One(Some('/')),
                    t => *t,
                })
                .collect();
            for with_path in [false, true] {
                let mut t = head.clone();
                t.push(Tok::Run(Some(':')));
                t.extend(lit(":user/"));
                if with_path {
                    t.push(Tok::Run(None));
                    t.push(Tok::Char('/'));
                }
                t.extend(name.iter().copied());
                out.push(t);
            }
        }
        "aws:principaltype" => {
            let text: Option<String> = g
                .tokens()
                .iter()
                .map(|t| match t {
                    Tok::Char(c) | Tok::Fold(c) => Some(*c),
                    _ => None,
                })
                .collect();
            let mut t = head.clone();
            t.push(Tok::Run(Some(':')));
            match text.map(|x| x.to_ascii_lowercase()).as_deref() {
                Some("assumedrole") => {
                    t.extend(lit(":role/"));
                    t.push(Tok::Run(None));
                }
                Some("user") => {
                    t.extend(lit(":user/"));
                    t.push(Tok::Run(None));
                }
                Some("account") => t.extend(lit(":root")),
                _ => return Vec::new(),
            }
            out.push(t);
        }
        _ => {}
    }
    out.into_iter().filter_map(Glob::new).collect()
}

/// Keys whose value follows from the caller (`facts::CALLER_KEYS`).
pub(super) fn is_derived(folded: &str) -> bool {
    crate::facts::is_caller_key(folded)
}
