//! JSON Pointers (RFC 6901) naming elements of a policy document, e.g.
//! `/Statement/1/Condition/StringLike/aws:SourceArn`.

use std::fmt;

/// A JSON Pointer into the policy document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pointer(String);

impl Pointer {
    /// The document root (the empty pointer).
    pub fn root() -> Self {
        Self(String::new())
    }

    /// This pointer extended by an object key (escaping `~` and `/`).
    pub fn key(&self, key: &str) -> Self {
        let mut s = self.0.clone();
        s.push('/');
        s.push_str(&key.replace('~', "~0").replace('/', "~1"));
        Self(s)
    }

    /// This pointer extended by an array index.
    pub fn index(&self, i: usize) -> Self {
        Self(format!("{}/{i}", self.0))
    }

    /// The pointer text (empty for the root).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("(document root)")
        } else {
            f.write_str(&self.0)
        }
    }
}
