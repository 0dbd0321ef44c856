//! Certificate times (reference row F9): `ssl.cert_time_to_seconds`, with the
//! exact acceptance rules and `ValueError` messages of CPython 3.11.
//!
//! CPython takes the month from the first three characters (`str.title()`
//! compared with the C locale's `Jan` ... `Dec`), then runs
//! `time.strptime(rest, " %d %H:%M:%S %Y GMT")`, whose regular expression is
//!
//! ```text
//! \s+(3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])\s+(2[0-3]|[0-1]\d|\d):([0-5]\d|\d):(6[0-1]|[0-5]\d|\d)\s+(\d\d\d\d)\s+GMT
//! ```
//!
//! matched case-insensitively, with Python's Unicode `\s` and `\d` (so
//! `"Jan 1\u{663} ..."` is day 13). The day is not checked against the month
//! (`Feb 31` is March 3rd or 2nd) and seconds 60 and 61 are accepted, as
//! `calendar.timegm` adds them up.

use crate::error::{Error, Result};
use crate::pyvalue::is_py_space;
use crate::pyvalue::repr_str;

/// The strptime format CPython applies after the month.
const TIME_FORMAT: &str = " %d %H:%M:%S %Y GMT";

/// The C locale's abbreviated month names.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// F9 `cert_time_to_seconds(cert_time)`: seconds since the Epoch (UTC) of a
/// certificate's `notBefore` / `notAfter` text in `"%b %d %H:%M:%S %Y GMT"`
/// format, C locale, e.g. `"Jan  5 09:34:43 2018 GMT"` -> `1515144883`.
///
/// The month is matched case-insensitively (Python's `str.title()`, which also
/// turns `ſ` into `S`); the day may be `5`, `05` or ` 5` after any run of
/// whitespace; `GMT` in any case.
///
/// # Errors
///
/// `ValueError` with CPython's message:
/// `time data 'x' does not match format "%b %d %H:%M:%S %Y GMT"` (bad month),
/// `time data ' 5 ...' does not match format ' %d %H:%M:%S %Y GMT'` (the rest),
/// `unconverted data remains: ...` (text after `GMT`) or
/// `year 0 is out of range`.
pub fn cert_time_to_seconds(cert_time: &str) -> Result<i64> {
    let mut chars = cert_time.char_indices();
    let head: Vec<char> = chars.by_ref().take(3).map(|(_, c)| c).collect();
    let rest_start = chars.next().map_or(cert_time.len(), |(i, _)| i);
    let Some(month) = month_number(&head) else {
        return Err(Error::value(format!(
            "time data {} does not match format \"%b{TIME_FORMAT}\"",
            repr_str(cert_time)
        )));
    };
    let rest = &cert_time[rest_start..];
    let data: Vec<char> = rest.chars().collect();
    let Some((end, fields)) = match_time(&data) else {
        return Err(Error::value(format!(
            "time data {} does not match format {}",
            repr_str(rest),
            repr_str(TIME_FORMAT)
        )));
    };
    if end != data.len() {
        let remains: String = data[end..].iter().collect();
        return Err(Error::value(format!("unconverted data remains: {remains}")));
    }
    if fields.year == 0 {
        return Err(Error::value("year 0 is out of range"));
    }
    // calendar.timegm: the day is added to the first of the month, unchecked.
    let days = days_from_civil(fields.year, month, 1) + fields.day - 1;
    Ok(((days * 24 + fields.hour) * 60 + fields.minute) * 60 + fields.second)
}

/// `months.index(cert_time[:3].title()) + 1`.
fn month_number(head: &[char]) -> Option<i64> {
    let [first, second, third] = head else {
        return None;
    };
    let first = match first {
        // LATIN SMALL LETTER LONG S title-cases to 'S'.
        '\u{17f}' => 'S',
        c if c.is_ascii_alphabetic() => c.to_ascii_uppercase(),
        _ => return None,
    };
    if !second.is_ascii_alphabetic() || !third.is_ascii_alphabetic() {
        return None;
    }
    let title: String = [
        first,
        second.to_ascii_lowercase(),
        third.to_ascii_lowercase(),
    ]
    .iter()
    .collect();
    let index = MONTHS.iter().position(|m| *m == title)?;
    i64::try_from(index + 1).ok()
}

/// The numbers the regular expression captures.
struct Fields {
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    year: i64,
}

/// The value of a Unicode decimal digit (Python's `\d` and `int()`), from the
/// code points of the zeros of every run of ten `Nd` characters (Unicode 14,
/// Python 3.11).
fn decimal_value(c: char) -> Option<i64> {
    const ZEROS: [u32; 66] = [
        0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
        0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
        0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
        0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0,
        0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0,
        0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
    ];
    let v = c as u32;
    let zero = match ZEROS.binary_search(&v) {
        Ok(i) => ZEROS[i],
        Err(0) => return None,
        Err(i) => ZEROS[i - 1],
    };
    let digit = v - zero;
    (digit < 10).then_some(i64::from(digit))
}

/// A cursor over the text after the month.
struct Cursor<'a> {
    data: &'a [char],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.data.get(self.pos + ahead).copied()
    }

    /// `\s+` (greedy; nothing after it in the pattern can start with a space,
    /// so no backtracking is ever needed).
    fn spaces(&mut self) -> Option<()> {
        let start = self.pos;
        while self.peek(0).is_some_and(is_py_space) {
            self.pos += 1;
        }
        (self.pos > start).then_some(())
    }

    /// The first alternative of a number group whose match is followed by a
    /// character satisfying `next` (every other alternative would fail right
    /// after, so this is what the backtracking regex finds). Each alternative
    /// is a list of character classes.
    fn number(&mut self, alternatives: &[&[Class]], next: impl Fn(char) -> bool) -> Option<i64> {
        'alt: for alt in alternatives {
            let mut value = 0;
            for (k, class) in alt.iter().enumerate() {
                let Some(d) = self.peek(k).and_then(|c| class.value(c)) else {
                    continue 'alt;
                };
                value = value * 10 + d;
            }
            if self.peek(alt.len()).is_some_and(&next) {
                self.pos += alt.len();
                return Some(value);
            }
        }
        None
    }

    fn literal(&mut self, c: char) -> Option<()> {
        (self.peek(0) == Some(c)).then(|| self.pos += 1)
    }
}

/// One character class of the pattern.
#[derive(Clone, Copy)]
enum Class {
    /// An ASCII digit range `[lo-hi]`.
    Range(u8, u8),
    /// `\d`: any Unicode decimal digit.
    Digit,
    /// A literal space (the ` [1-9]` alternative of `%d`; its value is 0).
    Space,
}

impl Class {
    fn value(self, c: char) -> Option<i64> {
        match self {
            Class::Range(lo, hi) => {
                let b = u8::try_from(c).ok()?;
                (lo..=hi).contains(&b).then(|| i64::from(b - b'0'))
            }
            Class::Digit => decimal_value(c),
            Class::Space => (c == ' ').then_some(0),
        }
    }
}

/// Runs the strptime regular expression (`re.match`, so anchored at the start
/// only); returns where the match ends and the captured numbers.
fn match_time(data: &[char]) -> Option<(usize, Fields)> {
    use Class::{Digit, Range, Space};
    let mut cur = Cursor { data, pos: 0 };
    cur.spaces()?;
    let day = cur.number(
        &[
            &[Range(b'3', b'3'), Range(b'0', b'1')],
            &[Range(b'1', b'2'), Digit],
            &[Range(b'0', b'0'), Range(b'1', b'9')],
            &[Range(b'1', b'9')],
            &[Space, Range(b'1', b'9')],
        ],
        is_py_space,
    )?;
    cur.spaces()?;
    let colon = |c: char| c == ':';
    let hour = cur.number(
        &[
            &[Range(b'2', b'2'), Range(b'0', b'3')],
            &[Range(b'0', b'1'), Digit],
            &[Digit],
        ],
        colon,
    )?;
    cur.literal(':')?;
    let minute = cur.number(&[&[Range(b'0', b'5'), Digit], &[Digit]], colon)?;
    cur.literal(':')?;
    let second = cur.number(
        &[
            &[Range(b'6', b'6'), Range(b'0', b'1')],
            &[Range(b'0', b'5'), Digit],
            &[Digit],
        ],
        is_py_space,
    )?;
    cur.spaces()?;
    let year = cur.number(&[&[Digit, Digit, Digit, Digit]], is_py_space)?;
    cur.spaces()?;
    for expected in ['g', 'm', 't'] {
        if cur.peek(0)?.to_ascii_lowercase() != expected {
            return None;
        }
        cur.pos += 1;
    }
    Some((
        cur.pos,
        Fields {
            day,
            hour,
            minute,
            second,
            year,
        },
    ))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_examples() {
        assert_eq!(
            cert_time_to_seconds("Jan  5 09:34:43 2018 GMT").unwrap(),
            1_515_144_883
        );
        assert_eq!(
            cert_time_to_seconds("Dec 31 23:59:59 9999 GMT").unwrap(),
            253_402_300_799
        );
        assert_eq!(
            cert_time_to_seconds("Dec 31 23:59:60 2008 GMT").unwrap(),
            1_230_768_000
        );
        assert_eq!(
            cert_time_to_seconds("Jon  5 09:34:43 2018 GMT")
                .unwrap_err()
                .to_string(),
            "time data 'Jon  5 09:34:43 2018 GMT' does not match format \"%b %d %H:%M:%S %Y GMT\""
        );
        assert_eq!(
            cert_time_to_seconds("Jan  5 24:00:00 2018 GMT")
                .unwrap_err()
                .to_string(),
            "time data '  5 24:00:00 2018 GMT' does not match format ' %d %H:%M:%S %Y GMT'"
        );
        assert!(cert_time_to_seconds("").is_err());
        assert!(cert_time_to_seconds("é").is_err());
    }
}
