//! OIDs as OpenSSL prints them (`OBJ_obj2txt(.., no_name = 0)`): OpenSSL 3.0's
//! long name when it has one, else the dotted text.

use std::fmt::Write as _;

use super::objects_0_1::OBJECTS_ARCS_0_1;
use super::objects_2::OBJECTS_ARC_2;

/// Dotted text of a (validated) OID encoding, arcs of any size.
pub(super) fn oid_dotted(p: &[u8]) -> String {
    let mut out = String::new();
    let mut first = true;
    let mut arc: Vec<u8> = Vec::new(); // base-128 digits of the current arc
    for &b in p {
        arc.push(b & 0x7F);
        if b & 0x80 != 0 {
            continue;
        }
        let mut digits = base128_to_decimal(&arc);
        arc.clear();
        if first {
            first = false;
            // First subidentifier: 40 * X + Y, X = 2 for every value >= 80.
            let top = if digits.len() > 2 {
                2
            } else {
                let v: u32 = digits.parse().unwrap_or(0);
                (v / 40).min(2)
            };
            digits = decimal_sub(&digits, u64::from(top) * 40);
            let _ = write!(out, "{top}.{digits}");
        } else {
            out.push('.');
            out.push_str(&digits);
        }
    }
    out
}

/// Decimal text of an unsigned number given as base-128 digits (big-endian).
fn base128_to_decimal(digits: &[u8]) -> String {
    // Little-endian limbs of 10^9.
    let mut limbs: Vec<u64> = vec![0];
    for &d in digits {
        let mut carry = u64::from(d);
        for limb in limbs.iter_mut() {
            let v = *limb * 128 + carry;
            *limb = v % 1_000_000_000;
            carry = v / 1_000_000_000;
        }
        while carry > 0 {
            limbs.push(carry % 1_000_000_000);
            carry /= 1_000_000_000;
        }
    }
    let mut s = String::new();
    for (i, limb) in limbs.iter().rev().enumerate() {
        if i == 0 {
            let _ = write!(s, "{limb}");
        } else {
            let _ = write!(s, "{limb:09}");
        }
    }
    s
}

/// `digits - k` for a decimal string `digits >= k`.
fn decimal_sub(digits: &str, k: u64) -> String {
    if k == 0 {
        return digits.to_string();
    }
    let mut bytes: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
    let mut borrow = k;
    for d in bytes.iter_mut().rev() {
        if borrow == 0 {
            break;
        }
        let sub = (borrow % 10) as u8;
        borrow /= 10;
        if *d >= sub {
            *d -= sub;
        } else {
            *d += 10 - sub;
            borrow += 1;
        }
    }
    let s: String = bytes.iter().map(|d| char::from(b'0' + d)).collect();
    let t = s.trim_start_matches('0');
    if t.is_empty() {
        "0".into()
    } else {
        t.into()
    }
}

/// OpenSSL's text for an OID: its long name when OpenSSL knows it, else the
/// dotted form.
pub(super) fn oid_text(p: &[u8]) -> String {
    let dotted = oid_dotted(p);
    match OPENSSL_OBJECTS.binary_search_by(|(oid, _)| (*oid).cmp(dotted.as_str())) {
        Ok(i) => OPENSSL_OBJECTS[i].1.to_string(),
        Err(_) => dotted,
    }
}

/// OpenSSL 3.0's object table: dotted OID -> long name (what `OBJ_obj2txt`
/// prints), sorted by the dotted text for binary search. Generated from
/// `_ssl.nid2obj` / `_ssl.txt2obj` of the machine's CPython 3.11 on OpenSSL
/// 3.0.19 (for `1.3`, which has two entries, the one `OBJ_obj2nid` finds).
pub(super) static OPENSSL_OBJECTS: &[(&str, &str)] =
    &joined::<{ OBJECTS_ARCS_0_1.len() + OBJECTS_ARC_2.len() }>(OBJECTS_ARCS_0_1, OBJECTS_ARC_2);

/// `a` then `b` in one array, built at compile time: the table is kept in two
/// files (arcs 0 and 1, then arc 2), each sorted, the second after the first.
const fn joined<const N: usize>(
    a: &[(&'static str, &'static str)],
    b: &[(&'static str, &'static str)],
) -> [(&'static str, &'static str); N] {
    let mut out = [("", ""); N];
    let mut i = 0;
    while i < a.len() {
        out[i] = a[i];
        i += 1;
    }
    let mut j = 0;
    while j < b.len() {
        out[i + j] = b[j];
        j += 1;
    }
    out
}
