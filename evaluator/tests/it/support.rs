//! What the property tests over the analysis share (`analysis_properties.rs`,
//! `soundness_search.rs`): the owner and the trusted parties of their generated policies, a
//! reproducible random source, and generators of the fresh values AWS or a provider assigns to
//! an attacker (aimed near the policy's literals, where a wrong class split would show).

#![allow(dead_code, reason = "each test file uses its own part of the kit")]
#![allow(
    clippy::indexing_slicing,
    reason = "the random source indexes slices it checked to be non-empty"
)]

use trustsim_evaluator::Principal;

/// The account that owns the role.
pub const OWNER: &str = "111122223333";
/// A trusted third party's account and role.
pub const VENDOR_ACCOUNT: &str = "444455556666";
pub const VENDOR_ROLE: &str = "arn:aws:iam::444455556666:role/vendor";
/// A trusted service.
pub const SERVICE: &str = "events.amazonaws.com";
/// GitHub Actions' identity provider in the owner's account, and its two usual keys.
pub const GITHUB: &str =
    "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
pub const GITHUB_SUB: &str = "token.actions.githubusercontent.com:sub";
pub const GITHUB_AUD: &str = "token.actions.githubusercontent.com:aud";

pub const DIGITS: &str = "0123456789";
/// The analysis's `Word` shape, lower case: ExternalIds, GitHub organizations.
pub const WORD: &str = "abcdefghijklmnopqrstuvwxyz0123456789-";
/// The characters of an organization ID after `o-`.
pub const ORG: &str = "abcdefghijklmnopqrstuvwxyz0123456789";

/// SplitMix64: enough for sampling, and reproducible from the proptest-drawn seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// True with probability `num` / `den`.
    pub fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    pub fn string(&mut self, alphabet: &str, min: usize, max: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        let len = min + self.below(max - min + 1);
        (0..len).map(|_| *self.pick(&chars)).collect()
    }
}

/// A principal from its ARN (the fixtures' ARNs are valid).
pub fn infer(arn: &str) -> Principal {
    Principal::infer(arn).unwrap_or_else(|e| panic!("{arn}: {e}"))
}

/// A fresh account ID: 12 digits for which `fresh` holds; half the time it starts with a prefix
/// of one of `near`'s leading digit runs (`1111`, `11112222333`, ...).
pub fn fresh_account<'a>(
    rng: &mut Rng,
    near: impl Iterator<Item = &'a String>,
    fresh: impl Fn(&str) -> bool,
) -> String {
    let runs: Vec<String> = near
        .map(|s| {
            s.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .filter(|s| !s.is_empty())
        .collect();
    loop {
        let candidate = if rng.chance(1, 2) && !runs.is_empty() {
            let run = rng.pick(&runs).clone();
            let keep = 1 + rng.below(run.len().min(12));
            let mut s: String = run.chars().take(keep).collect();
            let more = 12 - s.len();
            s.push_str(&rng.string(DIGITS, more, more));
            s
        } else {
            rng.string(DIGITS, 12, 12)
        };
        if fresh(&candidate) {
            return candidate;
        }
    }
}

/// A fresh identifier of the `Word` shape (`[a-z0-9-]+`) for which `fresh` holds and that is
/// none of `also_not`: an ExternalId the deputy assigns, a GitHub organization. Half the time
/// it is a prefix (or an extension) of one of `near` or `also_not`, with characters outside the
/// shape dropped.
pub fn fresh_word<'a>(
    rng: &mut Rng,
    near: impl Iterator<Item = &'a String>,
    also_not: &[&str],
    fresh: impl Fn(&str) -> bool,
) -> String {
    let near: Vec<String> = near
        .map(|s| {
            s.to_ascii_lowercase()
                .chars()
                .filter(|c| WORD.contains(*c))
                .collect::<String>()
        })
        .filter(|s| !s.is_empty())
        .chain(also_not.iter().map(|s| (*s).to_owned()))
        .collect();
    loop {
        let candidate = if rng.chance(1, 2) && !near.is_empty() {
            let base = rng.pick(&near).clone();
            let keep = 1 + rng.below(base.len());
            let mut s: String = base.chars().take(keep).collect();
            if rng.chance(2, 3) {
                s.push_str(&rng.string(WORD, 1, 4));
            }
            s
        } else {
            rng.string(WORD, 1, 12)
        };
        if fresh(&candidate) && !also_not.contains(&candidate.as_str()) {
            return candidate;
        }
    }
}

/// A fresh organization ID (`o-` and `[a-z0-9]+`) for which `fresh` holds; often near
/// `o-abcdef1234`.
pub fn fresh_org(rng: &mut Rng, fresh: impl Fn(&str) -> bool) -> String {
    loop {
        let candidate = if rng.chance(1, 2) {
            let keep = 1 + rng.below(10);
            let mut s: String = "abcdef1234".chars().take(keep).collect();
            if rng.chance(2, 3) {
                s.push_str(&rng.string(ORG, 1, 3));
            }
            format!("o-{s}")
        } else {
            format!("o-{}", rng.string(ORG, 1, 12))
        };
        if fresh(&candidate) {
            return candidate;
        }
    }
}
