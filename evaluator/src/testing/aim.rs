//! The property-testing kit: what a policy says.

use super::*;

/// One key the policy's conditions read.
#[derive(Clone, Debug)]
pub(super) struct KeyFacts {
    /// As first written.
    pub(super) name: String,
    pub(super) folded: String,
    /// Every value written on it.
    pub(super) values: Vec<String>,
    /// Values under String and ARN operators.
    pub(super) patterns: Vec<String>,
    /// Networks of IP operators (not the whole address space).
    pub(super) networks: Vec<ipnetwork::IpNetwork>,
    /// Read by a set operator.
    pub(super) multi: bool,
}

/// What the strategies aim at.
#[derive(Clone, Debug)]
pub(super) struct Aim {
    pub(super) owner: Option<String>,
    pub(super) keys: Vec<KeyFacts>,
    /// Every condition value.
    pub(super) texts: Vec<String>,
    /// Values no fresh value takes: literals of String and ARN conditions, their pieces between
    /// `:` and `/`, and their tails after a separator.
    pub(super) excluded: BTreeSet<String>,
    /// Accounts the policy names anywhere, and the owner's.
    pub(super) named_accounts: BTreeSet<String>,
    /// Digit runs to aim fresh accounts at.
    pub(super) digit_runs: Vec<String>,
    /// Words to aim fresh names at.
    pub(super) near_words: Vec<String>,
    /// IAM names (roles, users) to aim chosen names at.
    pub(super) iam_names: Vec<String>,
    pub(super) everyone: bool,
    pub(super) services: Vec<String>,
    pub(super) iam: Vec<IamIdentity>,
    pub(super) providers: Vec<String>,
}

pub(super) fn push_unique(list: &mut Vec<String>, v: impl Into<String>) {
    let v = v.into();
    if !list.contains(&v) {
        list.push(v);
    }
}

pub(super) fn digit_runs_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            run.push(c);
        } else if !run.is_empty() {
            out.push(std::mem::take(&mut run));
        }
    }
    out
}

impl Aim {
    pub(super) fn of(policy: &TrustPolicy, owner: Option<&str>) -> Self {
        let mut aim = Aim {
            owner: owner.map(str::to_owned),
            keys: Vec::new(),
            texts: Vec::new(),
            excluded: BTreeSet::new(),
            named_accounts: BTreeSet::new(),
            digit_runs: Vec::new(),
            near_words: Vec::new(),
            iam_names: Vec::new(),
            everyone: false,
            services: Vec::new(),
            iam: Vec::new(),
            providers: Vec::new(),
        };
        for s in &policy.statements {
            for c in &s.conditions {
                let cond = &c.condition;
                let folded = cond.key().folded().to_owned();
                let family = cond.operator().base.family();
                let idx = match aim.keys.iter().position(|k| k.folded == folded) {
                    Some(i) => i,
                    None => {
                        aim.keys.push(KeyFacts {
                            name: cond.key().as_str().to_owned(),
                            folded: folded.clone(),
                            values: Vec::new(),
                            patterns: Vec::new(),
                            networks: Vec::new(),
                            multi: false,
                        });
                        aim.keys.len().saturating_sub(1)
                    }
                };
                let Some(k) = aim.keys.get_mut(idx) else {
                    continue;
                };
                k.multi |= cond.operator().qualifier.is_some();
                for v in cond.raw_values() {
                    push_unique(&mut k.values, v.clone());
                    push_unique(&mut aim.texts, v.clone());
                    if matches!(family, Family::String | Family::Arn) {
                        push_unique(&mut k.patterns, v.clone());
                    }
                }
                if let Values::Ip(nets) = cond.values() {
                    for n in nets {
                        if n.prefix() != 0 && !k.networks.contains(n) {
                            k.networks.push(*n);
                        }
                    }
                }
                if matches!(family, Family::String | Family::Arn) {
                    for v in cond.raw_values() {
                        aim.excluded.insert(v.clone());
                        for piece in v.split([':', '/']) {
                            if !piece.is_empty() {
                                aim.excluded.insert(piece.to_owned());
                            }
                        }
                        for (i, ch) in v.char_indices() {
                            if !ch.is_ascii_alphanumeric() {
                                if let Some(tail) = v.get(i + ch.len_utf8()..) {
                                    if !tail.is_empty() {
                                        aim.excluded.insert(tail.to_owned());
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if s.effect != Effect::Allow {
                continue;
            }
            for e in &s.principals {
                match &e.principal {
                    PolicyPrincipal::Everyone => aim.everyone = true,
                    PolicyPrincipal::Service(n) => push_unique(&mut aim.services, n.clone()),
                    PolicyPrincipal::Federated(n) => push_unique(&mut aim.providers, n.clone()),
                    PolicyPrincipal::Iam(id) => {
                        if !aim.iam.contains(id) {
                            aim.iam.push(id.clone());
                        }
                    }
                    PolicyPrincipal::UniqueId(_) | PolicyPrincipal::CanonicalUser(_) => {}
                }
            }
        }
        let doc = policy.document.to_string();
        for run in digit_runs_of(&doc) {
            if run.len() == 12 {
                aim.named_accounts.insert(run.clone());
            }
        }
        if let Some(o) = owner {
            aim.named_accounts.insert(o.to_owned());
        }
        for l in aim.excluded.iter().chain(aim.texts.iter()) {
            let lead: String = l.chars().take_while(char::is_ascii_digit).collect();
            if !lead.is_empty() {
                push_unique(&mut aim.digit_runs, lead);
            }
            let word: String = l.chars().filter(|c| WORD_CHARS.contains(*c)).collect();
            if !word.is_empty() {
                push_unique(&mut aim.near_words, word);
            }
        }
        for a in &aim.named_accounts {
            push_unique(&mut aim.digit_runs, a.clone());
        }
        for k in &aim.keys {
            for v in &k.values {
                for marker in ["role/", "user/", "assumed-role/"] {
                    if let Some((_, rest)) = v.rsplit_once(marker) {
                        let name: String = rest
                            .split('/')
                            .next()
                            .unwrap_or_default()
                            .chars()
                            .filter(|c| WORD_CHARS.contains(*c))
                            .collect();
                        if !name.is_empty() {
                            push_unique(&mut aim.iam_names, name);
                        }
                    }
                }
                if k.folded == "aws:username" || k.folded == "sts:rolesessionname" {
                    let name: String = v.chars().filter(|c| WORD_CHARS.contains(*c)).collect();
                    if !name.is_empty() {
                        push_unique(&mut aim.iam_names, name);
                    }
                }
            }
        }
        // Names of the principals the policy names are no fresh names either: an account's
        // other principals are the account-wide attackers.
        for id in &aim.iam {
            match &id.kind {
                IamKind::Role { name, .. } | IamKind::User { name, .. } => {
                    push_unique(&mut aim.iam_names, name.clone());
                    aim.excluded.insert(name.clone());
                }
                IamKind::AssumedRole { role, .. } => {
                    push_unique(&mut aim.iam_names, role.clone());
                    aim.excluded.insert(role.clone());
                }
                _ => {}
            }
        }
        aim
    }

    pub(super) fn key(&self, folded: &str) -> Option<&KeyFacts> {
        self.keys.iter().find(|k| k.folded == folded)
    }

    pub(super) fn literal_values(&self, folded: &str) -> Vec<String> {
        self.key(folded)
            .map(|k| {
                k.values
                    .iter()
                    .filter(|v| !v.contains('*') && !v.contains('?') && !v.contains("${"))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(super) fn is_owner(&self, account: &str) -> bool {
        self.owner.as_deref() == Some(account)
    }
}
