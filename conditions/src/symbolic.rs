//! The symbolic view of the condition families, beside their concrete comparisons: what an
//! analysis needs to reason over *every* request value rather than one.
//!
//! - String and ARN operators impose [`Tok`] patterns on a key ([`patterns`]): a request value
//!   compares true with policy value `i` exactly when it matches pattern `i` in full. The tokens
//!   carry the family's rules (wildcards only in `*Like` and ARN operators, a `*` that stays
//!   inside its ARN component, case folding per character for `StringEqualsIgnoreCase`).
//! - Numeric, date, `Bool`, binary and IP operators split request values into finitely many
//!   classes that every comparison of the family treats alike; [`representatives`] gives one
//!   value of each class.
//!
//! Every rule lives in the family's own module (`family/*.rs`) next to its concrete comparison,
//! and `tests/it/symbolic.rs` checks, per family, that the two agree on random values. An analysis
//! built only from this view cannot drift from evaluation.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::condition::{Condition, Values};
use crate::family::{arn, binary, bool as boolean, date, ip, numeric, string};
use crate::key::Context;

/// One element of a symbolic string pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tok {
    /// Exactly this character.
    Char(char),
    /// A character equal to this one ignoring case ([`fold_eq`]).
    Fold(char),
    /// Any one character, except the one given (`?`; in an ARN component, not `:`).
    One(Option<char>),
    /// Any run of characters, none of which is the one given (`*`).
    Run(Option<char>),
}

impl Tok {
    /// Does this token consume `c`?
    pub fn accepts(self, c: char) -> bool {
        match self {
            Tok::Char(x) => x == c,
            Tok::Fold(x) => fold_eq(x, c),
            Tok::One(ex) | Tok::Run(ex) => ex != Some(c),
        }
    }

    /// The characters this token treats differently from the rest: every character outside
    /// this list is accepted by the token exactly when any other character outside it is.
    pub fn distinguished(self) -> Vec<char> {
        match self {
            Tok::Char(x) | Tok::One(Some(x)) | Tok::Run(Some(x)) => vec![x],
            Tok::Fold(x) => fold_class(x),
            Tok::One(None) | Tok::Run(None) => Vec::new(),
        }
    }
}

/// Are two characters equal ignoring case? `StringEqualsIgnoreCase` compares a request value
/// with the policy value character by character (so the two have the same number of
/// characters), and two characters are equal when their Unicode lower-case mappings are. The
/// IAM User Guide ("IAM JSON policy elements: Condition operators", section "String condition
/// operators") says only "Exact matching, ignoring case"; trustsim takes the one-to-one reading,
/// under which the Kelvin sign `K` (U+212A) equals `k` and `K`.
pub fn fold_eq(a: char, b: char) -> bool {
    a == b || a.to_lowercase().eq(b.to_lowercase())
}

/// Every character that is [`fold_eq`] to `c` (itself included), in code-point order.
pub fn fold_class(c: char) -> Vec<char> {
    let key: Vec<char> = c.to_lowercase().collect();
    let mut out: Vec<char> = fold_table().get(&key).cloned().unwrap_or_default();
    // Characters that are their own lower-case mapping are not in the table.
    for k in key.iter().copied().chain([c]) {
        if fold_eq(k, c) && !out.contains(&k) {
            out.push(k);
        }
    }
    out.sort_unstable();
    out
}

/// Lower-case mapping → the characters whose mapping it is and that differ from it (built once;
/// the identity mappings, almost every character, are left out).
fn fold_table() -> &'static HashMap<Vec<char>, Vec<char>> {
    static TABLE: OnceLock<HashMap<Vec<char>, Vec<char>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: HashMap<Vec<char>, Vec<char>> = HashMap::new();
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let mut lower = c.to_lowercase();
            if lower.len() == 1 && lower.next() == Some(c) {
                continue;
            }
            table.entry(c.to_lowercase().collect()).or_default().push(c);
        }
        table
    })
}

/// Does the whole of `value` match the token sequence? (The reference reading of a pattern, for
/// checks; an analysis compiles patterns into automata of its own.)
pub fn matches(toks: &[Tok], value: &str) -> bool {
    let close = |s: &mut Vec<bool>| {
        for i in 0..toks.len() {
            if s.get(i).copied().unwrap_or(false) && matches!(toks.get(i), Some(Tok::Run(_))) {
                if let Some(n) = s.get_mut(i + 1) {
                    *n = true;
                }
            }
        }
    };
    let mut state = vec![false; toks.len() + 1];
    if let Some(first) = state.first_mut() {
        *first = true;
    }
    close(&mut state);
    for c in value.chars() {
        let mut next = vec![false; toks.len() + 1];
        for (i, t) in toks.iter().enumerate() {
            if !state.get(i).copied().unwrap_or(false) || !t.accepts(c) {
                continue;
            }
            let to = if matches!(t, Tok::Run(_)) { i } else { i + 1 };
            if let Some(n) = next.get_mut(to) {
                *n = true;
            }
        }
        close(&mut next);
        state = next;
    }
    state.last().copied().unwrap_or(false)
}

/// Which policy values [`patterns`] reads.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    /// The values without policy variables.
    Literals,
    /// The values with policy variables, resolved in this context.
    Templates(&'a dyn Context),
}

/// The pattern each policy value of a string or ARN condition imposes, with the value's index:
/// the condition's positive comparison of a request value with value `i` (what
/// [`Condition::compares`] answers) holds exactly when the value matches pattern `i`. Values
/// that match nothing (a variable missing from the context, an ARN pattern whose first
/// component cannot be `arn`) have no pattern, and neither do other families.
pub fn patterns(cond: &Condition, source: Source<'_>) -> Vec<(usize, Vec<Tok>)> {
    let cmp = cond.operator().base.comparison();
    let mut out = Vec::new();
    match cond.values() {
        Values::String(values) => {
            for (i, v) in values.iter().enumerate() {
                if let Some(p) = string::symbolic(v, cmp, source) {
                    out.push((i, p));
                }
            }
        }
        Values::Arn(values) => {
            for (i, v) in values.iter().enumerate() {
                if let Some(p) = arn::symbolic(v, source) {
                    out.push((i, p));
                }
            }
        }
        _ => {}
    }
    out
}

/// One request value of each class that the key's numeric, date, `Bool`, binary and IP
/// conditions tell apart: for every request value `v` there is a representative `r` that each
/// of these conditions compares true with some policy value exactly when it does so for `v`
/// (the combination over values, negation and sets is `apply.rs`'s, the same for both).
/// With `fresh_address`, the key is an address AWS writes (`aws:SourceIp` of an attacker), which
/// lies outside every network the policy names that is not the whole address space.
pub fn representatives(conditions: &[&Condition], fresh_address: bool) -> Vec<String> {
    let mut decimals = Vec::new();
    let mut instants = Vec::new();
    let mut bools = false;
    let mut bytes: Vec<&[u8]> = Vec::new();
    let mut binaries = false;
    let mut networks = Vec::new();
    for c in conditions {
        match c.values() {
            Values::Numeric(v) => decimals.extend(v.iter().flatten()),
            Values::Date(v) => instants.extend(v.iter().flatten().copied()),
            Values::Bool(_) => bools = true,
            Values::Binary(v) => {
                binaries = true;
                bytes.extend(v.iter().flatten().map(Vec::as_slice));
            }
            Values::Ip(v) => networks.push(v.iter().collect::<Vec<_>>()),
            Values::String(_) | Values::Arn(_) | Values::Null(_) => {}
        }
    }
    let has_numeric = conditions
        .iter()
        .any(|c| matches!(c.values(), Values::Numeric(_)));
    let has_date = conditions
        .iter()
        .any(|c| matches!(c.values(), Values::Date(_)));
    let mut out = Vec::new();
    if has_numeric {
        out.extend(numeric::representatives(&decimals));
    }
    if has_date {
        out.extend(date::representatives(&instants));
    }
    if bools {
        out.extend(boolean::REPRESENTATIVES.iter().map(|s| (*s).to_owned()));
    }
    if binaries {
        out.extend(binary::representatives(&bytes));
    }
    if !networks.is_empty() {
        out.extend(ip::representatives(&networks, fresh_address));
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|v| seen.insert(v.clone()));
    out
}
