//! Date condition operators: `DateEquals`, `DateNotEquals`, `DateLessThan`,
//! `DateLessThanEquals`, `DateGreaterThan`, `DateGreaterThanEquals`.
//!
//! AWS: IAM User Guide, "IAM JSON policy elements: Condition operators", section "Date condition
//! operators": "You must specify date/time values with one of the W3C implementations of the ISO
//! 8601 date formats or in epoch (UNIX) time"; policy variables are not supported; wildcards are
//! not permitted. Both sides are read as instants and compared as instants, so
//! `2020-01-01T01:00:00+01:00`, `2020-01-01T00:00:00Z` and `1577836800` are equal.
//!
//! Accepted forms (the W3C "Date and Time Formats" profile of ISO 8601, plus epoch seconds):
//! `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDThh:mmTZD`, `YYYY-MM-DDThh:mm:ssTZD`,
//! `YYYY-MM-DDThh:mm:ss.sTZD`, where TZD is `Z`, `+hh:mm`, `-hh:mm` (or `+hhmm`) and may be left
//! out to mean UTC; and epoch seconds `1577836800` (optionally negative or with a fraction). A
//! value of digits alone is read as epoch seconds, so the W3C year-only form `YYYY` is read as
//! a number of seconds.

use chrono::NaiveDate;

use crate::family::numeric::compare;
use crate::operator::Comparison;

/// A point in time: nanoseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(i128);

const NANOS: i128 = 1_000_000_000;

impl Instant {
    /// Nanoseconds since the Unix epoch.
    pub fn nanos(self) -> i128 {
        self.0
    }

    /// An instant from whole seconds since the Unix epoch.
    pub fn from_epoch_seconds(secs: i64) -> Self {
        Instant(i128::from(secs) * NANOS)
    }

    /// Whole seconds since the epoch (rounded toward negative infinity).
    pub fn epoch_seconds(self) -> i128 {
        self.0.div_euclid(NANOS)
    }

    /// Parses an ISO 8601 (W3C profile) date/time or epoch seconds; see the module docs.
    pub fn parse(text: &str) -> Option<Self> {
        if text.is_empty() || text.len() > 64 {
            return None;
        }
        let body = text.strip_prefix('-').unwrap_or(text);
        if body.bytes().next().is_some_and(|b| b.is_ascii_digit())
            && body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        {
            return parse_epoch(text);
        }
        parse_iso(text)
    }

    /// The comparison of a request value with this policy value.
    pub fn matches(&self, request: &str, comparison: Comparison) -> bool {
        Instant::parse(request).is_some_and(|r| compare(r.cmp(self), comparison))
    }

    /// The instant as `YYYY-MM-DDThh:mm:ssZ` (fraction shown when present).
    pub fn to_rfc3339(self) -> String {
        let secs = self.epoch_seconds();
        let nanos = self.0.rem_euclid(NANOS);
        let dt = i64::try_from(secs)
            .ok()
            .and_then(|s| chrono::DateTime::from_timestamp(s, u32::try_from(nanos).unwrap_or(0)));
        match dt {
            Some(dt) if nanos == 0 => dt.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string(),
            None => format!("{secs}"),
        }
    }
}

/// One request value of each class the date operators tell apart: each policy instant, the
/// instants one nanosecond before and after it (nothing lies between, as instants are read to
/// the nanosecond), and a value that is not a date. Written as epoch seconds with nine fraction
/// digits, which [`Instant::parse`] reads back exactly.
pub fn representatives(policy: &[Instant]) -> Vec<String> {
    let mut out = Vec::new();
    for i in policy {
        for n in [i.0, i.0 - 1, i.0 + 1] {
            out.push(epoch_text(n));
        }
    }
    if policy.is_empty() {
        out.push("0".to_owned());
    }
    out.push("x".to_owned());
    out
}

fn epoch_text(nanos: i128) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let m = nanos.unsigned_abs();
    let unit = NANOS.unsigned_abs();
    format!("{sign}{}.{:09}", m / unit, m % unit)
}

fn parse_epoch(text: &str) -> Option<Instant> {
    let (neg, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    // Epoch time is one number (IAM User Guide, "Condition operators", section "Date condition
    // operators"): a second `.` (`203.0.113.7`) makes it no number at all.
    if int.is_empty()
        || int.len() > 15
        || (body.contains('.') && frac.is_empty())
        || frac.contains('.')
    {
        return None;
    }
    let secs: i128 = int.parse().ok()?;
    let mut nanos: i128 = 0;
    for (i, b) in frac.bytes().take(9).enumerate() {
        nanos += i128::from(b - b'0') * 10i128.pow(8 - u32::try_from(i).ok()?);
    }
    let total = secs * NANOS + nanos;
    Some(Instant(if neg { -total } else { total }))
}

struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let head = self.rest.get(..n)?;
        if !head.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        self.rest = self.rest.get(n..)?;
        head.parse().ok()
    }
    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(r) => {
                self.rest = r;
                true
            }
            None => false,
        }
    }
    fn done(&self) -> bool {
        self.rest.is_empty()
    }
}

fn parse_iso(text: &str) -> Option<Instant> {
    let mut c = Cursor { rest: text };
    let year = c.digits(4)?;
    if !c.eat('-') {
        return None;
    }
    let month = c.digits(2)?;
    let day = if c.eat('-') { c.digits(2)? } else { 1 };
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let mut secs_of_day: i64 = 0;
    let mut nanos: i128 = 0;
    if !c.done() {
        if !c.eat('T') {
            return None;
        }
        let (h, m) = (c.digits(2)?, {
            if !c.eat(':') {
                return None;
            }
            c.digits(2)?
        });
        let mut s = 0;
        if c.eat(':') {
            s = c.digits(2)?;
            if c.eat('.') {
                let len = c.rest.bytes().take_while(u8::is_ascii_digit).count();
                if len == 0 {
                    return None;
                }
                let frac = c.rest.get(..len)?;
                for (i, b) in frac.bytes().take(9).enumerate() {
                    nanos += i128::from(b - b'0') * 10i128.pow(8 - u32::try_from(i).ok()?);
                }
                c.rest = c.rest.get(len..)?;
            }
        }
        if h > 24 || m > 59 || s > 60 || (h == 24 && (m != 0 || s != 0 || nanos != 0)) {
            return None;
        }
        secs_of_day = i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s);
        if !c.done() {
            secs_of_day -= offset(&mut c)?;
        }
    }
    if !c.done() {
        return None;
    }
    let days = date
        .signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1)?)
        .num_days();
    Some(Instant(
        i128::from(days * 86_400 + secs_of_day) * NANOS + nanos,
    ))
}

/// A time-zone designator, as seconds east of UTC.
fn offset(c: &mut Cursor<'_>) -> Option<i64> {
    if c.eat('Z') {
        return Some(0);
    }
    let sign = if c.eat('+') {
        1
    } else if c.eat('-') {
        -1
    } else {
        return None;
    };
    let h = c.digits(2)?;
    let had_colon = c.eat(':');
    let m = if had_colon || !c.done() {
        c.digits(2)?
    } else {
        0
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (i64::from(h) * 3600 + i64::from(m) * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<i128> {
        Instant::parse(s).map(|i| i.epoch_seconds())
    }

    #[test]
    fn forms_agree_on_the_instant() {
        let z = Some(1_577_836_800);
        assert_eq!(p("2020-01-01T00:00:00Z"), z);
        assert_eq!(p("2020-01-01T01:00:00+01:00"), z);
        assert_eq!(p("2019-12-31T19:00-05:00"), z);
        assert_eq!(p("2020-01-01T00:00:00.000Z"), z);
        assert_eq!(p("2020-01-01"), z);
        assert_eq!(p("2020-01"), z);
        assert_eq!(p("1577836800"), z);
        assert_eq!(p("2020-01-01T00:00:00"), z);
        assert_eq!(p("2020-01-01T01:00:00+0100"), z);
    }

    #[test]
    fn epoch_seconds_have_at_most_one_point() {
        // Caught by the `condition` fuzz property (input
        // fuzz/regressions/condition/date-epoch-two-points): the digits after a second `.` were
        // read as fraction digits, overflowing on the `.`.
        assert_eq!(p("1.5"), Some(1));
        for bad in ["203.0.113.7", "1.2.3", "1..2", "-1.2.3"] {
            assert!(Instant::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn rejects_non_dates() {
        for bad in [
            "",
            "yesterday",
            "2020-13-01",
            "2020-02-30",
            "2020-01-01T25:00:00Z",
            "2020-01-01 00:00:00",
            "2020-01-01T00:00:00X",
            "2020/01/01",
            "1.",
            "2020-01-01T00:00:00.Z",
            "-",
        ] {
            assert!(Instant::parse(bad).is_none(), "{bad}");
        }
    }
}
