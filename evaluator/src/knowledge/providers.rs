//! Identity providers by who can obtain a token from them (`data/identity_providers.tsv`):
//! `public` issuers give anyone a token for an identity of their own (the `federated` threat's
//! attacker is the open internet); `tenant` issuers are scoped to one tenant by their URL (the
//! attacker is whoever the tenant admits); `owner-run` is an IAM SAML provider (any user the
//! owner's IdP assigns to the role: informational, `provider-wide`).

use std::sync::OnceLock;

const TABLE: &str = include_str!("../../data/identity_providers.tsv");

/// Who can obtain a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Anyone with an account at the provider.
    Public,
    /// The identities one tenant admits.
    Tenant,
    /// The owner's own SAML identity provider.
    OwnerRun,
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    /// The issuer (host and path, `*` for one tenant-specific part without `/`).
    pub issuer: &'static str,
    /// Who can obtain a token.
    pub class: Class,
    /// Who is inside, in words.
    pub inside: &'static str,
    /// The pages.
    pub citation: &'static str,
}

/// Every row of the table.
pub fn table() -> &'static [Provider] {
    static ROWS: OnceLock<Vec<Provider>> = OnceLock::new();
    ROWS.get_or_init(|| {
        super::rows(TABLE)
            .filter_map(|r| match r.as_slice() {
                [issuer, class, inside, citation] => Some(Provider {
                    issuer,
                    class: match *class {
                        "public" => Class::Public,
                        "tenant" => Class::Tenant,
                        "owner-run" => Class::OwnerRun,
                        _ => return None,
                    },
                    inside,
                    citation,
                }),
                _ => None,
            })
            .collect()
    })
}

/// Does `text` match `pattern`, where `*` stands for one run of characters without `/`? (The
/// conditions crate's symbolic matcher, with the run kept inside one path segment.)
fn matches(pattern: &str, text: &str) -> bool {
    use trustsim_conditions::symbolic::{self, Tok};
    let toks: Vec<Tok> = pattern
        .chars()
        .map(|c| match c {
            '*' => Tok::Run(Some('/')),
            c => Tok::Char(c),
        })
        .collect();
    symbolic::matches(&toks, text)
}

/// The row for a provider: the issuer after `oidc-provider/` in its ARN, a built-in web
/// identity provider's name (`accounts.google.com`), or a `saml-provider/` ARN. An exact row
/// wins over a pattern. `None`: an issuer the table does not know.
pub fn classify(provider: &str) -> Option<&'static Provider> {
    let issuer = match provider.split_once(":oidc-provider/") {
        Some((_, host)) => host,
        None => match provider.split_once(":saml-provider/") {
            Some(_) => "saml-provider/x",
            None => provider,
        },
    };
    let issuer = issuer.strip_prefix("https://").unwrap_or(issuer);
    table()
        .iter()
        .find(|p| p.issuer == issuer)
        .or_else(|| table().iter().find(|p| matches(p.issuer, issuer)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_whole_and_cited() {
        assert_eq!(
            super::super::header(TABLE),
            ["issuer", "class", "inside", "citation"]
        );
        assert_eq!(super::super::rows(TABLE).count(), table().len());
        for p in table() {
            assert!(p.citation.contains("https://"), "{p:?}");
            assert!(!p.inside.is_empty(), "{p:?}");
            // Each row classifies its own issuer (patterns: with a tenant filled in).
            let example = p.issuer.replace('*', "tenant1");
            assert_eq!(classify(&example).map(|x| x.class), Some(p.class), "{p:?}");
        }
    }

    #[test]
    fn exact_rows_win_and_tenants_are_one_segment() {
        let gh =
            classify("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com");
        assert_eq!(gh.map(|p| p.class), Some(Class::Public));
        let ent = classify("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com/octo-enterprise");
        assert_eq!(ent.map(|p| p.class), Some(Class::Tenant));
        let eks = classify(
            "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123",
        );
        assert_eq!(eks.map(|p| p.class), Some(Class::Tenant));
        let consumer =
            classify("login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0");
        assert_eq!(consumer.map(|p| p.class), Some(Class::Public));
        let saml = classify("arn:aws:iam::111122223333:saml-provider/AWSSSO_abc_DO_NOT_DELETE");
        assert_eq!(saml.map(|p| p.class), Some(Class::OwnerRun));
        assert_eq!(
            classify("arn:aws:iam::111122223333:oidc-provider/idp.example.com"),
            None
        );
        // `*` does not cross a `/`.
        assert_eq!(classify("oidc.eks.a/b.amazonaws.com/id/x"), None);
    }
}
