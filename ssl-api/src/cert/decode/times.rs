//! Validity times: OpenSSL's parsing (`ossl_asn1_time_to_tm`,
//! `OPENSSL_gmtime_adj`) and the `ASN1_TIME_print` text CPython shows.

use super::der::{string_octets, Tlv, T_GENTIME, T_UTCTIME};
use super::{bad, R};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Broken-down time as `ossl_asn1_time_to_tm` fills it (year in full).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Tm {
    year: i64,
    mon: i64, // 0-based
    mday: i64,
    hour: i64,
    min: i64,
    sec: i64,
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// OpenSSL's non-strict `ossl_asn1_time_to_tm` (seconds optional, offsets
/// allowed and applied, offset hours at most 12, result years 1900-9999 when
/// an offset is applied).
fn asn1_time_to_tm(utc: bool, a: &[u8]) -> Option<Tm> {
    const MIN: [i64; 9] = [0, 0, 1, 1, 0, 0, 0, 0, 0];
    const MAX: [i64; 9] = [99, 99, 12, 31, 23, 59, 59, 12, 59];
    const MDAYS: [i64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let (min_l, end, btz) = if utc { (11, 6, 5) } else { (13, 7, 6) };
    let l = a.len();
    if l < min_l {
        return None;
    }
    let mut tm = Tm {
        year: 0,
        mon: 0,
        mday: 0,
        hour: 0,
        min: 0,
        sec: 0,
    };
    let mut o = 0usize;
    let digit = |c: u8| c.is_ascii_digit();
    for i in 0..end {
        if i == btz && matches!(a[o], b'Z' | b'+' | b'-') {
            break;
        }
        if !digit(a[o]) {
            return None;
        }
        let mut n = i64::from(a[o] - b'0');
        o += 1;
        if o == l || !digit(a[o]) {
            return None;
        }
        n = n * 10 + i64::from(a[o] - b'0');
        o += 1;
        if o == l {
            return None;
        }
        let i2 = if utc { i + 1 } else { i };
        if n < MIN[i2] || n > MAX[i2] {
            return None;
        }
        match i2 {
            0 => tm.year = n * 100,
            1 => {
                if utc {
                    tm.year = if n < 50 { 2000 + n } else { 1900 + n };
                } else {
                    tm.year += n;
                }
            }
            2 => tm.mon = n - 1,
            3 => {
                let md = if tm.mon == 1 {
                    MDAYS[1] + i64::from(is_leap(tm.year))
                } else {
                    MDAYS[tm.mon as usize]
                };
                if n > md {
                    return None;
                }
                tm.mday = n;
            }
            4 => tm.hour = n,
            5 => tm.min = n,
            _ => tm.sec = n,
        }
    }
    if !utc && a[o] == b'.' {
        o += 1;
        if o == l {
            return None;
        }
        let start = o;
        while o < l && digit(a[o]) {
            o += 1;
        }
        if o == start || o == l {
            return None;
        }
    }
    if a[o] == b'Z' {
        o += 1;
    } else if matches!(a[o], b'+' | b'-') {
        let sign: i64 = if a[o] == b'-' { 1 } else { -1 };
        o += 1;
        if o + 4 != l {
            return None;
        }
        let mut offset = 0i64;
        for i in end..end + 2 {
            if !digit(a[o]) || !digit(a[o + 1]) {
                return None;
            }
            let n = i64::from(a[o] - b'0') * 10 + i64::from(a[o + 1] - b'0');
            o += 2;
            let i2 = if utc { i + 1 } else { i };
            if n < MIN[i2] || n > MAX[i2] {
                return None;
            }
            offset += if i == end { n * 3600 } else { n * 60 };
        }
        if offset != 0 {
            tm = gmtime_adj(tm, offset * sign)?;
        }
    } else {
        return None;
    }
    (o == l).then_some(tm)
}

fn date_to_julian(y: i64, m: i64, d: i64) -> i64 {
    (1461 * (y + 4800 + (m - 14) / 12)) / 4 + (367 * (m - 2 - 12 * ((m - 14) / 12))) / 12
        - (3 * ((y + 4900 + (m - 14) / 12) / 100)) / 4
        + d
        - 32075
}

fn julian_to_date(jd: i64) -> (i64, i64, i64) {
    let mut l = jd + 68569;
    let n = (4 * l) / 146097;
    l -= (146097 * n + 3) / 4;
    let i = (4000 * (l + 1)) / 1461001;
    l = l - (1461 * i) / 4 + 31;
    let j = (80 * l) / 2447;
    let d = l - (2447 * j) / 80;
    l = j / 11;
    let m = j + 2 - (12 * l);
    let y = 100 * (n - 49) + i + l;
    (y, m, d)
}

/// `OPENSSL_gmtime_adj(tm, 0, offset)`, which fails outside years 1900-9999.
fn gmtime_adj(tm: Tm, offset: i64) -> Option<Tm> {
    let offset_day = offset / 86400;
    let offset_hms = offset - offset_day * 86400;
    let mut secs = tm.hour * 3600 + tm.min * 60 + tm.sec + offset_hms;
    let mut day_adj = offset_day;
    if secs >= 86400 {
        day_adj += 1;
        secs -= 86400;
    } else if secs < 0 {
        day_adj -= 1;
        secs += 86400;
    }
    let jd = date_to_julian(tm.year, tm.mon + 1, tm.mday) + day_adj;
    let (y, m, d) = julian_to_date(jd);
    if !(1900..=9999).contains(&y) {
        return None;
    }
    Some(Tm {
        year: y,
        mon: m - 1,
        mday: d,
        hour: secs / 3600,
        min: (secs / 60) % 60,
        sec: secs % 60,
    })
}

/// `ASN1_TIME_print` as CPython reads it: `Jan  5 09:34:43 2018 GMT`, with a
/// GeneralizedTime's fraction kept, or `Bad time value`.
pub(super) fn time_text(utc: bool, v: &[u8]) -> String {
    let Some(tm) = asn1_time_to_tm(utc, v) else {
        return "Bad time value".into();
    };
    let mut frac = "";
    if !utc && v.len() > 15 && v[14] == b'.' {
        let mut f_len = 1;
        while 14 + f_len < v.len() && v[14 + f_len].is_ascii_digit() {
            f_len += 1;
        }
        frac = std::str::from_utf8(&v[14..14 + f_len]).unwrap_or("");
    }
    format!(
        "{} {:2} {:02}:{:02}:{:02}{} {} GMT",
        MONTHS[tm.mon as usize], tm.mday, tm.hour, tm.min, tm.sec, frac, tm.year
    )
}

/// A validity time: (is UTCTime, text octets).
pub(super) fn parse_time(t: &Tlv) -> R<(bool, Vec<u8>)> {
    if !(t.is_univ(T_UTCTIME) || t.is_univ(T_GENTIME)) {
        return bad("validity time is neither UTCTime nor GeneralizedTime");
    }
    Ok((t.tag == T_UTCTIME, string_octets(t)?))
}
