//! `Action` and `NotAction`: action names with `*` and `?` wildcards, compared without regard to
//! case. AWS: IAM User Guide, "IAM JSON policy elements: Action" ("action names are not
//! case-sensitive"; wildcards `*` and `?`) and "IAM JSON policy elements: NotAction".

use trustsim_conditions::Pattern;

use crate::pointer::Pointer;

/// One action pattern, lower-cased and compiled.
#[derive(Clone, Debug)]
pub struct ActionPattern {
    /// As written.
    pub text: String,
    /// Lower-cased wildcard pattern.
    pub pattern: Pattern,
    /// Where it is written.
    pub pointer: Pointer,
}

impl ActionPattern {
    /// Compiles an action as written. Checks the form `service:action` (or `*`).
    pub fn new(text: &str, pointer: Pointer) -> Result<Self, String> {
        if text != "*" {
            let mut parts = text.split(':');
            let (service, action) = (parts.next().unwrap_or(""), parts.next());
            if parts.next().is_some() {
                return Err("an action can contain only one colon".to_owned());
            }
            let Some(action) = action else {
                return Err(
                    "an action is written `service:Action`, e.g. `sts:AssumeRole`".to_owned(),
                );
            };
            if service.is_empty() || action.is_empty() {
                return Err(
                    "an action is written `service:Action`, e.g. `sts:AssumeRole`".to_owned(),
                );
            }
            if !service
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'*' || b == b'?')
            {
                return Err(format!("`{service}` is not a service prefix"));
            }
            if !action.bytes().all(|b| {
                b.is_ascii_alphanumeric() || b == b'*' || b == b'?' || b == b'-' || b == b'_'
            }) {
                return Err(format!("`{action}` is not an action name"));
            }
        }
        Ok(Self {
            text: text.to_owned(),
            pattern: Pattern::new(&text.to_ascii_lowercase()),
            pointer,
        })
    }

    /// Does this pattern cover the lower-cased action name?
    pub fn matches(&self, action_lower: &str) -> bool {
        self.pattern.matches(action_lower)
    }
}

/// The statement's `Action` or `NotAction` list.
#[derive(Clone, Debug)]
pub enum ActionSet {
    /// `Action`: the statement covers these.
    Action(Vec<ActionPattern>),
    /// `NotAction`: the statement covers everything else.
    NotAction(Vec<ActionPattern>),
}

impl ActionSet {
    /// Does the statement cover the lower-cased action? Returns the matching pattern for
    /// `Action`, or the excluding pattern for `NotAction`.
    pub fn covers(&self, action_lower: &str) -> (bool, Option<&ActionPattern>) {
        match self {
            ActionSet::Action(list) => {
                let hit = list.iter().find(|p| p.matches(action_lower));
                (hit.is_some(), hit)
            }
            ActionSet::NotAction(list) => {
                let hit = list.iter().find(|p| p.matches(action_lower));
                (hit.is_none(), hit)
            }
        }
    }

    /// The patterns.
    pub fn patterns(&self) -> &[ActionPattern] {
        match self {
            ActionSet::Action(l) | ActionSet::NotAction(l) => l,
        }
    }
}
