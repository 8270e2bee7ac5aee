//! Numeric condition operators: `NumericEquals`, `NumericNotEquals`, `NumericLessThan`,
//! `NumericLessThanEquals`, `NumericGreaterThan`, `NumericGreaterThanEquals`.
//!
//! AWS: IAM User Guide, "IAM JSON policy elements: Condition operators", section "Numeric
//! condition operators": they compare "a key to an integer or decimal value"; policy variables
//! are not supported. Numbers are compared exactly as decimals (no floating-point rounding):
//! an optional sign, digits, and an optional fraction (`10`, `-3`, `0.5`, `.5`, `+7.25`).

use std::cmp::Ordering;

use crate::operator::Comparison;

/// An exact decimal number.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    negative: bool,
    /// Integer digits without leading zeros.
    int: String,
    /// Fraction digits without trailing zeros.
    frac: String,
}

/// A decimal number borrowed from the text it was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecimalRef<'a> {
    negative: bool,
    int: &'a str,
    frac: &'a str,
}

impl Decimal {
    /// Parses a number as AWS accepts it in a Numeric condition.
    pub fn parse(text: &str) -> Option<Self> {
        DecimalRef::parse(text).map(|d| Decimal {
            negative: d.negative,
            int: d.int.to_owned(),
            frac: d.frac.to_owned(),
        })
    }

    /// This number as a borrowed value.
    pub fn as_ref(&self) -> DecimalRef<'_> {
        DecimalRef {
            negative: self.negative,
            int: &self.int,
            frac: &self.frac,
        }
    }

    /// The comparison of a request value with this policy value.
    pub fn matches(&self, request: &str, comparison: Comparison) -> bool {
        DecimalRef::parse(request).is_some_and(|r| compare(r.cmp(&self.as_ref()), comparison))
    }
}

/// One request value of each class the numeric operators tell apart: with the policy's numbers
/// sorted, each number, a number in each interval between and beyond them, and a value that is
/// not a number (it matches no policy value). With `k` the most fraction digits of any policy
/// number, `n ± 10^-(k+1)` lies strictly between `n` and its neighbours, so each open interval
/// gets a member without rounding.
pub fn representatives(policy: &[&Decimal]) -> Vec<String> {
    let places = policy.iter().map(|d| d.frac.len()).max().unwrap_or(0) + 1;
    let mut out = Vec::new();
    for d in policy {
        out.push(d.to_string());
        out.push(d.step(places, true));
        out.push(d.step(places, false));
    }
    if policy.is_empty() {
        out.push("0".to_owned());
    }
    out.push("x".to_owned());
    out
}

impl Decimal {
    /// This number plus (or minus) one unit in the `places`-th fraction digit, as text.
    fn step(&self, places: usize, up: bool) -> String {
        let mut frac = self.frac.clone();
        while frac.len() < places {
            frac.push('0');
        }
        let mut digits: Vec<u8> = self
            .int
            .bytes()
            .chain(frac.bytes())
            .map(|b| b - b'0')
            .collect();
        let zero = digits.iter().all(|d| *d == 0);
        // Moving away from zero grows the magnitude; towards zero shrinks it (never below zero,
        // since the magnitude is at least one unit unless it is zero).
        let (negative, grow) = if zero {
            (!up, true)
        } else {
            (self.negative, up != self.negative)
        };
        if grow {
            let mut carry = true;
            for d in digits.iter_mut().rev() {
                if !carry {
                    break;
                }
                *d += 1;
                carry = *d == 10;
                if carry {
                    *d = 0;
                }
            }
            if carry {
                digits.insert(0, 1);
            }
        } else {
            for d in digits.iter_mut().rev() {
                if *d > 0 {
                    *d -= 1;
                    break;
                }
                *d = 9;
            }
        }
        let split = digits.len() - places;
        let text = |ds: &[u8]| -> String { ds.iter().map(|d| char::from(b'0' + d)).collect() };
        let int = text(digits.get(..split).unwrap_or_default());
        let int = int.trim_start_matches('0');
        let frac = text(digits.get(split..).unwrap_or_default());
        format!(
            "{}{}.{}",
            if negative { "-" } else { "" },
            if int.is_empty() { "0" } else { int },
            frac
        )
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str(if self.int.is_empty() { "0" } else { &self.int })?;
        if !self.frac.is_empty() {
            write!(f, ".{}", self.frac)?;
        }
        Ok(())
    }
}

impl<'a> DecimalRef<'a> {
    /// Parses without allocating. Returns `None` for anything that is not a plain decimal.
    pub fn parse(text: &'a str) -> Option<Self> {
        let (negative, body) = match text.as_bytes().first()? {
            b'-' => (true, text.get(1..)?),
            b'+' => (false, text.get(1..)?),
            _ => (false, text),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if body.ends_with('.') && frac.is_empty() && int.is_empty() {
            return None;
        }
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        let negative = negative && !(int.is_empty() && frac.is_empty());
        Some(Self {
            negative,
            int,
            frac,
        })
    }

    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(other.int))
            .then_with(|| self.frac.cmp(other.frac))
    }
}

impl Ord for DecimalRef<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}
impl PartialOrd for DecimalRef<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Whether an ordering of (request, policy) satisfies a comparison.
pub fn compare(ord: Ordering, comparison: Comparison) -> bool {
    match comparison {
        Comparison::LessThan => ord == Ordering::Less,
        Comparison::LessThanEquals => ord != Ordering::Greater,
        Comparison::GreaterThan => ord == Ordering::Greater,
        Comparison::GreaterThanEquals => ord != Ordering::Less,
        _ => ord == Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> DecimalRef<'_> {
        DecimalRef::parse(s).unwrap_or(DecimalRef {
            negative: false,
            int: "NaN",
            frac: "",
        })
    }

    #[test]
    fn exact_comparison() {
        assert_eq!(d("10").cmp(&d("010.000")), Ordering::Equal);
        assert_eq!(d("-0").cmp(&d("0")), Ordering::Equal);
        assert_eq!(d("0.1").cmp(&d(".1")), Ordering::Equal);
        assert_eq!(d("9").cmp(&d("10")), Ordering::Less);
        assert_eq!(d("-9").cmp(&d("-10")), Ordering::Greater);
        assert_eq!(d("1.05").cmp(&d("1.5")), Ordering::Less);
        assert_eq!(
            d("12345678901234567890.1").cmp(&d("12345678901234567890.01")),
            Ordering::Greater
        );
    }

    #[test]
    fn rejects_non_numbers() {
        for bad in [
            "", "-", "+", ".", "1e3", "1.2.3", " 1", "0x10", "NaN", "1,000", "--1",
        ] {
            assert!(DecimalRef::parse(bad).is_none(), "{bad}");
        }
    }
}
