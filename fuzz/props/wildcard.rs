//! Target `wildcard` (structured): the conditions crate's wildcard matcher
//! (`trustsim_conditions::Pattern`, bit-parallel with shortcuts for common shapes) against a
//! plain dynamic program over `*` and `?`. They must agree on every pattern and value, for
//! patterns read from text (`Pattern::new`) and built from tokens (`Pattern::from_tokens`,
//! where policy variables contribute literal `*` and `?` characters).
//!
//! AWS: IAM User Guide, "IAM JSON policy elements: Condition operators", section "String
//! condition operators": "multi-character match wildcards (*) and single-character match
//! wildcards (?) anywhere in the string"; every other character is literal.

use arbitrary::Arbitrary;
use trustsim_evaluator::conditions::wildcard::{tokenize, Token};
use trustsim_evaluator::conditions::Pattern;

/// A small alphabet, so that patterns and values meet often (a multi-byte character, the
/// wildcard characters themselves, and characters other matchers treat specially).
const ALPHABET: [char; 8] = ['a', 'b', 'é', '*', '?', '[', '\\', '\u{10FFFF}'];

/// One token of a pattern built from tokens.
#[derive(Clone, Copy, Debug, Arbitrary)]
pub enum Tok {
    /// A literal character of `ALPHABET` (so possibly a literal `*` or `?`).
    Char(u8),
    /// `?`.
    AnyOne,
    /// `*`.
    AnyRun,
    /// `n % 80` copies of a literal character: long patterns need several words of state.
    Run(u8, u8),
}

/// One fuzz input.
#[derive(Clone, Debug, Arbitrary)]
pub enum Input {
    /// A pattern as tokens and a value over `ALPHABET`.
    Tokens(Vec<Tok>, Vec<u8>),
    /// A pattern written as text and a value, both over `ALPHABET`.
    Small(Vec<u8>, Vec<u8>),
    /// Any pattern text and value.
    Text(String, String),
}

fn letter(i: u8) -> char {
    ALPHABET
        .get(usize::from(i) % ALPHABET.len())
        .copied()
        .unwrap_or('a')
}

/// Patterns and values longer than this are cut (the reference is quadratic).
const MAX_LEN: usize = 1500;

/// The reference: does `value` match `tokens`? `row[j]` says whether the tokens read so far
/// match the first `j` characters of the value.
pub fn reference(tokens: &[Token], value: &[char]) -> bool {
    let mut row = vec![false; value.len() + 1];
    if let Some(first) = row.first_mut() {
        *first = true;
    }
    for t in tokens {
        let mut next = vec![false; value.len() + 1];
        match t {
            Token::AnyRun => {
                let mut reached = false;
                for (n, r) in next.iter_mut().zip(&row) {
                    reached = reached || *r;
                    *n = reached;
                }
            }
            Token::AnyOne | Token::Char(_) => {
                for ((n, r), c) in next.iter_mut().skip(1).zip(&row).zip(value) {
                    *n = *r && (*t == Token::AnyOne || *t == Token::Char(*c));
                }
            }
        }
        row = next;
    }
    row.last().copied().unwrap_or(false)
}

fn agree(pattern: &Pattern, tokens: &[Token], value: &str) {
    let chars: Vec<char> = value.chars().collect();
    let expected = reference(tokens, &chars);
    assert_eq!(
        pattern.matches(value),
        expected,
        "pattern {pattern:?} (tokens {tokens:?}) on {value:?}"
    );
    if pattern.matches_everything() {
        assert!(expected, "{pattern:?} claims to match everything");
    }
    if let Some(text) = pattern.exact_text() {
        assert_eq!(expected, text == value, "{pattern:?} claims to be exact");
    }
}

/// The property.
pub fn check(input: &Input) {
    match input {
        Input::Tokens(toks, value) => {
            let mut tokens = Vec::new();
            for t in toks {
                match t {
                    Tok::Char(c) => tokens.push(Token::Char(letter(*c))),
                    Tok::AnyOne => tokens.push(Token::AnyOne),
                    Tok::AnyRun => tokens.push(Token::AnyRun),
                    Tok::Run(c, n) => tokens.extend(std::iter::repeat_n(
                        Token::Char(letter(*c)),
                        usize::from(*n % 80),
                    )),
                }
            }
            tokens.truncate(MAX_LEN);
            let value: String = value.iter().take(MAX_LEN).map(|c| letter(*c)).collect();
            agree(&Pattern::from_tokens(tokens.clone()), &tokens, &value);
        }
        Input::Small(pattern, value) => {
            let pattern: String = pattern.iter().take(MAX_LEN).map(|c| letter(*c)).collect();
            let value: String = value.iter().take(MAX_LEN).map(|c| letter(*c)).collect();
            let tokens: Vec<Token> = tokenize(&pattern).collect();
            agree(&Pattern::new(&pattern), &tokens, &value);
        }
        Input::Text(pattern, value) => {
            let pattern: String = pattern.chars().take(MAX_LEN).collect();
            let value: String = value.chars().take(MAX_LEN).collect();
            let tokens: Vec<Token> = tokenize(&pattern).collect();
            agree(&Pattern::new(&pattern), &tokens, &value);
        }
    }
}
