//! The string solver behind the analysis: which combinations of a policy's string predicates
//! (wildcard patterns, equalities, case-insensitive equalities, ARN patterns) can a value drawn
//! from an attacker's domain satisfy, with a witness for each?
//!
//! Every predicate is a finite automaton over characters whose states are sets of pattern
//! positions (deterministic, as in the shift-and matcher). A domain is a template of literal
//! text, attacker-chosen text (any string) and fresh text (digits of an account ID, say). The
//! product of the domain with all predicate automata is explored breadth-first over a finite
//! alphabet: every character the predicates or the domain mention, plus one character standing
//! for all the others (predicates cannot tell unmentioned characters apart). The product has
//! finitely many states, so the search ends, and every reachable end state is found: the set of
//! membership vectors it reports is exactly the set achievable by values of the domain.

use std::collections::{BTreeSet, VecDeque};

use rustc_hash::FxHashMap as HashMap;
use smallvec::SmallVec;

/// Automaton states of the predicates, inline for up to four predicates.
type Vector = SmallVec<[PosSet; 4]>;

pub use trustsim_conditions::symbolic::Tok;

/// A predicate: a value satisfies it when the whole value matches the token sequence.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Glob {
    toks: Vec<Tok>,
    /// Per ASCII character: the positions whose token consumes it and moves on.
    advance: Box<[PosSet]>,
    /// Per ASCII character: the positions whose `Run` consumes it and stays.
    stay: Box<[PosSet]>,
    /// Positions holding a `Run` (they may be skipped without a character).
    runs: PosSet,
}

/// A set of pattern positions (the automaton state).
type PosSet = u128;

impl Glob {
    /// A predicate from tokens. Patterns longer than 127 tokens are not supported by the solver
    /// (the caller reports the analysis as incomplete).
    pub fn new(toks: Vec<Tok>) -> Option<Self> {
        if toks.len() >= 127 {
            return None;
        }
        let mut advance = vec![0 as PosSet; 128].into_boxed_slice();
        let mut stay = vec![0 as PosSet; 128].into_boxed_slice();
        let mut runs: PosSet = 0;
        for (i, t) in toks.iter().enumerate() {
            let bit: PosSet = 1 << i;
            let table = match t {
                Tok::Run(_) => {
                    runs |= bit;
                    &mut stay
                }
                _ => &mut advance,
            };
            match *t {
                // One character: one entry (none when it is not ASCII).
                Tok::Char(x) => {
                    if let Some(m) = table.get_mut(x as usize) {
                        *m |= bit;
                    }
                }
                // Every character but the one excluded.
                Tok::One(ex) | Tok::Run(ex) => {
                    for (c, m) in table.iter_mut().enumerate() {
                        if ex.map(|x| x as usize) != Some(c) {
                            *m |= bit;
                        }
                    }
                }
                Tok::Fold(_) => {
                    for (c, m) in table.iter_mut().enumerate() {
                        if t.accepts(char::from(u8::try_from(c).unwrap_or(0))) {
                            *m |= bit;
                        }
                    }
                }
            }
        }
        Some(Self {
            toks,
            advance,
            stay,
            runs,
        })
    }

    fn masks(&self, c: char) -> (PosSet, PosSet) {
        if c.is_ascii() {
            let i = c as usize;
            return (
                self.advance.get(i).copied().unwrap_or(0),
                self.stay.get(i).copied().unwrap_or(0),
            );
        }
        let mut a: PosSet = 0;
        let mut st: PosSet = 0;
        for (i, t) in self.toks.iter().enumerate() {
            if t.accepts(c) {
                match t {
                    Tok::Run(_) => st |= 1 << i,
                    _ => a |= 1 << i,
                }
            }
        }
        (a, st)
    }

    /// The tokens.
    pub fn tokens(&self) -> &[Tok] {
        &self.toks
    }

    fn close(&self, mut s: PosSet) -> PosSet {
        // A `Run` at position i lets state i reach i + 1 without a character.
        loop {
            let next = s | ((s & self.runs) << 1);
            if next == s {
                return s;
            }
            s = next;
        }
    }

    fn start(&self) -> PosSet {
        self.close(1)
    }

    fn step(&self, s: PosSet, c: char) -> PosSet {
        let (advance, stay) = self.masks(c);
        self.close(((s & advance) << 1) | (s & stay))
    }

    fn accepts_state(&self, s: PosSet) -> bool {
        s & (1 << self.toks.len()) != 0
    }

    /// The automaton state after reading `text` from the start (a set of pattern positions).
    pub fn state_after(&self, text: &str) -> u128 {
        text.chars().fold(self.start(), |s, c| self.step(s, c))
    }

    /// Does the whole of `value` match?
    #[cfg(test)]
    pub fn matches(&self, value: &str) -> bool {
        let mut s = self.start();
        for c in value.chars() {
            s = self.step(s, c);
            if s == 0 {
                return false;
            }
        }
        self.accepts_state(s)
    }
}

/// A fresh value's shape: the attacker cannot choose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FreshShape {
    /// Exactly this many decimal digits (an account ID: 12).
    Digits(usize),
    /// A non-empty run of letters, digits and `-_.@=,+` (names and IDs AWS or a provider
    /// assigns, an ExternalId).
    Word,
    /// An AWS Organizations ID: `o-` and a run of lower-case letters and digits.
    OrgId,
}

impl FreshShape {
    fn alphabet(self) -> Vec<char> {
        match self {
            FreshShape::Digits(_) => ('0'..='9').collect(),
            FreshShape::Word => ('a'..='z')
                .chain('A'..='Z')
                .chain('0'..='9')
                .chain(['-', '_', '.', '@', '=', ',', '+'])
                .collect(),
            FreshShape::OrgId => ('a'..='z').chain('0'..='9').collect(),
        }
    }

    /// The characters worth trying inside a fresh value: those of the shape that some predicate
    /// mentions, and one that none mentions (unmentioned characters are indistinguishable).
    fn relevant(self, mentioned: &BTreeSet<char>) -> Vec<char> {
        let all = self.alphabet();
        let mut out: Vec<char> = all
            .iter()
            .copied()
            .filter(|c| mentioned.contains(c))
            .collect();
        if let Some(other) = all.iter().find(|c| !mentioned.contains(c)) {
            out.push(*other);
        }
        out
    }

    /// Text every value of the shape starts with.
    fn prefix(self) -> &'static str {
        match self {
            FreshShape::OrgId => "o-",
            _ => "",
        }
    }

    fn bounds(self) -> (usize, usize) {
        match self {
            FreshShape::Digits(n) => (n, n),
            FreshShape::Word | FreshShape::OrgId => (1, usize::MAX),
        }
    }
}

/// A piece of a value template.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    /// Text AWS writes.
    Lit(String),
    /// Text the attacker chooses (any string, possibly empty).
    Chosen,
    /// One character the attacker chooses.
    One,
    /// Text the attacker chooses without the given character (an IAM name has no `/`).
    ChosenNot(char),
    /// One character the attacker chooses, other than the given one.
    OneNot(char),
}

/// The result of exploring a domain against predicates: each achievable membership vector
/// (bit i: predicate i holds), with a shortest witness value.
#[derive(Clone, Debug, Default)]
pub struct Cells {
    /// Membership vector → witness.
    pub cells: Vec<(u64, String)>,
    /// True when the search stopped at its state bound (the answer is then partial).
    pub truncated: bool,
}

/// Bound on explored product states; policies have few and short patterns, so this is far above
/// what real trust policies need.
const MAX_STATES: usize = 200_000;

fn alphabet(globs: &[Glob], segs: &[Seg]) -> Vec<char> {
    let mut set: BTreeSet<char> = BTreeSet::new();
    for g in globs {
        for t in &g.toks {
            set.extend(t.distinguished());
        }
    }
    for s in segs {
        if let Seg::Lit(t) = s {
            set.extend(t.chars());
        }
    }
    // One character standing for every character not mentioned.
    if let Some(other) = "xqzjkvw0123456789abcdefghilmnoprstuy-_."
        .chars()
        .find(|c| !set.contains(c))
    {
        set.insert(other);
    }
    // Letters and digits first, so that witnesses read naturally.
    let mut list: Vec<char> = set.into_iter().collect();
    list.sort_by_key(|c| (!c.is_ascii_alphanumeric(), *c));
    list
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct State {
    seg: usize,
    /// Characters read in the current fresh segment.
    count: usize,
    globs: Vector,
}

/// Explores every value of the template `segs` against `globs` and reports the achievable
/// membership vectors.
pub fn cells(segs: &[Seg], globs: &[Glob]) -> Cells {
    // The cells are a function of the template and the predicates' tokens: the threats, their
    // fresh classes and the fix's re-analysis ask for the same cells many times.
    type Key = (Vec<Seg>, Vec<Vec<Tok>>);
    thread_local! {
        static MEMO: std::cell::RefCell<HashMap<Key, Cells>> =
            std::cell::RefCell::new(HashMap::default());
    }
    let key: Key = (
        segs.to_vec(),
        globs.iter().map(|g| g.toks.clone()).collect(),
    );
    memoised(&MEMO, key, || explore_cells(segs, globs), |c| c.cells.len())
}

/// Bound of a per-thread memo: results kept, and entries (cells, classes) per result kept.
const MEMO_BOUND: usize = 1024;

/// The value of `key` in a per-thread memo, or computed now and kept when its size is at most
/// [`MEMO_BOUND`] (the memo starts again past [`MEMO_BOUND`] results).
pub(crate) fn memoised<K: std::hash::Hash + Eq, V: Clone>(
    memo: &'static std::thread::LocalKey<std::cell::RefCell<HashMap<K, V>>>,
    key: K,
    compute: impl FnOnce() -> V,
    size: impl Fn(&V) -> usize,
) -> V {
    if let Some(known) = memo.with(|m| m.borrow().get(&key).cloned()) {
        return known;
    }
    let result = compute();
    if size(&result) <= MEMO_BOUND {
        memo.with(|m| {
            let mut m = m.borrow_mut();
            if m.len() >= MEMO_BOUND {
                m.clear();
            }
            m.insert(key, result.clone());
        });
    }
    result
}

/// [`cells`], computed.
fn explore_cells(segs: &[Seg], globs: &[Glob]) -> Cells {
    if globs.is_empty() {
        // Nothing to tell values apart: one cell, with the shortest value of the template.
        let w: String = segs
            .iter()
            .map(|s| match s {
                Seg::Lit(t) => t.clone(),
                Seg::Chosen => String::new(),
                Seg::One | Seg::OneNot(_) => "x".to_owned(),
                Seg::ChosenNot(_) => String::new(),
            })
            .collect();
        return Cells {
            cells: vec![(0, w)],
            truncated: false,
        };
    }
    let sigma = alphabet(globs, segs);
    let start = State {
        seg: 0,
        count: 0,
        globs: globs.iter().map(Glob::start).collect(),
    };
    // Witnesses are kept as parent pointers and rebuilt only for the cells found.
    let mut nodes: Vec<(usize, Option<String>)> = vec![(0, None)];
    let mut seen: HashMap<State, ()> = HashMap::default();
    let mut found: HashMap<u64, usize> = HashMap::default();
    let mut queue: VecDeque<(State, usize)> = VecDeque::new();
    let mut truncated = false;
    seen.insert(start.clone(), ());
    queue.push_back((start, 0));
    let push = |st: State,
                parent: usize,
                text: Option<String>,
                seen: &mut HashMap<State, ()>,
                q: &mut VecDeque<(State, usize)>,
                nodes: &mut Vec<(usize, Option<String>)>| {
        if seen.insert(st.clone(), ()).is_none() {
            let node = if text.is_some() {
                nodes.push((parent, text));
                nodes.len() - 1
            } else {
                parent
            };
            q.push_back((st, node));
        }
    };
    while let Some((st, node)) = queue.pop_front() {
        if seen.len() > MAX_STATES {
            truncated = true;
            break;
        }
        let advance = |st: &State, c: char| -> State {
            State {
                seg: st.seg,
                count: st.count + 1,
                globs: st
                    .globs
                    .iter()
                    .zip(globs)
                    .map(|(s, g)| g.step(*s, c))
                    .collect(),
            }
        };
        match segs.get(st.seg) {
            None => {
                let v = st
                    .globs
                    .iter()
                    .zip(globs)
                    .enumerate()
                    .fold(0u64, |acc, (i, (s, g))| {
                        if g.accepts_state(*s) {
                            acc | (1 << i)
                        } else {
                            acc
                        }
                    });
                found.entry(v).or_insert(node);
            }
            Some(Seg::Lit(text)) => {
                let mut next = st.clone();
                for c in text.chars() {
                    next = advance(&next, c);
                }
                next.seg += 1;
                next.count = 0;
                push(
                    next,
                    node,
                    Some(text.clone()),
                    &mut seen,
                    &mut queue,
                    &mut nodes,
                );
            }
            Some(seg @ (Seg::Chosen | Seg::ChosenNot(_))) => {
                let not = match seg {
                    Seg::ChosenNot(x) => Some(*x),
                    _ => None,
                };
                let mut done = st.clone();
                done.seg += 1;
                done.count = 0;
                push(done, node, None, &mut seen, &mut queue, &mut nodes);
                for &c in sigma.iter().filter(|c| Some(**c) != not) {
                    let mut n = advance(&st, c);
                    n.count = 0;
                    push(
                        n,
                        node,
                        Some(c.to_string()),
                        &mut seen,
                        &mut queue,
                        &mut nodes,
                    );
                }
            }
            Some(seg @ (Seg::One | Seg::OneNot(_))) => {
                let not = match seg {
                    Seg::OneNot(x) => Some(*x),
                    _ => None,
                };
                for &c in sigma.iter().filter(|c| Some(**c) != not) {
                    let mut n = advance(&st, c);
                    n.seg += 1;
                    n.count = 0;
                    push(
                        n,
                        node,
                        Some(c.to_string()),
                        &mut seen,
                        &mut queue,
                        &mut nodes,
                    );
                }
            }
        }
    }
    let rebuild = |mut i: usize| {
        let mut parts: Vec<&str> = Vec::new();
        while i != 0 {
            let Some((parent, text)) = nodes.get(i) else {
                break;
            };
            if let Some(t) = text {
                parts.push(t);
            }
            i = *parent;
        }
        parts.into_iter().rev().collect::<String>()
    };
    let mut cells: Vec<(u64, String)> = found.into_iter().map(|(v, n)| (v, rebuild(n))).collect();
    cells.sort();
    Cells { cells, truncated }
}

/// One predicate a fresh value meets: the glob of a key whose template holds the value, the
/// literal text before it and after it, and whether the key's value ends after that text.
pub struct FreshUse<'a> {
    /// The predicate.
    pub glob: &'a Glob,
    /// The template's literal text before the fresh value.
    pub prefix: String,
    /// The template's literal text right after the fresh value.
    pub suffix: String,
    /// Whether the value ends after `suffix` (`{account}` in `aws:SourceAccount`).
    pub end: bool,
}

/// Classes of a fresh value: values of `shape` that every predicate (each run from its own
/// fixed entry text) leaves in the same state after the literal text that follows the value
/// are interchangeable for any continuation. Where the key's value ends there, only whether
/// the predicate matches tells values apart: a 20-character ExternalId literal gives two
/// classes, not one per prefix, and `octo-org` in `repo:{org}/...` gives two, not nine.
/// Returns one representative per class, excluding the given literals (a fresh value differs
/// from every literal in the policy).
pub fn fresh_classes(
    shape: FreshShape,
    prefixes: &[FreshUse<'_>],
    literals: &[String],
) -> (Vec<String>, bool) {
    // A predicate already dead after its entry text is false for every value, and two uses
    // with one glob, entry state and following text agree on every value: neither tells
    // values apart, so neither is tracked.
    let mut kept: Vec<(&FreshUse<'_>, PosSet)> = Vec::new();
    for u in prefixes {
        let s = u
            .prefix
            .chars()
            .chain(shape.prefix().chars())
            .fold(u.glob.start(), |s, c| u.glob.step(s, c));
        let same = |(k, ks): &(&FreshUse<'_>, PosSet)| {
            *ks == s && k.suffix == u.suffix && k.end == u.end && k.glob == u.glob
        };
        if s != 0 && !kept.iter().any(same) {
            kept.push((u, s));
        }
    }
    let entry: Vector = kept.iter().map(|(_, s)| *s).collect();
    let prefixes: Vec<&FreshUse<'_>> = kept.into_iter().map(|(u, _)| u).collect();
    // Only literals the fresh value could spell can be excluded.
    let alphabet = shape.alphabet();
    let (min_len, max_len) = shape.bounds();
    // The literals, as one trie over the fresh value's characters (one state, not one per
    // literal): a value that ends on a terminal node equals a literal.
    let bodies: Vec<&str> = literals
        .iter()
        .filter_map(|l| l.strip_prefix(shape.prefix()))
        .filter(|body| {
            let n = body.chars().count();
            n >= min_len && n <= max_len && body.chars().all(|c| alphabet.contains(&c))
        })
        .collect();
    // The classes are a function of the shape, the predicates in their entry states with the
    // text after the value, and the literals: the five threats, their scenarios and the fix's
    // re-analysis ask the same question many times, as do the roles of an organization.
    type Key = (
        FreshShape,
        Vec<(Vec<Tok>, PosSet, String, bool)>,
        Vec<String>,
    );
    thread_local! {
        static MEMO: std::cell::RefCell<HashMap<Key, (Vec<String>, bool)>> =
            std::cell::RefCell::new(HashMap::default());
    }
    let key: Key = (
        shape,
        prefixes
            .iter()
            .zip(&entry)
            .map(|(u, s)| (u.glob.toks.clone(), *s, u.suffix.clone(), u.end))
            .collect(),
        bodies.iter().map(|b| (*b).to_owned()).collect(),
    );
    memoised(
        &MEMO,
        key,
        || classes_of(shape, &prefixes, entry, &bodies),
        |r| r.0.len(),
    )
}

/// [`fresh_classes`] for the predicates kept, in their entry states, and the literals the value
/// could spell.
fn classes_of(
    shape: FreshShape,
    prefixes: &[&FreshUse<'_>],
    entry: Vector,
    bodies: &[&str],
) -> (Vec<String>, bool) {
    let mut trie: Vec<(Vec<(char, usize)>, bool)> = vec![(Vec::new(), false)];
    for body in bodies {
        let mut node = 0;
        for c in body.chars() {
            let next = trie
                .get(node)
                .and_then(|(kids, _)| kids.iter().find(|(k, _)| *k == c).map(|(_, n)| *n));
            node = match next {
                Some(n) => n,
                None => {
                    trie.push((Vec::new(), false));
                    let n = trie.len() - 1;
                    if let Some((kids, _)) = trie.get_mut(node) {
                        kids.push((c, n));
                    }
                    n
                }
            };
        }
        if let Some((_, end)) = trie.get_mut(node) {
            *end = true;
        }
    }
    let (min, max) = shape.bounds();
    let mentioned: BTreeSet<char> = prefixes
        .iter()
        .flat_map(|u| u.glob.toks.iter().flat_map(|t| t.distinguished()))
        .chain(bodies.iter().flat_map(|b| b.chars()))
        .collect();
    let relevant = shape.relevant(&mentioned);
    #[derive(Clone, PartialEq, Eq, Hash)]
    struct S {
        count: usize,
        g: Vector,
        /// The trie node reached, or `None` once the value left every literal.
        l: Option<usize>,
    }
    let mut seen: HashMap<S, ()> = HashMap::default();
    let mut classes: HashMap<Vector, String> = HashMap::default();
    let mut queue = VecDeque::new();
    let start = S {
        count: 0,
        g: entry,
        l: Some(0),
    };
    seen.insert(start.clone(), ());
    queue.push_back((start, shape.prefix().to_owned()));
    let mut truncated = false;
    while let Some((st, w)) = queue.pop_front() {
        if seen.len() > MAX_STATES {
            truncated = true;
            break;
        }
        if st.count >= min {
            let is_literal = st.l.and_then(|n| trie.get(n)).is_some_and(|(_, end)| *end);
            if !is_literal {
                let class: Vector =
                    st.g.iter()
                        .zip(prefixes)
                        .map(|(s, u)| {
                            let after = u.suffix.chars().fold(*s, |s, c| u.glob.step(s, c));
                            if u.end {
                                PosSet::from(u.glob.accepts_state(after))
                            } else {
                                after
                            }
                        })
                        .collect();
                classes.entry(class).or_insert_with(|| w.clone());
                // With no predicate to tell values apart there is one class.
                if prefixes.is_empty() {
                    break;
                }
            }
        }
        if st.count >= max {
            continue;
        }
        for &c in &relevant {
            let n = S {
                count: if matches!(shape, FreshShape::Digits(_)) {
                    st.count + 1
                } else {
                    (st.count + 1).min(min)
                },
                g: st
                    .g
                    .iter()
                    .zip(prefixes)
                    .map(|(s, u)| u.glob.step(*s, c))
                    .collect(),
                l: st
                    .l
                    .and_then(|n| trie.get(n))
                    .and_then(|(kids, _)| kids.iter().find(|(k, _)| *k == c).map(|(_, n)| *n)),
            };
            if !seen.contains_key(&n) {
                seen.insert(n.clone(), ());
                let mut w2 = w.clone();
                w2.push(c);
                queue.push_back((n, w2));
            }
        }
    }
    let mut reps: Vec<String> = classes.into_values().collect();
    reps.sort();
    (reps, truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(p: &str) -> Glob {
        Glob::new(
            p.chars()
                .map(|c| match c {
                    '*' => Tok::Run(None),
                    '?' => Tok::One(None),
                    c => Tok::Char(c),
                })
                .collect(),
        )
        .unwrap_or_else(|| unreachable!("test pattern too long"))
    }

    impl<'a> FreshUse<'a> {
        /// The fresh value is the whole value (`end`) or is followed by chosen text.
        fn new(glob: &'a Glob, end: bool) -> Self {
            Self {
                glob,
                prefix: String::new(),
                suffix: String::new(),
                end,
            }
        }
    }

    #[test]
    fn each_characters_masks_are_the_tokens_that_accept_it() {
        let toks = vec![
            Tok::Char('a'),
            Tok::Char('\u{e9}'),
            Tok::Fold('K'),
            Tok::One(None),
            Tok::One(Some(':')),
            Tok::Run(None),
            Tok::Run(Some('/')),
            Tok::Char(':'),
        ];
        let Some(g) = Glob::new(toks.clone()) else {
            unreachable!("eight tokens are within the solver's length");
        };
        for c in (0u8..128).map(char::from).chain(['\u{e9}', '\u{212a}']) {
            let (mut advance, mut stay): (PosSet, PosSet) = (0, 0);
            for (i, t) in toks.iter().enumerate() {
                if t.accepts(c) {
                    match t {
                        Tok::Run(_) => stay |= 1 << i,
                        _ => advance |= 1 << i,
                    }
                }
            }
            assert_eq!(g.masks(c), (advance, stay), "{c:?}");
        }
    }

    #[test]
    fn chosen_values_reach_every_combination() {
        let c = cells(&[Seg::Chosen], &[glob("a*"), glob("*b")]);
        let vectors: Vec<u64> = c.cells.iter().map(|(v, _)| *v).collect();
        assert_eq!(vectors, vec![0, 1, 2, 3]);
        for (v, w) in &c.cells {
            assert_eq!(glob("a*").matches(w), v & 1 != 0, "{w}");
            assert_eq!(glob("*b").matches(w), v & 2 != 0, "{w}");
        }
    }

    #[test]
    fn literal_templates_have_one_cell() {
        let c = cells(&[Seg::Lit("abc".into())], &[glob("a*"), glob("x")]);
        assert_eq!(c.cells, vec![(1, "abc".to_owned())]);
    }

    #[test]
    fn fresh_classes_split_on_prefix_patterns() {
        let g = glob("1111*");
        let (reps, _) = fresh_classes(
            FreshShape::Digits(12),
            &[FreshUse::new(&g, false)],
            &["111122223333".to_owned()],
        );
        assert_eq!(reps.len(), 2, "{reps:?}");
        assert!(reps.iter().any(|r| g.matches(r)) && reps.iter().any(|r| !g.matches(r)));
        assert!(!reps.contains(&"111122223333".to_owned()));
        let star = glob("*");
        let (reps, _) = fresh_classes(FreshShape::Digits(12), &[FreshUse::new(&star, false)], &[]);
        assert_eq!(reps.len(), 1);
    }

    /// A fresh value that ends the key's value is told apart by whether each predicate
    /// matches, not by the state it leaves: an ExternalId equal to a 20-character literal and
    /// every other one give one class once the literal itself is excluded; where text may
    /// follow, every prefix of the literal is a class of its own.
    #[test]
    fn fresh_classes_at_the_end_of_a_value_are_by_match() {
        let literal = "vendor-assigned-0042".to_owned();
        let g = glob(&literal);
        let (at_end, _) = fresh_classes(
            FreshShape::Word,
            &[FreshUse::new(&g, true)],
            std::slice::from_ref(&literal),
        );
        assert_eq!(at_end.len(), 1, "{at_end:?}");
        assert!(at_end.iter().all(|r| !g.matches(r)));
        let (inside, _) = fresh_classes(
            FreshShape::Word,
            &[FreshUse::new(&g, false)],
            std::slice::from_ref(&literal),
        );
        assert_eq!(inside.len(), literal.len(), "{inside:?}");
        // A pattern the fresh value can match keeps both sides, also at the end.
        let p = glob("vendor-*");
        let (both, _) = fresh_classes(FreshShape::Word, &[FreshUse::new(&p, true)], &[]);
        assert_eq!(both.len(), 2, "{both:?}");
        assert!(both.iter().any(|r| p.matches(r)) && both.iter().any(|r| !p.matches(r)));
    }

    /// The literal text after a fresh value counts: in `repo:{org}/...` every prefix of
    /// `octo-org` dies at the `/`, so the organizations other than `octo-org` are one class.
    #[test]
    fn fresh_classes_read_the_text_after_the_value() {
        let g = glob("repo:octo-org/app:*");
        let mut use_ = FreshUse::new(&g, false);
        use_.prefix = "repo:".to_owned();
        use_.suffix = "/".to_owned();
        let (reps, _) = fresh_classes(
            FreshShape::Word,
            std::slice::from_ref(&use_),
            &["octo-org".to_owned()],
        );
        assert_eq!(reps.len(), 1, "{reps:?}");
        use_.suffix = String::new();
        let (without, _) = fresh_classes(
            FreshShape::Word,
            std::slice::from_ref(&use_),
            &["octo-org".to_owned()],
        );
        assert_eq!(without.len(), "octo-org".len(), "{without:?}");
    }
}
