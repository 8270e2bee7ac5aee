//! IAM wildcard patterns: `*` matches any run of characters (including none), `?` matches
//! exactly one character, and every other character, `[` and `\` included, is literal.
//!
//! AWS: IAM User Guide, "IAM JSON policy elements: Condition operators", section "String
//! condition operators" (`StringLike`: "The values can include multi-character match wildcards
//! (*) and single-character match wildcards (?) anywhere in the string") and section "Amazon Resource
//! Name (ARN) condition operators" (the same two wildcards in each ARN component).
//!
//! A pattern is compiled once. Matching never backtracks: common shapes (a literal, `p*`, `*s`,
//! `*m*`, `*`) have direct checks, and every other pattern runs as a bit-parallel simulation of
//! its automaton (shift-and), one step per character of the value. The cost is
//! `O(len(value) * ceil(tokens / 64))` whatever the pattern, so `*a*a*a*a*a*a*a*a*b` against a
//! long value is as quick as a plain literal. No allocation happens while matching patterns of up
//! to 511 tokens.

use std::fmt;

/// One element of a wildcard pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Token {
    /// A character that must appear as it is (compared case-sensitively).
    Char(char),
    /// `?`: exactly one character.
    AnyOne,
    /// `*`: any run of characters, possibly empty.
    AnyRun,
}

/// Splits pattern text into tokens, reading `*` and `?` as wildcards.
pub fn tokenize(pattern: &str) -> impl Iterator<Item = Token> + '_ {
    pattern.chars().map(|c| match c {
        '*' => Token::AnyRun,
        '?' => Token::AnyOne,
        c => Token::Char(c),
    })
}

/// A compiled IAM wildcard pattern.
#[derive(Clone, PartialEq, Eq)]
pub struct Pattern {
    source: String,
    kind: Kind,
}

#[derive(Clone, PartialEq, Eq)]
enum Kind {
    /// `*`, `**`, ...: matches every value.
    Everything,
    /// No wildcard at all.
    Exact(String),
    /// `literal*`
    Prefix(String),
    /// `*literal`
    Suffix(String),
    /// `*literal*`
    Contains(String),
    /// Anything else: a shift-and automaton.
    General(Box<Automaton>),
}

impl Pattern {
    /// Compiles pattern text in which `*` and `?` are wildcards.
    pub fn new(pattern: &str) -> Self {
        Self::from_tokens(tokenize(pattern).collect())
    }

    /// Compiles a pattern that matches `text` literally (no wildcards).
    pub fn literal(text: &str) -> Self {
        Self {
            source: text.to_owned(),
            kind: Kind::Exact(text.to_owned()),
        }
    }

    /// Compiles a token sequence (policy variables produce literal characters that may be `*`
    /// or `?`, so the evaluator builds tokens rather than text).
    pub fn from_tokens(mut tokens: Vec<Token>) -> Self {
        // `**` means the same as `*`; collapsing keeps the automaton's epsilon closure one step.
        tokens.dedup_by(|b, a| *a == Token::AnyRun && *b == Token::AnyRun);
        let source: String = tokens.iter().map(token_text).collect();
        let kind = classify(&tokens);
        Self { source, kind }
    }

    /// The pattern as text, with `*` and `?` as wildcards (a literal `*` from a policy variable
    /// also shows as `*`).
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True when the pattern matches every string.
    pub fn matches_everything(&self) -> bool {
        matches!(self.kind, Kind::Everything)
    }

    /// True when the pattern has no wildcard, so it matches exactly one string.
    pub fn exact_text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Exact(s) => Some(s),
            _ => None,
        }
    }

    /// Does the whole of `value` match this pattern?
    pub fn matches(&self, value: &str) -> bool {
        match &self.kind {
            Kind::Everything => true,
            Kind::Exact(s) => value == s,
            Kind::Prefix(p) => value.starts_with(p.as_str()),
            Kind::Suffix(s) => value.ends_with(s.as_str()),
            Kind::Contains(m) => memchr::memmem::find(value.as_bytes(), m.as_bytes()).is_some(),
            Kind::General(a) => a.matches(value),
        }
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.source)
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

fn token_text(t: &Token) -> char {
    match t {
        Token::Char(c) => *c,
        Token::AnyOne => '?',
        Token::AnyRun => '*',
    }
}

fn literal_run(tokens: &[Token]) -> Option<String> {
    tokens
        .iter()
        .map(|t| match t {
            Token::Char(c) => Some(*c),
            _ => None,
        })
        .collect()
}

fn classify(tokens: &[Token]) -> Kind {
    if !tokens.is_empty() && tokens.iter().all(|t| *t == Token::AnyRun) {
        return Kind::Everything;
    }
    if let Some(s) = literal_run(tokens) {
        return Kind::Exact(s);
    }
    match tokens {
        [rest @ .., Token::AnyRun] if literal_run(rest).is_some() => {
            Kind::Prefix(literal_run(rest).unwrap_or_default())
        }
        [Token::AnyRun, rest @ ..] if literal_run(rest).is_some() => {
            Kind::Suffix(literal_run(rest).unwrap_or_default())
        }
        [Token::AnyRun, mid @ .., Token::AnyRun] if literal_run(mid).is_some() => {
            Kind::Contains(literal_run(mid).unwrap_or_default())
        }
        _ => Kind::General(Box::new(Automaton::new(tokens))),
    }
}

/// Shift-and simulation of the pattern's automaton. State `i` (bit `i`) means "the first `i`
/// tokens have matched". A character `c` moves state `i` to `i + 1` when token `i` is `c` or
/// `?`; a `*` at token `i` keeps state `i` on any character and also reaches `i + 1` without
/// consuming one.
#[derive(Clone, PartialEq, Eq)]
struct Automaton {
    words: usize,
    /// Bit index of the accepting state (the token count).
    accept: usize,
    /// Masks of tokens that accept an ASCII character, `words` words per character.
    ascii: Vec<u64>,
    /// Masks for the non-ASCII characters named in the pattern, sorted by character.
    other: Vec<(char, Vec<u64>)>,
    /// Tokens that are `?` (they accept any character not otherwise listed).
    any_one: Vec<u64>,
    /// Tokens that are `*`.
    any_run: Vec<u64>,
}

const STACK_WORDS: usize = 8;

impl Automaton {
    fn new(tokens: &[Token]) -> Self {
        let accept = tokens.len();
        let words = accept / 64 + 1;
        let mut any_one = vec![0u64; words];
        let mut any_run = vec![0u64; words];
        let mut ascii = vec![0u64; 128 * words];
        let mut other: Vec<(char, Vec<u64>)> = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            let (w, bit) = (i / 64, 1u64 << (i % 64));
            match token {
                Token::AnyRun => set(&mut any_run, w, bit),
                Token::AnyOne => set(&mut any_one, w, bit),
                Token::Char(c) if c.is_ascii() => set(&mut ascii, (*c as usize) * words + w, bit),
                Token::Char(c) => match other.binary_search_by(|(k, _)| k.cmp(c)) {
                    Ok(pos) => {
                        if let Some((_, m)) = other.get_mut(pos) {
                            set(m, w, bit);
                        }
                    }
                    Err(pos) => {
                        let mut m = vec![0u64; words];
                        set(&mut m, w, bit);
                        other.insert(pos, (*c, m));
                    }
                },
            }
        }
        // `?` accepts every character, so fold it into each character's mask.
        for chunk in ascii.chunks_mut(words) {
            or_into(chunk, &any_one);
        }
        for (_, m) in &mut other {
            or_into(m, &any_one);
        }
        Self {
            words,
            accept,
            ascii,
            other,
            any_one,
            any_run,
        }
    }

    fn mask(&self, c: char) -> &[u64] {
        if c.is_ascii() {
            let start = (c as usize) * self.words;
            self.ascii
                .get(start..start + self.words)
                .unwrap_or(&self.any_one)
        } else {
            match self.other.binary_search_by(|(k, _)| k.cmp(&c)) {
                Ok(pos) => self.other.get(pos).map_or(&self.any_one[..], |(_, m)| m),
                Err(_) => &self.any_one,
            }
        }
    }

    fn matches(&self, value: &str) -> bool {
        if self.words == 1 {
            return self.matches_one_word(value);
        }
        if self.words <= STACK_WORDS {
            let mut state = [0u64; STACK_WORDS];
            let mut next = [0u64; STACK_WORDS];
            match (state.get_mut(..self.words), next.get_mut(..self.words)) {
                (Some(state), Some(next)) => self.run(value, state, next),
                _ => false,
            }
        } else {
            let mut state = vec![0u64; self.words];
            let mut next = vec![0u64; self.words];
            self.run(value, &mut state, &mut next)
        }
    }

    fn matches_one_word(&self, value: &str) -> bool {
        let stars = self.any_run.first().copied().unwrap_or(0);
        let ascii = &self.ascii;
        let mut state: u64 = 1;
        state |= (state & stars) << 1;
        for c in value.chars() {
            let m = if c.is_ascii() {
                ascii.get(c as usize).copied().unwrap_or(0)
            } else {
                self.mask(c).first().copied().unwrap_or(0)
            };
            state = ((state & m) << 1) | (state & stars);
            state |= (state & stars) << 1;
            if state == 0 {
                return false;
            }
        }
        state & (1u64 << self.accept) != 0
    }

    fn run(&self, value: &str, state: &mut [u64], next: &mut [u64]) -> bool {
        state.fill(0);
        if let Some(first) = state.first_mut() {
            *first = 1;
        }
        close(state, &self.any_run);
        for c in value.chars() {
            let mask = self.mask(c);
            // next = ((state & mask) << 1) | (state & stars), across words.
            let mut carry = 0u64;
            let mut alive = 0u64;
            for (((n, s), m), r) in next.iter_mut().zip(&*state).zip(mask).zip(&self.any_run) {
                let moved = s & m;
                *n = (moved << 1) | carry | (s & r);
                carry = moved >> 63;
                alive |= *n;
            }
            close(next, &self.any_run);
            if alive == 0 {
                return false;
            }
            state.copy_from_slice(next);
        }
        let (w, bit) = (self.accept / 64, 1u64 << (self.accept % 64));
        state.get(w).is_some_and(|s| s & bit != 0)
    }
}

/// Epsilon closure: a `*` at token `i` lets state `i` reach `i + 1`. Runs of `*` are collapsed
/// at compile time, so one step suffices.
fn close(state: &mut [u64], stars: &[u64]) {
    let mut carry = 0u64;
    for (s, r) in state.iter_mut().zip(stars) {
        let from = *s & r;
        *s |= (from << 1) | carry;
        carry = from >> 63;
    }
}

fn set(words: &mut [u64], w: usize, bit: u64) {
    if let Some(x) = words.get_mut(w) {
        *x |= bit;
    }
}

fn or_into(dst: &mut [u64], src: &[u64]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d |= s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_classified() {
        assert!(Pattern::new("*").matches_everything());
        assert!(Pattern::new("**").matches_everything());
        assert_eq!(Pattern::new("abc").exact_text(), Some("abc"));
        assert!(matches!(Pattern::new("ab*").kind, Kind::Prefix(_)));
        assert!(matches!(Pattern::new("*ab").kind, Kind::Suffix(_)));
        assert!(matches!(Pattern::new("*ab*").kind, Kind::Contains(_)));
        assert!(matches!(Pattern::new("a?b").kind, Kind::General(_)));
    }

    #[test]
    fn brackets_and_backslashes_are_literal() {
        let p = Pattern::new("[ab]*\\");
        assert!(p.matches("[ab]x\\"));
        assert!(!p.matches("ax\\"));
    }

    #[test]
    fn question_mark_is_one_character_not_one_byte() {
        let p = Pattern::new("caf?");
        assert!(p.matches("café"));
        assert!(!p.matches("caf"));
        let p = Pattern::new("?é*ü");
        assert!(p.matches("xéabcü"));
        assert!(!p.matches("xeabcü"));
    }

    #[test]
    fn long_patterns_use_several_words() {
        let pat = format!("{}*{}", "a?".repeat(70), "b".repeat(70));
        let p = Pattern::new(&pat);
        let hit = format!("{}zzz{}", "ax".repeat(70), "b".repeat(70));
        let miss = format!("{}zzz{}", "ax".repeat(70), "b".repeat(69));
        assert!(p.matches(&hit));
        assert!(!p.matches(&miss));
        let huge = "?".repeat(600);
        assert!(Pattern::new(&huge).matches(&"x".repeat(600)));
        assert!(!Pattern::new(&huge).matches(&"x".repeat(599)));
    }

    #[test]
    fn empty_pattern_matches_only_empty_value() {
        assert!(Pattern::new("").matches(""));
        assert!(!Pattern::new("").matches("a"));
        assert!(Pattern::new("*").matches(""));
        assert!(!Pattern::new("?").matches(""));
    }
}
