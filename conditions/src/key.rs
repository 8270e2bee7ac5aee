//! Condition key names and request contexts.
//!
//! AWS: IAM User Guide, "IAM JSON policy elements: Condition" ("Condition key names are not
//! case-sensitive") and "AWS global condition context keys". Values are case-sensitive unless
//! an operator says otherwise.

use std::fmt;

use crate::err::ConditionError;

/// A condition key such as `aws:SourceAccount`, compared case-insensitively.
#[derive(Clone)]
pub struct ConditionKey {
    name: String,
    folded: String,
}

impl ConditionKey {
    /// A key as written in a policy or request. Empty names and names with control characters
    /// are rejected.
    pub fn new(name: &str) -> Result<Self, ConditionError> {
        if name.is_empty() {
            return Err(ConditionError::InvalidKey {
                key: name.to_owned(),
                reason: "the name is empty".to_owned(),
            });
        }
        if let Some(c) = name.chars().find(|c| c.is_control()) {
            return Err(ConditionError::InvalidKey {
                key: name.escape_debug().to_string(),
                reason: format!("it contains the control character {:?}", c),
            });
        }
        Ok(Self {
            name: name.to_owned(),
            folded: fold(name),
        })
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The case-folded name used for lookups.
    pub fn folded(&self) -> &str {
        &self.folded
    }
}

/// Case folding for key names (Unicode lower case, so `AWS:SourceAccount` and
/// `aws:sourceaccount` are one key).
pub fn fold(name: &str) -> String {
    // ASCII names (all of AWS's keys) fold byte by byte, as Unicode lower case does them.
    if name.is_ascii() {
        name.to_ascii_lowercase()
    } else {
        name.to_lowercase()
    }
}

impl PartialEq for ConditionKey {
    fn eq(&self, other: &Self) -> bool {
        self.folded == other.folded
    }
}
impl Eq for ConditionKey {}
impl std::hash::Hash for ConditionKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.folded.hash(state);
    }
}
impl fmt::Debug for ConditionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConditionKey({:?})", self.name)
    }
}
impl fmt::Display for ConditionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// The request side of a condition: the values of each key present in the request.
///
/// `None` means the key is absent. `Some(&[])` is a multivalued key present with no values
/// (AWS calls this a null data set), and a single-valued key is a slice of one.
pub trait Context {
    /// The values of the key whose case-folded name is `folded`.
    fn get_folded(&self, folded: &str) -> Option<&[String]>;

    /// The values of `key`.
    fn get(&self, key: &ConditionKey) -> Option<&[String]> {
        self.get_folded(key.folded())
    }

    /// Whether the key was given as a multivalued key (even with one value). Policy variables
    /// cannot read such a key.
    fn is_multivalued(&self, _folded: &str) -> bool {
        false
    }
}

impl<C: Context + ?Sized> Context for &C {
    fn get_folded(&self, folded: &str) -> Option<&[String]> {
        (**self).get_folded(folded)
    }
    fn is_multivalued(&self, folded: &str) -> bool {
        (**self).is_multivalued(folded)
    }
}

/// A simple owned context: key names folded to lower case, values in the order given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContextMap {
    /// By folded key name. Fx hashing: a context has a few short keys and is read once per
    /// condition, where SipHash was a tenth of a decision's time.
    entries: rustc_hash::FxHashMap<String, Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    name: String,
    values: Vec<String>,
    multivalued: bool,
}

impl ContextMap {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a single-valued key, replacing any earlier value (keys compare case-insensitively).
    pub fn insert(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.entries.insert(
            fold(key),
            Entry {
                name: key.to_owned(),
                values: vec![value.into()],
                multivalued: false,
            },
        );
        self
    }

    /// Sets a multivalued key (an empty iterator makes the key present with no values).
    pub fn insert_many<I, S>(&mut self, key: &str, values: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.entries.insert(
            fold(key),
            Entry {
                name: key.to_owned(),
                values: values.into_iter().map(Into::into).collect(),
                multivalued: true,
            },
        );
        self
    }

    /// Removes a key, making it absent.
    pub fn remove(&mut self, key: &str) -> &mut Self {
        self.entries.remove(&fold(key));
        self
    }

    /// True when the key is present (possibly with no values).
    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(&fold(key))
    }

    /// The keys present, with the spelling they were given in, their values, and whether each
    /// is multivalued, sorted by folded name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String], bool)> {
        let mut entries: Vec<(&String, &Entry)> = self.entries.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        entries
            .into_iter()
            .map(|(_, e)| (e.name.as_str(), e.values.as_slice(), e.multivalued))
    }

    /// The keys present, by folded name, with their values, in no order.
    pub fn folded(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries
            .iter()
            .map(|(k, e)| (k.as_str(), e.values.as_slice()))
    }

    /// Number of keys present.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no key is present.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Context for ContextMap {
    fn get_folded(&self, folded: &str) -> Option<&[String]> {
        self.entries.get(folded).map(|e| e.values.as_slice())
    }
    fn is_multivalued(&self, folded: &str) -> bool {
        self.entries.get(folded).is_some_and(|e| e.multivalued)
    }
}
