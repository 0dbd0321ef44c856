//! Certificate decoding: DER (or the first certificate of a PEM file) to the
//! record CPython 3.11's `ssl._ssl._test_decode_cert` (and `getpeercert()`)
//! builds on OpenSSL 3.0 — DESIGN §7.
//!
//! The record must match CPython's dict byte for byte, quirks included, so the
//! decoder follows what OpenSSL accepts (`d2i_X509`) and what CPython's
//! `_decode_certificate` then does with it, rather than what RFC 5280 says:
//!
//! * A certificate `d2i_X509` refuses makes the whole decode fail (CPython:
//!   `SSLError('Error decoding PEM-encoded file')`). That covers malformed DER,
//!   illegally padded INTEGERs, bad OID encodings, name attribute values of a
//!   type outside OpenSSL's `DirectoryString`-like mask (VisibleString,
//!   GeneralString, OCTET STRING, INTEGER, ...), and UTF8String / BMPString /
//!   UniversalString values OpenSSL cannot canonicalise (invalid UTF-8, odd
//!   length, surrogates).
//! * Name attribute values OpenSSL stores but cannot turn into UTF-8 (a
//!   SEQUENCE, ObjectDescriptor, EXTERNAL, REAL, ... value) make CPython raise
//!   `SSLError` from whatever is left on OpenSSL's error queue; on a clean queue
//!   that is `unknown error (_ssl.c:NNNN)`. This decoder reports
//!   `SSLError('unknown error')` (no library, no reason, no `_ssl.c` line).
//! * CPython decodes DNS / email / URI / othername strings with strict UTF-8
//!   and raises `UnicodeDecodeError` on bad bytes. The crate's [`Error`] has no
//!   such kind, so that case is an [`Error::Value`] (Python's `ValueError`, the
//!   base class of `UnicodeDecodeError`) carrying Python's exact message.
//! * Extensions are decoded lazily, as OpenSSL's `X509_get_ext_d2i` does: a
//!   malformed or duplicated subjectAltName / authorityInfoAccess /
//!   crlDistributionPoints extension just leaves its keys out; trailing bytes
//!   after an extension's value are ignored.
//!
//! The outer framing is read with `asn1-rs` (the DER layer of `x509-parser`)
//! because `x509-parser`'s certificate model rejects or normalises things this
//! record must reproduce: unparsable validity times (CPython prints
//! `Bad time value`), fractional seconds and offsets, non-UTF-8 IA5 names, BER
//! constructed strings, X400/EDIParty names. Known OIDs come from
//! `x509-parser`'s `oid-registry` and, for OpenSSL's long names, from a table
//! of OpenSSL 3.0's objects generated from the machine's `_ssl` module.
//!
//! Known limits (where CPython could still differ): BER indefinite or
//! non-minimal length encodings, which OpenSSL accepts and the DER reader
//! refuses; a public key OpenSSL cannot parse is ignored here as there; and the
//! `_ssl.c` line number of CPython's `unknown error` messages, which is left out.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::Path;

use asn1_rs::{Any, Class, FromDer};
use x509_parser::oid_registry::{
    OID_PKIX_ACCESS_DESCRIPTOR_CA_ISSUERS, OID_PKIX_ACCESS_DESCRIPTOR_OCSP,
    OID_PKIX_AUTHORITY_INFO_ACCESS, OID_X509_EXT_CRL_DISTRIBUTION_POINTS,
    OID_X509_EXT_SUBJECT_ALT_NAME,
};

use crate::cert::record::CertRecord;
use crate::error::{Error, Result};
use crate::pyvalue::PyValue;

/// CPython's message when `PEM_read_bio_X509` finds no certificate it can decode.
const PEM_DECODE_ERROR: &str = "Error decoding PEM-encoded file";

/// Decodes one DER certificate into the record CPython 3.11 on OpenSSL 3.0
/// returns for it (reference: `getpeercert()`, `_test_decode_cert`; DESIGN §7).
///
/// Trailing bytes after the certificate are ignored, as OpenSSL's PEM reader
/// ignores them. Errors:
/// * DER that OpenSSL's `d2i_X509` refuses: `SSLError` without mnemonics
///   (`Error decoding DER-encoded certificate (...)`; for a file,
///   [`decode_cert_file`] gives CPython's exact text);
/// * a name attribute value OpenSSL cannot convert to UTF-8: `SSLError('unknown
///   error')` (CPython appends its `_ssl.c` line);
/// * a DNS / email / URI / othername string that is not UTF-8: `ValueError`
///   with the message of CPython's `UnicodeDecodeError`.
///
/// Signatures are not checked, as CPython does not check them here.
pub fn decode_cert(der: &[u8]) -> Result<CertRecord> {
    decode(der).map_err(|f| match f {
        Fail::Malformed(why) => {
            Error::ssl_message(format!("Error decoding DER-encoded certificate ({why})"))
        }
        Fail::Raise(e) => e,
    })
}

/// Decodes the first certificate of a PEM file, as CPython's
/// `ssl._ssl._test_decode_cert(path)` does.
///
/// Errors, as CPython raises them:
/// * a file that cannot be opened: `SSLError("Can't open file")` — an
///   `SSLError`, not an `OSError` (CPython's `str()` of it shows the args
///   tuple, `("Can't open file",)`, because it has no `strerror`);
/// * no `CERTIFICATE` / `X509 CERTIFICATE` block, malformed PEM or base64, a
///   file that cannot be read, or DER that OpenSSL refuses:
///   `SSLError('Error decoding PEM-encoded file')`, again without library or
///   reason;
/// * otherwise what [`decode_cert`] reports.
pub fn decode_cert_file(path: &Path) -> Result<CertRecord> {
    let mut file = std::fs::File::open(path).map_err(|_| Error::ssl_message("Can't open file"))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|_| Error::ssl_message(PEM_DECODE_ERROR))?;
    let blocks = pem::parse_many(&bytes).map_err(|_| Error::ssl_message(PEM_DECODE_ERROR))?;
    let block = blocks
        .iter()
        .find(|b| b.tag() == "CERTIFICATE" || b.tag() == "X509 CERTIFICATE")
        .ok_or_else(|| Error::ssl_message(PEM_DECODE_ERROR))?;
    decode(block.contents()).map_err(|f| match f {
        Fail::Malformed(_) => Error::ssl_message(PEM_DECODE_ERROR),
        Fail::Raise(e) => e,
    })
}

// ---------------------------------------------------------------------------
// Failure model
// ---------------------------------------------------------------------------

/// Why decoding stopped.
#[derive(Debug)]
enum Fail {
    /// OpenSSL's `d2i` would refuse these bytes.
    Malformed(&'static str),
    /// CPython raises this while building the dict.
    Raise(Error),
}

type R<T> = std::result::Result<T, Fail>;

fn bad<T>(why: &'static str) -> R<T> {
    Err(Fail::Malformed(why))
}

// ---------------------------------------------------------------------------
// DER framing (asn1-rs)
// ---------------------------------------------------------------------------

/// One TLV: class, constructed bit, tag number and contents.
#[derive(Clone, Copy, Debug)]
struct Tlv<'a> {
    class: Class,
    constructed: bool,
    tag: u32,
    data: &'a [u8],
}

impl Tlv<'_> {
    fn is(&self, class: Class, tag: u32) -> bool {
        self.class == class && self.tag == tag
    }
    fn is_univ(&self, tag: u32) -> bool {
        self.is(Class::Universal, tag)
    }
    fn is_ctx(&self, tag: u32) -> bool {
        self.is(Class::ContextSpecific, tag)
    }
}

const T_BOOLEAN: u32 = 1;
const T_INTEGER: u32 = 2;
const T_BIT_STRING: u32 = 3;
const T_OCTET_STRING: u32 = 4;
const T_NULL: u32 = 5;
const T_OID: u32 = 6;
const T_ENUMERATED: u32 = 10;
const T_UTF8: u32 = 12;
const T_SEQUENCE: u32 = 16;
const T_SET: u32 = 17;
const T_NUMERIC: u32 = 18;
const T_PRINTABLE: u32 = 19;
const T_T61: u32 = 20;
const T_IA5: u32 = 22;
const T_UTCTIME: u32 = 23;
const T_GENTIME: u32 = 24;
const T_UNIVERSAL: u32 = 28;
const T_BMP: u32 = 30;

/// OpenSSL's limit on nested constructed strings (`ASN1_MAX_STRING_NEST`).
const MAX_STRING_NEST: usize = 5;

fn read_tlv(i: &[u8]) -> R<(Tlv<'_>, &[u8])> {
    let (rest, any) = Any::from_der(i).map_err(|_| Fail::Malformed("bad DER TLV"))?;
    Ok((
        Tlv {
            class: any.header.class(),
            constructed: any.header.is_constructed(),
            tag: any.header.tag().0,
            data: any.data,
        },
        rest,
    ))
}

/// Every TLV in `data` (which must hold nothing else).
fn children(data: &[u8]) -> R<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let (t, r) = read_tlv(rest)?;
        out.push(t);
        rest = r;
    }
    Ok(out)
}

/// The contents of a constructed element that must hold exactly one TLV
/// (an EXPLICIT tag).
fn explicit_inner<'a>(t: &Tlv<'a>) -> R<Tlv<'a>> {
    if !t.constructed {
        return bad("explicit tag not constructed");
    }
    match children(t.data)?.as_slice() {
        [one] => Ok(*one),
        _ => bad("explicit tag must hold one element"),
    }
}

fn expect_seq<'a>(t: &Tlv<'a>) -> R<Vec<Tlv<'a>>> {
    if !t.is_univ(T_SEQUENCE) || !t.constructed {
        return bad("expected a SEQUENCE");
    }
    children(t.data)
}

/// The octets of a string-like element, primitive or BER constructed (OpenSSL's
/// `asn1_collect`: nested pieces must be UNIVERSAL; their tags are not checked).
fn string_octets(t: &Tlv) -> R<Vec<u8>> {
    if !t.constructed {
        return Ok(t.data.to_vec());
    }
    let mut out = Vec::new();
    collect(t.data, 0, &mut out)?;
    Ok(out)
}

fn collect(data: &[u8], depth: usize, out: &mut Vec<u8>) -> R<()> {
    if depth >= MAX_STRING_NEST {
        return bad("constructed string nested too deep");
    }
    for piece in children(data)? {
        if piece.class != Class::Universal {
            return bad("constructed string piece not universal");
        }
        if piece.constructed {
            collect(piece.data, depth + 1, out)?;
        } else {
            out.extend_from_slice(piece.data);
        }
    }
    Ok(())
}

/// An INTEGER's contents as OpenSSL's `c2i_ibuf` reads them: sign and
/// magnitude (big-endian), refusing empty contents and illegal padding.
fn integer(t: &Tlv) -> R<(bool, Vec<u8>)> {
    if t.constructed {
        return bad("INTEGER not primitive");
    }
    let p = t.data;
    let Some(&first) = p.first() else {
        return bad("empty INTEGER");
    };
    let neg = first & 0x80 != 0;
    if p.len() == 1 {
        let b = if neg {
            (first ^ 0xFF).wrapping_add(1)
        } else {
            first
        };
        return Ok((neg, vec![b]));
    }
    let pad = match first {
        0 => true,
        0xFF => p[1..].iter().any(|&b| b != 0),
        _ => false,
    };
    if pad && (neg == (p[1] & 0x80 != 0)) {
        return bad("INTEGER with illegal padding");
    }
    let body = if pad { &p[1..] } else { p };
    if !neg {
        return Ok((false, body.to_vec()));
    }
    // Two's complement negation of `body`.
    let mut mag = vec![0u8; body.len()];
    let mut carry: u16 = 1;
    for (dst, src) in mag.iter_mut().rev().zip(body.iter().rev()) {
        let v = u16::from(src ^ 0xFF) + carry;
        *dst = v as u8;
        carry = v >> 8;
    }
    Ok((true, mag))
}

/// OpenSSL's `ASN1_INTEGER_get`: the value as a C `long`, or -1 when it does
/// not fit.
fn integer_as_long(neg: bool, mag: &[u8]) -> i64 {
    if mag.len() > 8 {
        return -1;
    }
    let v = mag.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    if neg {
        if v > 1u64 << 63 {
            -1
        } else {
            (v as i64).wrapping_neg()
        }
    } else if v > i64::MAX as u64 {
        -1
    } else {
        v as i64
    }
}

/// A BIT STRING's data as OpenSSL keeps it (unused bits cleared); `None` when
/// it holds no data octet.
fn bit_string(t: &Tlv) -> R<Option<Vec<u8>>> {
    let octets = string_octets(t)?;
    let Some((&unused, data)) = octets.split_first() else {
        return bad("empty BIT STRING");
    };
    if unused > 7 {
        return bad("BIT STRING with more than 7 unused bits");
    }
    if data.is_empty() {
        return Ok(None);
    }
    let mut data = data.to_vec();
    if let Some(last) = data.last_mut() {
        *last &= 0xFFu8 << unused;
    }
    Ok(Some(data))
}

/// Checks an OBJECT IDENTIFIER's contents as OpenSSL's `c2i_ASN1_OBJECT` does.
fn oid_bytes<'a>(t: &Tlv<'a>) -> R<&'a [u8]> {
    if !t.is_univ(T_OID) || t.constructed {
        return bad("expected an OBJECT IDENTIFIER");
    }
    check_oid(t.data)?;
    Ok(t.data)
}

fn check_oid(p: &[u8]) -> R<()> {
    match p.last() {
        None => return bad("empty OBJECT IDENTIFIER"),
        Some(&last) if last & 0x80 != 0 => return bad("truncated OBJECT IDENTIFIER"),
        _ => {}
    }
    for (i, &b) in p.iter().enumerate() {
        if b == 0x80 && (i == 0 || p[i - 1] & 0x80 == 0) {
            return bad("OBJECT IDENTIFIER with a padded arc");
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// OIDs as OpenSSL prints them (`OBJ_obj2txt(.., no_name = 0)`)
// ---------------------------------------------------------------------------

/// Dotted text of a (validated) OID encoding, arcs of any size.
fn oid_dotted(p: &[u8]) -> String {
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
fn oid_text(p: &[u8]) -> String {
    let dotted = oid_dotted(p);
    match OPENSSL_OBJECTS.binary_search_by(|(oid, _)| (*oid).cmp(dotted.as_str())) {
        Ok(i) => OPENSSL_OBJECTS[i].1.to_string(),
        Err(_) => dotted,
    }
}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

/// An attribute value as `d2i_X509` left it.
#[derive(Clone, Debug)]
enum AttrValue {
    /// A string type, already converted to text (`ASN1_STRING_to_UTF8`).
    Text(String),
    /// A BIT STRING's data (`None` when empty: CPython's `y#` of NULL).
    Bits(Option<Vec<u8>>),
    /// Stored by OpenSSL, but `ASN1_STRING_to_UTF8` fails on it.
    Refused,
}

/// A name: its non-empty RDNs, each a list of (OID encoding, value).
type Name<'a> = Vec<Vec<(&'a [u8], AttrValue)>>;

fn parse_name<'a>(t: &Tlv<'a>) -> R<Name<'a>> {
    let mut rdns = Vec::new();
    for set in expect_seq(t)? {
        if !set.is_univ(T_SET) || !set.constructed {
            return bad("RDN is not a SET");
        }
        let mut rdn = Vec::new();
        for entry in children(set.data)? {
            match expect_seq(&entry)?.as_slice() {
                [oid, value] => rdn.push((oid_bytes(oid)?, attr_value(value)?)),
                _ => return bad("attribute must be (type, value)"),
            }
        }
        if !rdn.is_empty() {
            rdns.push(rdn);
        }
    }
    Ok(rdns)
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| char::from(c)).collect()
}

/// An attribute value, per OpenSSL's `ASN1_PRINTABLE` MSTRING and the name
/// canonicalisation `d2i` runs.
fn attr_value(t: &Tlv) -> R<AttrValue> {
    if t.class != Class::Universal {
        return bad("attribute value not universal");
    }
    match t.tag {
        T_BIT_STRING => Ok(AttrValue::Bits(bit_string(t)?)),
        T_UTF8 => match String::from_utf8(string_octets(t)?) {
            Ok(s) => Ok(AttrValue::Text(s)),
            Err(_) => bad("invalid UTF8String"),
        },
        T_NUMERIC | T_PRINTABLE | T_T61 | T_IA5 => Ok(AttrValue::Text(latin1(&string_octets(t)?))),
        T_UNIVERSAL => {
            let b = string_octets(t)?;
            if b.len() % 4 != 0 {
                return bad("UniversalString length not a multiple of 4");
            }
            b.chunks_exact(4)
                .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                .collect::<Option<String>>()
                .map(AttrValue::Text)
                .ok_or(Fail::Malformed("invalid UniversalString"))
        }
        T_BMP => {
            let b = string_octets(t)?;
            if b.len() % 2 != 0 {
                return bad("BMPString of odd length");
            }
            b.chunks_exact(2)
                .map(|c| char::from_u32(u32::from(u16::from_be_bytes([c[0], c[1]]))))
                .collect::<Option<String>>()
                .map(AttrValue::Text)
                .ok_or(Fail::Malformed("invalid BMPString"))
        }
        T_SEQUENCE => {
            if !t.constructed {
                return bad("SEQUENCE not constructed");
            }
            Ok(AttrValue::Refused)
        }
        // ObjectDescriptor, EXTERNAL, REAL, EMBEDDED PDV, RELATIVE-OID, TIME,
        // tag 15, CHARACTER STRING: B_ASN1_UNKNOWN, stored but not convertible.
        7 | 8 | 9 | 11 | 13 | 14 | 15 | 29 => {
            string_octets(t)?;
            Ok(AttrValue::Refused)
        }
        _ => bad("attribute value type refused by OpenSSL"),
    }
}

/// CPython's `_create_tuple_for_X509_NAME`.
fn name_value(name: &Name) -> Result<PyValue> {
    let mut rdns = Vec::with_capacity(name.len());
    for rdn in name {
        let mut pairs = Vec::with_capacity(rdn.len());
        for (oid, value) in rdn {
            let v = match value {
                AttrValue::Text(s) => PyValue::Str(s.clone()),
                AttrValue::Bits(Some(b)) => PyValue::Bytes(b.clone()),
                AttrValue::Bits(None) => PyValue::None,
                AttrValue::Refused => return Err(Error::ssl_message("unknown error")),
            };
            pairs.push(PyValue::pair(oid_text(oid), v));
        }
        rdns.push(PyValue::Tuple(pairs));
    }
    Ok(PyValue::Tuple(rdns))
}

// ---------------------------------------------------------------------------
// Python's strict UTF-8 decoding
// ---------------------------------------------------------------------------

/// `bytes.decode('utf-8')`, with `UnicodeDecodeError`'s message as a
/// `ValueError` when it fails.
fn py_utf8(b: &[u8]) -> Result<String> {
    match std::str::from_utf8(b) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let start = e.valid_up_to();
            let (end, reason) = match e.error_len() {
                Some(n) => {
                    let lead_ok = matches!(b[start], 0xC2..=0xF4);
                    let reason = if n == 1 && !lead_ok {
                        "invalid start byte"
                    } else {
                        "invalid continuation byte"
                    };
                    (start + n, reason)
                }
                None => (b.len(), "unexpected end of data"),
            };
            let msg = if end - start == 1 {
                format!(
                    "'utf-8' codec can't decode byte 0x{:02x} in position {start}: {reason}",
                    b[start]
                )
            } else {
                format!(
                    "'utf-8' codec can't decode bytes in position {start}-{}: {reason}",
                    end - 1
                )
            };
            Err(Error::value(msg))
        }
    }
}

// ---------------------------------------------------------------------------
// Serial number and times
// ---------------------------------------------------------------------------

/// `i2a_ASN1_INTEGER` read back with one `BIO_gets`: upper-case hex, `-` for
/// negatives, and past 35 octets only the first line of OpenSSL's wrap (70
/// digits, a backslash and a newline).
fn serial_text(neg: bool, mag: &[u8]) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    for (i, b) in mag.iter().enumerate() {
        if i == 35 {
            s.push_str("\\\n");
            break;
        }
        let _ = write!(s, "{b:02X}");
    }
    s
}

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
fn time_text(utc: bool, v: &[u8]) -> String {
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
fn parse_time(t: &Tlv) -> R<(bool, Vec<u8>)> {
    if !(t.is_univ(T_UTCTIME) || t.is_univ(T_GENTIME)) {
        return bad("validity time is neither UTCTime nor GeneralizedTime");
    }
    Ok((t.tag == T_UTCTIME, string_octets(t)?))
}

// ---------------------------------------------------------------------------
// The certificate
// ---------------------------------------------------------------------------

fn algorithm_identifier(t: &Tlv) -> R<()> {
    match expect_seq(t)?.as_slice() {
        [oid] | [oid, _] => oid_bytes(oid).map(|_| ()),
        _ => bad("malformed AlgorithmIdentifier"),
    }
}

fn bit_string_field(t: &Tlv) -> R<()> {
    bit_string(t).map(|_| ())
}

/// What `d2i_X509` keeps of a certificate, for CPython's dict.
struct Parsed<'a> {
    version: i64,
    serial: (bool, Vec<u8>),
    issuer: Name<'a>,
    not_before: (bool, Vec<u8>),
    not_after: (bool, Vec<u8>),
    subject: Name<'a>,
    /// (OID encoding, extnValue octets) in certificate order.
    extensions: Vec<(&'a [u8], Vec<u8>)>,
}

fn parse_certificate(der: &[u8]) -> R<Parsed<'_>> {
    let (cert, _trailing) = read_tlv(der)?;
    let parts = expect_seq(&cert)?;
    let [tbs, sig_alg, sig] = parts.as_slice() else {
        return bad("Certificate must have three fields");
    };
    algorithm_identifier(sig_alg)?;
    if !sig.is_univ(T_BIT_STRING) {
        return bad("signature is not a BIT STRING");
    }
    bit_string_field(sig)?;

    let fields = expect_seq(tbs)?;
    let mut it = fields.iter().peekable();
    let mut version = 0i64;
    if let Some(v) = it.next_if(|t| t.is_ctx(0)) {
        let inner = explicit_inner(v)?;
        if !inner.is_univ(T_INTEGER) {
            return bad("version is not an INTEGER");
        }
        let (neg, mag) = integer(&inner)?;
        version = integer_as_long(neg, &mag);
    }
    let serial = match it.next() {
        Some(t) if t.is_univ(T_INTEGER) => integer(t)?,
        _ => return bad("missing serialNumber"),
    };
    algorithm_identifier(it.next().ok_or(Fail::Malformed("missing signature"))?)?;
    let issuer = parse_name(it.next().ok_or(Fail::Malformed("missing issuer"))?)?;
    let validity = expect_seq(it.next().ok_or(Fail::Malformed("missing validity"))?)?;
    let [nb, na] = validity.as_slice() else {
        return bad("validity must hold two times");
    };
    let not_before = parse_time(nb)?;
    let not_after = parse_time(na)?;
    let subject = parse_name(it.next().ok_or(Fail::Malformed("missing subject"))?)?;
    let spki = expect_seq(it.next().ok_or(Fail::Malformed("missing key"))?)?;
    match spki.as_slice() {
        [alg, key] if key.is_univ(T_BIT_STRING) => {
            algorithm_identifier(alg)?;
            bit_string_field(key)?;
        }
        _ => return bad("malformed SubjectPublicKeyInfo"),
    }
    for tag in [1, 2] {
        if let Some(uid) = it.next_if(|t| t.is_ctx(tag)) {
            bit_string_field(uid)?;
        }
    }
    let mut extensions = Vec::new();
    if let Some(exts) = it.next_if(|t| t.is_ctx(3)) {
        for ext in expect_seq(&explicit_inner(exts)?)? {
            let parts = expect_seq(&ext)?;
            let (oid, rest) = match parts.split_first() {
                Some((oid, rest)) => (oid_bytes(oid)?, rest),
                None => return bad("empty Extension"),
            };
            let value = match rest {
                [crit, value] if crit.is_univ(T_BOOLEAN) => {
                    if crit.constructed || crit.data.len() != 1 {
                        return bad("malformed critical flag");
                    }
                    value
                }
                [value] => value,
                _ => return bad("malformed Extension"),
            };
            if !value.is_univ(T_OCTET_STRING) {
                return bad("extnValue is not an OCTET STRING");
            }
            extensions.push((oid, string_octets(value)?));
        }
    }
    if it.next().is_some() {
        return bad("unexpected field in TBSCertificate");
    }
    Ok(Parsed {
        version,
        serial,
        issuer,
        not_before,
        not_after,
        subject,
        extensions,
    })
}

// ---------------------------------------------------------------------------
// GeneralName and the extensions CPython reads
// ---------------------------------------------------------------------------

/// A GeneralName as OpenSSL decodes it.
#[derive(Debug)]
enum GenName<'a> {
    /// otherName: type OID and value (universal tag when universal, octets).
    Other(&'a [u8], Option<u32>, Vec<u8>),
    Email(Vec<u8>),
    Dns(Vec<u8>),
    X400,
    Dir(Name<'a>),
    EdiParty,
    Uri(Vec<u8>),
    Ip(Vec<u8>),
    Rid(&'a [u8]),
}

/// An `ASN1_ANY` value as OpenSSL decodes it: the universal tag (None for other
/// classes) and its octets, refusing what `asn1_ex_c2i` refuses.
fn any_value(t: &Tlv) -> R<(Option<u32>, Vec<u8>)> {
    if t.class != Class::Universal {
        return Ok((None, t.data.to_vec()));
    }
    match t.tag {
        T_SEQUENCE | T_SET => {
            if !t.constructed {
                return bad("SEQUENCE/SET not constructed");
            }
            return Ok((Some(t.tag), t.data.to_vec()));
        }
        T_NULL | T_BOOLEAN | T_OID | T_INTEGER | T_ENUMERATED if t.constructed => {
            return bad("type must be primitive");
        }
        _ => {}
    }
    let octets = string_octets(t)?;
    match t.tag {
        T_BOOLEAN if octets.len() != 1 => return bad("BOOLEAN of wrong length"),
        T_NULL if !octets.is_empty() => return bad("NULL with contents"),
        T_OID => check_oid(&octets)?,
        T_INTEGER | T_ENUMERATED => {
            integer(t)?;
        }
        T_BIT_STRING => {
            bit_string(t)?;
        }
        T_BMP if octets.len() % 2 != 0 => return bad("BMPString of odd length"),
        T_UNIVERSAL if octets.len() % 4 != 0 => return bad("UniversalString length"),
        _ => {}
    }
    Ok((Some(t.tag), octets))
}

/// A DirectoryString inside an EDIPartyName.
fn directory_string(t: &Tlv) -> R<()> {
    let inner = explicit_inner(t)?;
    if inner.class != Class::Universal
        || !matches!(
            inner.tag,
            T_PRINTABLE | T_T61 | T_BMP | T_UNIVERSAL | T_UTF8
        )
    {
        return bad("not a DirectoryString");
    }
    any_value(&inner).map(|_| ())
}

fn general_name<'a>(t: &Tlv<'a>) -> R<GenName<'a>> {
    if t.class != Class::ContextSpecific {
        return bad("GeneralName not context-specific");
    }
    Ok(match t.tag {
        0 => {
            if !t.constructed {
                return bad("otherName not constructed");
            }
            match children(t.data)?.as_slice() {
                [oid, value] if value.is_ctx(0) => {
                    let oid = oid_bytes(oid)?;
                    let (tag, octets) = any_value(&explicit_inner(value)?)?;
                    GenName::Other(oid, tag, octets)
                }
                _ => return bad("malformed otherName"),
            }
        }
        1 => GenName::Email(string_octets(t)?),
        2 => GenName::Dns(string_octets(t)?),
        3 => {
            if !t.constructed {
                return bad("x400Address not constructed");
            }
            GenName::X400
        }
        4 => GenName::Dir(parse_name(&explicit_inner(t)?)?),
        5 => {
            if !t.constructed {
                return bad("ediPartyName not constructed");
            }
            let parts = children(t.data)?;
            match parts.as_slice() {
                [assigner, party] if assigner.is_ctx(0) && party.is_ctx(1) => {
                    directory_string(assigner)?;
                    directory_string(party)?;
                }
                [party] if party.is_ctx(1) => directory_string(party)?,
                _ => return bad("malformed ediPartyName"),
            }
            GenName::EdiParty
        }
        6 => GenName::Uri(string_octets(t)?),
        7 => GenName::Ip(string_octets(t)?),
        8 => {
            if t.constructed {
                return bad("registeredID not primitive");
            }
            check_oid(t.data)?;
            GenName::Rid(t.data)
        }
        _ => return bad("unknown GeneralName type"),
    })
}

fn general_names<'a>(data: &'a [u8]) -> R<Vec<GenName<'a>>> {
    children(data)?.iter().map(general_name).collect()
}

/// `X509V3_EXT_d2i`: the first TLV of the value must be a SEQUENCE; trailing
/// bytes are ignored.
fn ext_sequence(value: &[u8]) -> R<Vec<Tlv<'_>>> {
    let (t, _trailing) = read_tlv(value)?;
    expect_seq(&t)
}

fn parse_san(value: &[u8]) -> R<Vec<GenName<'_>>> {
    ext_sequence(value)?.iter().map(general_name).collect()
}

/// AccessDescriptions as (method OID, location).
fn parse_aia(value: &[u8]) -> R<Vec<(&[u8], GenName<'_>)>> {
    let mut out = Vec::new();
    for ad in ext_sequence(value)? {
        match expect_seq(&ad)?.as_slice() {
            [method, location] => out.push((oid_bytes(method)?, general_name(location)?)),
            _ => return bad("malformed AccessDescription"),
        }
    }
    Ok(out)
}

/// For each DistributionPoint, its fullName GeneralNames (empty when the
/// point has no name or a nameRelativeToCRLIssuer).
fn parse_crldp(value: &[u8]) -> R<Vec<Vec<GenName<'_>>>> {
    let mut out = Vec::new();
    for dp in ext_sequence(value)? {
        let fields = expect_seq(&dp)?;
        let mut it = fields.iter().peekable();
        let mut full = Vec::new();
        if let Some(dpn) = it.next_if(|t| t.is_ctx(0)) {
            let choice = explicit_inner(dpn)?;
            if !choice.constructed {
                return bad("DistributionPointName not constructed");
            }
            if choice.is_ctx(0) {
                full = general_names(choice.data)?;
            } else if choice.is_ctx(1) {
                for entry in children(choice.data)? {
                    match expect_seq(&entry)?.as_slice() {
                        [oid, value] => {
                            oid_bytes(oid)?;
                            attr_value(value)?;
                        }
                        _ => return bad("malformed relative name"),
                    }
                }
            } else {
                return bad("unknown DistributionPointName");
            }
        }
        if let Some(reasons) = it.next_if(|t| t.is_ctx(1)) {
            bit_string(reasons)?;
        }
        if let Some(issuer) = it.next_if(|t| t.is_ctx(2)) {
            if !issuer.constructed {
                return bad("cRLIssuer not constructed");
            }
            general_names(issuer.data)?;
        }
        if it.next().is_some() {
            return bad("unexpected field in DistributionPoint");
        }
        out.push(full);
    }
    Ok(out)
}

/// `X509_get_ext_d2i(cert, nid, NULL, NULL)`: the value of the only extension
/// with this OID (none when absent or repeated).
fn single_extension<'p>(p: &'p Parsed, oid: &[u8]) -> Option<&'p [u8]> {
    let mut found = p.extensions.iter().filter(|(o, _)| *o == oid);
    match (found.next(), found.next()) {
        (Some((_, v)), None) => Some(v),
        _ => None,
    }
}

/// otherName types OpenSSL 3.0's `GENERAL_NAME_print` shows.
const OTHERNAME_PRINTED: [(&str, &str); 5] = [
    ("1.3.6.1.5.5.7.8.9", "SmtpUTF8Mailbox"),
    ("1.3.6.1.5.5.7.8.5", "XmppAddr"),
    ("1.3.6.1.5.5.7.8.7", "SRVName"),
    ("1.3.6.1.4.1.311.20.2.3", "UPN"),
    ("1.3.6.1.5.5.7.8.8", "NAIRealm"),
];

/// The `GENERAL_NAME_print` line CPython splits at its first `:`.
fn printed_general_name(gn: &GenName) -> Vec<u8> {
    match gn {
        GenName::X400 => b"X400Name:<unsupported>".to_vec(),
        GenName::EdiParty => b"EdiPartyName:<unsupported>".to_vec(),
        GenName::Other(oid, tag, octets) => {
            let dotted = oid_dotted(oid);
            let known = OTHERNAME_PRINTED.iter().find(|(o, _)| *o == dotted);
            let want = if dotted == "1.3.6.1.5.5.7.8.7" {
                T_IA5
            } else {
                T_UTF8
            };
            match known {
                Some((_, label)) if *tag == Some(want) => {
                    let mut line = format!("othername:{label}:").into_bytes();
                    // `%.*s` stops at the first NUL.
                    line.extend(octets.iter().take_while(|&&b| b != 0));
                    line
                }
                _ => b"othername:<unsupported>".to_vec(),
            }
        }
        _ => Vec::new(),
    }
}

/// CPython's handling of one printed line: `BIO_gets` into a 2048-byte buffer
/// (one line, at most 2046 bytes), split at the first `:`, both halves decoded
/// as strict UTF-8.
fn split_printed(line: &[u8]) -> Result<PyValue> {
    let mut end = line.len().min(2046);
    if let Some(nl) = line[..end].iter().position(|&b| b == b'\n') {
        end = nl + 1;
    }
    let line = &line[..end];
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return Err(Error::value(format!(
            "Invalid value {}",
            String::from_utf8_lossy(&line[..line.len().min(200)])
        )));
    };
    Ok(PyValue::Tuple(vec![
        PyValue::Str(py_utf8(&line[..colon])?),
        PyValue::Str(py_utf8(&line[colon + 1..])?),
    ]))
}

/// CPython's `_get_peer_alt_names` for one GeneralName.
fn san_entry(gn: &GenName) -> Result<PyValue> {
    Ok(match gn {
        GenName::Dir(name) => PyValue::pair("DirName", name_value(name)?),
        GenName::Email(b) => PyValue::pair("email", PyValue::Str(py_utf8(b)?)),
        GenName::Dns(b) => PyValue::pair("DNS", PyValue::Str(py_utf8(b)?)),
        GenName::Uri(b) => PyValue::pair("URI", PyValue::Str(py_utf8(b)?)),
        GenName::Rid(oid) => {
            let text = oid_text(oid);
            // i2t_ASN1_OBJECT into a 2048-byte buffer.
            let text = if text.len() >= 2048 {
                "<INVALID>".to_string()
            } else {
                text
            };
            PyValue::pair("Registered ID", PyValue::Str(text))
        }
        GenName::Ip(b) => {
            let text = match b.len() {
                4 => format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3]),
                16 => b
                    .chunks_exact(2)
                    .map(|c| format!("{:X}", u16::from_be_bytes([c[0], c[1]])))
                    .collect::<Vec<_>>()
                    .join(":"),
                _ => "<invalid>".to_string(),
            };
            PyValue::pair("IP Address", PyValue::Str(text))
        }
        GenName::Other(..) | GenName::X400 | GenName::EdiParty => {
            split_printed(&printed_general_name(gn))?
        }
    })
}

/// CPython's `_get_aia_uri`.
fn aia_uris(p: &Parsed, method: &[u8]) -> Result<Option<PyValue>> {
    let Some(value) = single_extension(p, OID_PKIX_AUTHORITY_INFO_ACCESS.as_bytes()) else {
        return Ok(None);
    };
    let Ok(ads) = parse_aia(value) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for (m, loc) in &ads {
        if let (true, GenName::Uri(b)) = (*m == method, loc) {
            out.push(PyValue::Str(py_utf8(b)?));
        }
    }
    Ok((!out.is_empty()).then_some(PyValue::Tuple(out)))
}

/// CPython's `_get_crl_dp`. A nameRelativeToCRLIssuer point is skipped: CPython
/// reads it as a GeneralName stack (a type confusion in `_ssl.c`) whose entries
/// never look like URIs.
fn crl_uris(p: &Parsed) -> Result<Option<PyValue>> {
    let Some(value) = single_extension(p, OID_X509_EXT_CRL_DISTRIBUTION_POINTS.as_bytes()) else {
        return Ok(None);
    };
    let Ok(points) = parse_crldp(value) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for gn in points.iter().flatten() {
        if let GenName::Uri(b) = gn {
            out.push(PyValue::Str(py_utf8(b)?));
        }
    }
    Ok((!out.is_empty()).then_some(PyValue::Tuple(out)))
}

fn decode(der: &[u8]) -> R<CertRecord> {
    let p = parse_certificate(der)?;
    build(&p).map_err(Fail::Raise)
}

/// CPython's `_decode_certificate`, in its order (errors included).
fn build(p: &Parsed) -> Result<CertRecord> {
    let mut rec = CertRecord::empty();
    rec.push("subject", name_value(&p.subject)?);
    rec.push("issuer", name_value(&p.issuer)?);
    rec.push("version", PyValue::Int(p.version.wrapping_add(1)));
    rec.push(
        "serialNumber",
        PyValue::Str(serial_text(p.serial.0, &p.serial.1)),
    );
    rec.push(
        "notBefore",
        PyValue::Str(time_text(p.not_before.0, &p.not_before.1)),
    );
    rec.push(
        "notAfter",
        PyValue::Str(time_text(p.not_after.0, &p.not_after.1)),
    );
    if let Some(value) = single_extension(p, OID_X509_EXT_SUBJECT_ALT_NAME.as_bytes()) {
        if let Ok(names) = parse_san(value) {
            let entries = names.iter().map(san_entry).collect::<Result<Vec<_>>>()?;
            rec.push("subjectAltName", PyValue::Tuple(entries));
        }
    }
    if let Some(v) = aia_uris(p, OID_PKIX_ACCESS_DESCRIPTOR_OCSP.as_bytes())? {
        rec.push("OCSP", v);
    }
    if let Some(v) = aia_uris(p, OID_PKIX_ACCESS_DESCRIPTOR_CA_ISSUERS.as_bytes())? {
        rec.push("caIssuers", v);
    }
    if let Some(v) = crl_uris(p)? {
        rec.push("crlDistributionPoints", v);
    }
    Ok(rec)
}

/// OpenSSL 3.0's object table: dotted OID -> long name (what `OBJ_obj2txt`
/// prints), sorted by the dotted text for binary search. Generated from
/// `_ssl.nid2obj` / `_ssl.txt2obj` of the machine's CPython 3.11 on OpenSSL
/// 3.0.19 (for `1.3`, which has two entries, the one `OBJ_obj2nid` finds).
static OPENSSL_OBJECTS: &[(&str, &str)] = &[
    ("0.3.4401.5.3.1.9.1", "camellia-128-ecb"),
    ("0.3.4401.5.3.1.9.10", "camellia-128-cmac"),
    ("0.3.4401.5.3.1.9.21", "camellia-192-ecb"),
    ("0.3.4401.5.3.1.9.23", "camellia-192-ofb"),
    ("0.3.4401.5.3.1.9.24", "camellia-192-cfb"),
    ("0.3.4401.5.3.1.9.26", "camellia-192-gcm"),
    ("0.3.4401.5.3.1.9.27", "camellia-192-ccm"),
    ("0.3.4401.5.3.1.9.29", "camellia-192-ctr"),
    ("0.3.4401.5.3.1.9.3", "camellia-128-ofb"),
    ("0.3.4401.5.3.1.9.30", "camellia-192-cmac"),
    ("0.3.4401.5.3.1.9.4", "camellia-128-cfb"),
    ("0.3.4401.5.3.1.9.41", "camellia-256-ecb"),
    ("0.3.4401.5.3.1.9.43", "camellia-256-ofb"),
    ("0.3.4401.5.3.1.9.44", "camellia-256-cfb"),
    ("0.3.4401.5.3.1.9.46", "camellia-256-gcm"),
    ("0.3.4401.5.3.1.9.47", "camellia-256-ccm"),
    ("0.3.4401.5.3.1.9.49", "camellia-256-ctr"),
    ("0.3.4401.5.3.1.9.50", "camellia-256-cmac"),
    ("0.3.4401.5.3.1.9.6", "camellia-128-gcm"),
    ("0.3.4401.5.3.1.9.7", "camellia-128-ccm"),
    ("0.3.4401.5.3.1.9.9", "camellia-128-ctr"),
    ("0.9", "data"),
    ("0.9.2342", "pss"),
    ("0.9.2342.19200300", "ucl"),
    ("0.9.2342.19200300.100", "pilot"),
    ("0.9.2342.19200300.100.1", "pilotAttributeType"),
    ("0.9.2342.19200300.100.1.1", "userId"),
    ("0.9.2342.19200300.100.1.10", "manager"),
    ("0.9.2342.19200300.100.1.11", "documentIdentifier"),
    ("0.9.2342.19200300.100.1.12", "documentTitle"),
    ("0.9.2342.19200300.100.1.13", "documentVersion"),
    ("0.9.2342.19200300.100.1.14", "documentAuthor"),
    ("0.9.2342.19200300.100.1.15", "documentLocation"),
    ("0.9.2342.19200300.100.1.2", "textEncodedORAddress"),
    ("0.9.2342.19200300.100.1.20", "homeTelephoneNumber"),
    ("0.9.2342.19200300.100.1.21", "secretary"),
    ("0.9.2342.19200300.100.1.22", "otherMailbox"),
    ("0.9.2342.19200300.100.1.23", "lastModifiedTime"),
    ("0.9.2342.19200300.100.1.24", "lastModifiedBy"),
    ("0.9.2342.19200300.100.1.25", "domainComponent"),
    ("0.9.2342.19200300.100.1.26", "aRecord"),
    ("0.9.2342.19200300.100.1.27", "pilotAttributeType27"),
    ("0.9.2342.19200300.100.1.28", "mXRecord"),
    ("0.9.2342.19200300.100.1.29", "nSRecord"),
    ("0.9.2342.19200300.100.1.3", "rfc822Mailbox"),
    ("0.9.2342.19200300.100.1.30", "sOARecord"),
    ("0.9.2342.19200300.100.1.31", "cNAMERecord"),
    ("0.9.2342.19200300.100.1.37", "associatedDomain"),
    ("0.9.2342.19200300.100.1.38", "associatedName"),
    ("0.9.2342.19200300.100.1.39", "homePostalAddress"),
    ("0.9.2342.19200300.100.1.4", "info"),
    ("0.9.2342.19200300.100.1.40", "personalTitle"),
    ("0.9.2342.19200300.100.1.41", "mobileTelephoneNumber"),
    ("0.9.2342.19200300.100.1.42", "pagerTelephoneNumber"),
    ("0.9.2342.19200300.100.1.43", "friendlyCountryName"),
    ("0.9.2342.19200300.100.1.44", "uniqueIdentifier"),
    ("0.9.2342.19200300.100.1.45", "organizationalStatus"),
    ("0.9.2342.19200300.100.1.46", "janetMailbox"),
    ("0.9.2342.19200300.100.1.47", "mailPreferenceOption"),
    ("0.9.2342.19200300.100.1.48", "buildingName"),
    ("0.9.2342.19200300.100.1.49", "dSAQuality"),
    ("0.9.2342.19200300.100.1.5", "favouriteDrink"),
    ("0.9.2342.19200300.100.1.50", "singleLevelQuality"),
    ("0.9.2342.19200300.100.1.51", "subtreeMinimumQuality"),
    ("0.9.2342.19200300.100.1.52", "subtreeMaximumQuality"),
    ("0.9.2342.19200300.100.1.53", "personalSignature"),
    ("0.9.2342.19200300.100.1.54", "dITRedirect"),
    ("0.9.2342.19200300.100.1.55", "audio"),
    ("0.9.2342.19200300.100.1.56", "documentPublisher"),
    ("0.9.2342.19200300.100.1.6", "roomNumber"),
    ("0.9.2342.19200300.100.1.7", "photo"),
    ("0.9.2342.19200300.100.1.8", "userClass"),
    ("0.9.2342.19200300.100.1.9", "host"),
    ("0.9.2342.19200300.100.10", "pilotGroups"),
    ("0.9.2342.19200300.100.3", "pilotAttributeSyntax"),
    ("0.9.2342.19200300.100.3.4", "iA5StringSyntax"),
    ("0.9.2342.19200300.100.3.5", "caseIgnoreIA5StringSyntax"),
    ("0.9.2342.19200300.100.4", "pilotObjectClass"),
    ("0.9.2342.19200300.100.4.13", "Domain"),
    ("0.9.2342.19200300.100.4.14", "rFC822localPart"),
    ("0.9.2342.19200300.100.4.15", "dNSDomain"),
    ("0.9.2342.19200300.100.4.17", "domainRelatedObject"),
    ("0.9.2342.19200300.100.4.18", "friendlyCountry"),
    ("0.9.2342.19200300.100.4.19", "simpleSecurityObject"),
    ("0.9.2342.19200300.100.4.20", "pilotOrganization"),
    ("0.9.2342.19200300.100.4.21", "pilotDSA"),
    ("0.9.2342.19200300.100.4.22", "qualityLabelledData"),
    ("0.9.2342.19200300.100.4.3", "pilotObject"),
    ("0.9.2342.19200300.100.4.4", "pilotPerson"),
    ("0.9.2342.19200300.100.4.5", "account"),
    ("0.9.2342.19200300.100.4.6", "document"),
    ("0.9.2342.19200300.100.4.7", "room"),
    ("0.9.2342.19200300.100.4.9", "documentSeries"),
    ("1.0.10118.3.0.55", "whirlpool"),
    ("1.0.9797.3.4", "gmac"),
    ("1.2", "ISO Member Body"),
    ("1.2.156", "ISO CN Member Body"),
    ("1.2.156.10197", "oscca"),
    ("1.2.156.10197.1", "sm-scheme"),
    ("1.2.156.10197.1.104.1", "sm4-ecb"),
    ("1.2.156.10197.1.104.2", "sm4-cbc"),
    ("1.2.156.10197.1.104.3", "sm4-ofb"),
    ("1.2.156.10197.1.104.4", "sm4-cfb"),
    ("1.2.156.10197.1.104.5", "sm4-cfb1"),
    ("1.2.156.10197.1.104.6", "sm4-cfb8"),
    ("1.2.156.10197.1.104.7", "sm4-ctr"),
    ("1.2.156.10197.1.301", "sm2"),
    ("1.2.156.10197.1.401", "sm3"),
    ("1.2.156.10197.1.501", "SM2-with-SM3"),
    ("1.2.156.10197.1.504", "sm3WithRSAEncryption"),
    ("1.2.392.200011.61.1.1.1.2", "camellia-128-cbc"),
    ("1.2.392.200011.61.1.1.1.3", "camellia-192-cbc"),
    ("1.2.392.200011.61.1.1.1.4", "camellia-256-cbc"),
    ("1.2.392.200011.61.1.1.3.2", "id-camellia128-wrap"),
    ("1.2.392.200011.61.1.1.3.3", "id-camellia192-wrap"),
    ("1.2.392.200011.61.1.1.3.4", "id-camellia256-wrap"),
    ("1.2.410.200004", "kisa"),
    ("1.2.410.200004.1.3", "seed-ecb"),
    ("1.2.410.200004.1.4", "seed-cbc"),
    ("1.2.410.200004.1.5", "seed-cfb"),
    ("1.2.410.200004.1.6", "seed-ofb"),
    ("1.2.410.200046.1.1.1", "aria-128-ecb"),
    ("1.2.410.200046.1.1.10", "aria-192-ctr"),
    ("1.2.410.200046.1.1.11", "aria-256-ecb"),
    ("1.2.410.200046.1.1.12", "aria-256-cbc"),
    ("1.2.410.200046.1.1.13", "aria-256-cfb"),
    ("1.2.410.200046.1.1.14", "aria-256-ofb"),
    ("1.2.410.200046.1.1.15", "aria-256-ctr"),
    ("1.2.410.200046.1.1.2", "aria-128-cbc"),
    ("1.2.410.200046.1.1.3", "aria-128-cfb"),
    ("1.2.410.200046.1.1.34", "aria-128-gcm"),
    ("1.2.410.200046.1.1.35", "aria-192-gcm"),
    ("1.2.410.200046.1.1.36", "aria-256-gcm"),
    ("1.2.410.200046.1.1.37", "aria-128-ccm"),
    ("1.2.410.200046.1.1.38", "aria-192-ccm"),
    ("1.2.410.200046.1.1.39", "aria-256-ccm"),
    ("1.2.410.200046.1.1.4", "aria-128-ofb"),
    ("1.2.410.200046.1.1.5", "aria-128-ctr"),
    ("1.2.410.200046.1.1.6", "aria-192-ecb"),
    ("1.2.410.200046.1.1.7", "aria-192-cbc"),
    ("1.2.410.200046.1.1.8", "aria-192-cfb"),
    ("1.2.410.200046.1.1.9", "aria-192-ofb"),
    ("1.2.643.100.1", "OGRN"),
    ("1.2.643.100.111", "Signing Tool of Subject"),
    ("1.2.643.100.112", "Signing Tool of Issuer"),
    ("1.2.643.100.113", "Class of Signing Tool"),
    ("1.2.643.100.113.1", "Class of Signing Tool KC1"),
    ("1.2.643.100.113.2", "Class of Signing Tool KC2"),
    ("1.2.643.100.113.3", "Class of Signing Tool KC3"),
    ("1.2.643.100.113.4", "Class of Signing Tool KB1"),
    ("1.2.643.100.113.5", "Class of Signing Tool KB2"),
    ("1.2.643.100.113.6", "Class of Signing Tool KA1"),
    ("1.2.643.100.3", "SNILS"),
    ("1.2.643.100.5", "OGRNIP"),
    ("1.2.643.2.2", "cryptopro"),
    ("1.2.643.2.2.10", "HMAC GOST 34.11-94"),
    ("1.2.643.2.2.14.0", "id-Gost28147-89-None-KeyMeshing"),
    ("1.2.643.2.2.14.1", "id-Gost28147-89-CryptoPro-KeyMeshing"),
    ("1.2.643.2.2.19", "GOST R 34.10-2001"),
    ("1.2.643.2.2.20", "GOST R 34.10-94"),
    ("1.2.643.2.2.20.1", "id-GostR3410-94-a"),
    ("1.2.643.2.2.20.2", "id-GostR3410-94-aBis"),
    ("1.2.643.2.2.20.3", "id-GostR3410-94-b"),
    ("1.2.643.2.2.20.4", "id-GostR3410-94-bBis"),
    ("1.2.643.2.2.21", "GOST 28147-89"),
    ("1.2.643.2.2.22", "GOST 28147-89 MAC"),
    ("1.2.643.2.2.23", "GOST R 34.11-94 PRF"),
    ("1.2.643.2.2.3", "GOST R 34.11-94 with GOST R 34.10-2001"),
    ("1.2.643.2.2.30.0", "id-GostR3411-94-TestParamSet"),
    ("1.2.643.2.2.30.1", "id-GostR3411-94-CryptoProParamSet"),
    ("1.2.643.2.2.31.0", "id-Gost28147-89-TestParamSet"),
    ("1.2.643.2.2.31.1", "id-Gost28147-89-CryptoPro-A-ParamSet"),
    ("1.2.643.2.2.31.2", "id-Gost28147-89-CryptoPro-B-ParamSet"),
    ("1.2.643.2.2.31.3", "id-Gost28147-89-CryptoPro-C-ParamSet"),
    ("1.2.643.2.2.31.4", "id-Gost28147-89-CryptoPro-D-ParamSet"),
    (
        "1.2.643.2.2.31.5",
        "id-Gost28147-89-CryptoPro-Oscar-1-1-ParamSet",
    ),
    (
        "1.2.643.2.2.31.6",
        "id-Gost28147-89-CryptoPro-Oscar-1-0-ParamSet",
    ),
    (
        "1.2.643.2.2.31.7",
        "id-Gost28147-89-CryptoPro-RIC-1-ParamSet",
    ),
    ("1.2.643.2.2.32.0", "id-GostR3410-94-TestParamSet"),
    ("1.2.643.2.2.32.2", "id-GostR3410-94-CryptoPro-A-ParamSet"),
    ("1.2.643.2.2.32.3", "id-GostR3410-94-CryptoPro-B-ParamSet"),
    ("1.2.643.2.2.32.4", "id-GostR3410-94-CryptoPro-C-ParamSet"),
    ("1.2.643.2.2.32.5", "id-GostR3410-94-CryptoPro-D-ParamSet"),
    (
        "1.2.643.2.2.33.1",
        "id-GostR3410-94-CryptoPro-XchA-ParamSet",
    ),
    (
        "1.2.643.2.2.33.2",
        "id-GostR3410-94-CryptoPro-XchB-ParamSet",
    ),
    (
        "1.2.643.2.2.33.3",
        "id-GostR3410-94-CryptoPro-XchC-ParamSet",
    ),
    ("1.2.643.2.2.35.0", "id-GostR3410-2001-TestParamSet"),
    ("1.2.643.2.2.35.1", "id-GostR3410-2001-CryptoPro-A-ParamSet"),
    ("1.2.643.2.2.35.2", "id-GostR3410-2001-CryptoPro-B-ParamSet"),
    ("1.2.643.2.2.35.3", "id-GostR3410-2001-CryptoPro-C-ParamSet"),
    (
        "1.2.643.2.2.36.0",
        "id-GostR3410-2001-CryptoPro-XchA-ParamSet",
    ),
    (
        "1.2.643.2.2.36.1",
        "id-GostR3410-2001-CryptoPro-XchB-ParamSet",
    ),
    ("1.2.643.2.2.4", "GOST R 34.11-94 with GOST R 34.10-94"),
    ("1.2.643.2.2.9", "GOST R 34.11-94"),
    ("1.2.643.2.2.98", "GOST R 34.10-2001 DH"),
    ("1.2.643.2.2.99", "GOST R 34.10-94 DH"),
    ("1.2.643.2.9", "cryptocom"),
    (
        "1.2.643.2.9.1.3.3",
        "GOST R 34.11-94 with GOST R 34.10-94 Cryptocom",
    ),
    (
        "1.2.643.2.9.1.3.4",
        "GOST R 34.11-94 with GOST R 34.10-2001 Cryptocom",
    ),
    ("1.2.643.2.9.1.5.3", "GOST 34.10-94 Cryptocom"),
    ("1.2.643.2.9.1.5.4", "GOST 34.10-2001 Cryptocom"),
    ("1.2.643.2.9.1.6.1", "GOST 28147-89 Cryptocom ParamSet"),
    (
        "1.2.643.2.9.1.8.1",
        "GOST R 3410-2001 Parameter Set Cryptocom",
    ),
    ("1.2.643.3.131.1.1", "INN"),
    ("1.2.643.7.1", "id-tc26"),
    ("1.2.643.7.1.1", "id-tc26-algorithms"),
    ("1.2.643.7.1.1.1", "id-tc26-sign"),
    (
        "1.2.643.7.1.1.1.1",
        "GOST R 34.10-2012 with 256 bit modulus",
    ),
    (
        "1.2.643.7.1.1.1.2",
        "GOST R 34.10-2012 with 512 bit modulus",
    ),
    ("1.2.643.7.1.1.2", "id-tc26-digest"),
    ("1.2.643.7.1.1.2.2", "GOST R 34.11-2012 with 256 bit hash"),
    ("1.2.643.7.1.1.2.3", "GOST R 34.11-2012 with 512 bit hash"),
    ("1.2.643.7.1.1.3", "id-tc26-signwithdigest"),
    (
        "1.2.643.7.1.1.3.2",
        "GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)",
    ),
    (
        "1.2.643.7.1.1.3.3",
        "GOST R 34.10-2012 with GOST R 34.11-2012 (512 bit)",
    ),
    ("1.2.643.7.1.1.4", "id-tc26-mac"),
    ("1.2.643.7.1.1.4.1", "HMAC GOST 34.11-2012 256 bit"),
    ("1.2.643.7.1.1.4.2", "HMAC GOST 34.11-2012 512 bit"),
    ("1.2.643.7.1.1.5", "id-tc26-cipher"),
    ("1.2.643.7.1.1.5.1", "id-tc26-cipher-gostr3412-2015-magma"),
    ("1.2.643.7.1.1.5.1.1", "magma-ctr-acpkm"),
    ("1.2.643.7.1.1.5.1.2", "magma-ctr-acpkm-omac"),
    (
        "1.2.643.7.1.1.5.2",
        "id-tc26-cipher-gostr3412-2015-kuznyechik",
    ),
    ("1.2.643.7.1.1.5.2.1", "kuznyechik-ctr-acpkm"),
    ("1.2.643.7.1.1.5.2.2", "kuznyechik-ctr-acpkm-omac"),
    ("1.2.643.7.1.1.6", "id-tc26-agreement"),
    ("1.2.643.7.1.1.6.1", "id-tc26-agreement-gost-3410-2012-256"),
    ("1.2.643.7.1.1.6.2", "id-tc26-agreement-gost-3410-2012-512"),
    ("1.2.643.7.1.1.7", "id-tc26-wrap"),
    ("1.2.643.7.1.1.7.1", "id-tc26-wrap-gostr3412-2015-magma"),
    ("1.2.643.7.1.1.7.1.1", "magma-kexp15"),
    (
        "1.2.643.7.1.1.7.2",
        "id-tc26-wrap-gostr3412-2015-kuznyechik",
    ),
    ("1.2.643.7.1.1.7.2.1", "kuznyechik-kexp15"),
    ("1.2.643.7.1.2", "id-tc26-constants"),
    ("1.2.643.7.1.2.1", "id-tc26-sign-constants"),
    ("1.2.643.7.1.2.1.1", "id-tc26-gost-3410-2012-256-constants"),
    (
        "1.2.643.7.1.2.1.1.1",
        "GOST R 34.10-2012 (256 bit) ParamSet A",
    ),
    (
        "1.2.643.7.1.2.1.1.2",
        "GOST R 34.10-2012 (256 bit) ParamSet B",
    ),
    (
        "1.2.643.7.1.2.1.1.3",
        "GOST R 34.10-2012 (256 bit) ParamSet C",
    ),
    (
        "1.2.643.7.1.2.1.1.4",
        "GOST R 34.10-2012 (256 bit) ParamSet D",
    ),
    ("1.2.643.7.1.2.1.2", "id-tc26-gost-3410-2012-512-constants"),
    (
        "1.2.643.7.1.2.1.2.0",
        "GOST R 34.10-2012 (512 bit) testing parameter set",
    ),
    (
        "1.2.643.7.1.2.1.2.1",
        "GOST R 34.10-2012 (512 bit) ParamSet A",
    ),
    (
        "1.2.643.7.1.2.1.2.2",
        "GOST R 34.10-2012 (512 bit) ParamSet B",
    ),
    (
        "1.2.643.7.1.2.1.2.3",
        "GOST R 34.10-2012 (512 bit) ParamSet C",
    ),
    ("1.2.643.7.1.2.2", "id-tc26-digest-constants"),
    ("1.2.643.7.1.2.5", "id-tc26-cipher-constants"),
    ("1.2.643.7.1.2.5.1", "id-tc26-gost-28147-constants"),
    ("1.2.643.7.1.2.5.1.1", "GOST 28147-89 TC26 parameter set"),
    ("1.2.804", "ISO-UA"),
    ("1.2.804.2.1.1.1", "ua-pki"),
    ("1.2.804.2.1.1.1.1.1.1", "DSTU Gost 28147-2009"),
    ("1.2.804.2.1.1.1.1.1.1.2", "DSTU Gost 28147-2009 OFB mode"),
    ("1.2.804.2.1.1.1.1.1.1.3", "DSTU Gost 28147-2009 CFB mode"),
    ("1.2.804.2.1.1.1.1.1.1.5", "DSTU Gost 28147-2009 key wrap"),
    ("1.2.804.2.1.1.1.1.1.2", "HMAC DSTU Gost 34311-95"),
    ("1.2.804.2.1.1.1.1.2.1", "DSTU Gost 34311-95"),
    ("1.2.804.2.1.1.1.1.3.1.1", "DSTU 4145-2002 little endian"),
    ("1.2.804.2.1.1.1.1.3.1.1.1.1", "DSTU 4145-2002 big endian"),
    ("1.2.804.2.1.1.1.1.3.1.1.2.0", "DSTU curve 0"),
    ("1.2.804.2.1.1.1.1.3.1.1.2.1", "DSTU curve 1"),
    ("1.2.804.2.1.1.1.1.3.1.1.2.2", "DSTU curve 2"),
    ("1.2.804.2.1.1.1.1.3.1.1.2.3", "DSTU curve 3"),
    ("1.2.804.2.1.1.1.1.3.1.1.2.4", "DSTU curve 4"),
    ("1.2.804.2.1.1.1.1.3.1.1.2.5", "DSTU curve 5"),
    ("1.2.804.2.1.1.1.1.3.1.1.2.6", "DSTU curve 6"),
    ("1.2.804.2.1.1.1.1.3.1.1.2.7", "DSTU curve 7"),
    ("1.2.804.2.1.1.1.1.3.1.1.2.8", "DSTU curve 8"),
    ("1.2.804.2.1.1.1.1.3.1.1.2.9", "DSTU curve 9"),
    ("1.2.840", "ISO US Member Body"),
    ("1.2.840.10040", "X9.57"),
    ("1.2.840.10040.2.1", "Hold Instruction None"),
    ("1.2.840.10040.2.2", "Hold Instruction Call Issuer"),
    ("1.2.840.10040.2.3", "Hold Instruction Reject"),
    ("1.2.840.10040.4", "X9.57 CM ?"),
    ("1.2.840.10040.4.1", "dsaEncryption"),
    ("1.2.840.10040.4.3", "dsaWithSHA1"),
    ("1.2.840.10045", "ANSI X9.62"),
    ("1.2.840.10045.1.1", "prime-field"),
    ("1.2.840.10045.1.2", "characteristic-two-field"),
    ("1.2.840.10045.1.2.3", "id-characteristic-two-basis"),
    ("1.2.840.10045.1.2.3.1", "onBasis"),
    ("1.2.840.10045.1.2.3.2", "tpBasis"),
    ("1.2.840.10045.1.2.3.3", "ppBasis"),
    ("1.2.840.10045.2.1", "id-ecPublicKey"),
    ("1.2.840.10045.3.0.1", "c2pnb163v1"),
    ("1.2.840.10045.3.0.10", "c2pnb208w1"),
    ("1.2.840.10045.3.0.11", "c2tnb239v1"),
    ("1.2.840.10045.3.0.12", "c2tnb239v2"),
    ("1.2.840.10045.3.0.13", "c2tnb239v3"),
    ("1.2.840.10045.3.0.14", "c2onb239v4"),
    ("1.2.840.10045.3.0.15", "c2onb239v5"),
    ("1.2.840.10045.3.0.16", "c2pnb272w1"),
    ("1.2.840.10045.3.0.17", "c2pnb304w1"),
    ("1.2.840.10045.3.0.18", "c2tnb359v1"),
    ("1.2.840.10045.3.0.19", "c2pnb368w1"),
    ("1.2.840.10045.3.0.2", "c2pnb163v2"),
    ("1.2.840.10045.3.0.20", "c2tnb431r1"),
    ("1.2.840.10045.3.0.3", "c2pnb163v3"),
    ("1.2.840.10045.3.0.4", "c2pnb176v1"),
    ("1.2.840.10045.3.0.5", "c2tnb191v1"),
    ("1.2.840.10045.3.0.6", "c2tnb191v2"),
    ("1.2.840.10045.3.0.7", "c2tnb191v3"),
    ("1.2.840.10045.3.0.8", "c2onb191v4"),
    ("1.2.840.10045.3.0.9", "c2onb191v5"),
    ("1.2.840.10045.3.1.1", "prime192v1"),
    ("1.2.840.10045.3.1.2", "prime192v2"),
    ("1.2.840.10045.3.1.3", "prime192v3"),
    ("1.2.840.10045.3.1.4", "prime239v1"),
    ("1.2.840.10045.3.1.5", "prime239v2"),
    ("1.2.840.10045.3.1.6", "prime239v3"),
    ("1.2.840.10045.3.1.7", "prime256v1"),
    ("1.2.840.10045.4.1", "ecdsa-with-SHA1"),
    ("1.2.840.10045.4.2", "ecdsa-with-Recommended"),
    ("1.2.840.10045.4.3", "ecdsa-with-Specified"),
    ("1.2.840.10045.4.3.1", "ecdsa-with-SHA224"),
    ("1.2.840.10045.4.3.2", "ecdsa-with-SHA256"),
    ("1.2.840.10045.4.3.3", "ecdsa-with-SHA384"),
    ("1.2.840.10045.4.3.4", "ecdsa-with-SHA512"),
    ("1.2.840.10046.2.1", "X9.42 DH"),
    ("1.2.840.113533.7.66.10", "cast5-cbc"),
    ("1.2.840.113533.7.66.12", "pbeWithMD5AndCast5CBC"),
    ("1.2.840.113533.7.66.13", "password based MAC"),
    ("1.2.840.113533.7.66.30", "Diffie-Hellman based MAC"),
    ("1.2.840.113549", "RSA Data Security, Inc."),
    ("1.2.840.113549.1", "RSA Data Security, Inc. PKCS"),
    ("1.2.840.113549.1.1", "pkcs1"),
    ("1.2.840.113549.1.1.1", "rsaEncryption"),
    ("1.2.840.113549.1.1.10", "rsassaPss"),
    ("1.2.840.113549.1.1.11", "sha256WithRSAEncryption"),
    ("1.2.840.113549.1.1.12", "sha384WithRSAEncryption"),
    ("1.2.840.113549.1.1.13", "sha512WithRSAEncryption"),
    ("1.2.840.113549.1.1.14", "sha224WithRSAEncryption"),
    ("1.2.840.113549.1.1.15", "sha512-224WithRSAEncryption"),
    ("1.2.840.113549.1.1.16", "sha512-256WithRSAEncryption"),
    ("1.2.840.113549.1.1.2", "md2WithRSAEncryption"),
    ("1.2.840.113549.1.1.3", "md4WithRSAEncryption"),
    ("1.2.840.113549.1.1.4", "md5WithRSAEncryption"),
    ("1.2.840.113549.1.1.5", "sha1WithRSAEncryption"),
    ("1.2.840.113549.1.1.6", "rsaOAEPEncryptionSET"),
    ("1.2.840.113549.1.1.7", "rsaesOaep"),
    ("1.2.840.113549.1.1.8", "mgf1"),
    ("1.2.840.113549.1.1.9", "pSpecified"),
    ("1.2.840.113549.1.12.1.1", "pbeWithSHA1And128BitRC4"),
    ("1.2.840.113549.1.12.1.2", "pbeWithSHA1And40BitRC4"),
    (
        "1.2.840.113549.1.12.1.3",
        "pbeWithSHA1And3-KeyTripleDES-CBC",
    ),
    (
        "1.2.840.113549.1.12.1.4",
        "pbeWithSHA1And2-KeyTripleDES-CBC",
    ),
    ("1.2.840.113549.1.12.1.5", "pbeWithSHA1And128BitRC2-CBC"),
    ("1.2.840.113549.1.12.1.6", "pbeWithSHA1And40BitRC2-CBC"),
    ("1.2.840.113549.1.12.10.1.1", "keyBag"),
    ("1.2.840.113549.1.12.10.1.2", "pkcs8ShroudedKeyBag"),
    ("1.2.840.113549.1.12.10.1.3", "certBag"),
    ("1.2.840.113549.1.12.10.1.4", "crlBag"),
    ("1.2.840.113549.1.12.10.1.5", "secretBag"),
    ("1.2.840.113549.1.12.10.1.6", "safeContentsBag"),
    ("1.2.840.113549.1.3", "pkcs3"),
    ("1.2.840.113549.1.3.1", "dhKeyAgreement"),
    ("1.2.840.113549.1.5", "pkcs5"),
    ("1.2.840.113549.1.5.1", "pbeWithMD2AndDES-CBC"),
    ("1.2.840.113549.1.5.10", "pbeWithSHA1AndDES-CBC"),
    ("1.2.840.113549.1.5.11", "pbeWithSHA1AndRC2-CBC"),
    ("1.2.840.113549.1.5.12", "PBKDF2"),
    ("1.2.840.113549.1.5.13", "PBES2"),
    ("1.2.840.113549.1.5.14", "PBMAC1"),
    ("1.2.840.113549.1.5.3", "pbeWithMD5AndDES-CBC"),
    ("1.2.840.113549.1.5.4", "pbeWithMD2AndRC2-CBC"),
    ("1.2.840.113549.1.5.6", "pbeWithMD5AndRC2-CBC"),
    ("1.2.840.113549.1.7", "pkcs7"),
    ("1.2.840.113549.1.7.1", "pkcs7-data"),
    ("1.2.840.113549.1.7.2", "pkcs7-signedData"),
    ("1.2.840.113549.1.7.3", "pkcs7-envelopedData"),
    ("1.2.840.113549.1.7.4", "pkcs7-signedAndEnvelopedData"),
    ("1.2.840.113549.1.7.5", "pkcs7-digestData"),
    ("1.2.840.113549.1.7.6", "pkcs7-encryptedData"),
    ("1.2.840.113549.1.9", "pkcs9"),
    ("1.2.840.113549.1.9.1", "emailAddress"),
    ("1.2.840.113549.1.9.14", "Extension Request"),
    ("1.2.840.113549.1.9.15", "S/MIME Capabilities"),
    ("1.2.840.113549.1.9.16", "S/MIME"),
    ("1.2.840.113549.1.9.16.0", "id-smime-mod"),
    ("1.2.840.113549.1.9.16.0.1", "id-smime-mod-cms"),
    ("1.2.840.113549.1.9.16.0.2", "id-smime-mod-ess"),
    ("1.2.840.113549.1.9.16.0.3", "id-smime-mod-oid"),
    ("1.2.840.113549.1.9.16.0.4", "id-smime-mod-msg-v3"),
    (
        "1.2.840.113549.1.9.16.0.5",
        "id-smime-mod-ets-eSignature-88",
    ),
    (
        "1.2.840.113549.1.9.16.0.6",
        "id-smime-mod-ets-eSignature-97",
    ),
    (
        "1.2.840.113549.1.9.16.0.7",
        "id-smime-mod-ets-eSigPolicy-88",
    ),
    (
        "1.2.840.113549.1.9.16.0.8",
        "id-smime-mod-ets-eSigPolicy-97",
    ),
    ("1.2.840.113549.1.9.16.1", "id-smime-ct"),
    ("1.2.840.113549.1.9.16.1.1", "id-smime-ct-receipt"),
    (
        "1.2.840.113549.1.9.16.1.19",
        "id-smime-ct-contentCollection",
    ),
    ("1.2.840.113549.1.9.16.1.2", "id-smime-ct-authData"),
    (
        "1.2.840.113549.1.9.16.1.23",
        "id-smime-ct-authEnvelopedData",
    ),
    ("1.2.840.113549.1.9.16.1.24", "id-ct-routeOriginAuthz"),
    ("1.2.840.113549.1.9.16.1.26", "id-ct-rpkiManifest"),
    ("1.2.840.113549.1.9.16.1.27", "id-ct-asciiTextWithCRLF"),
    ("1.2.840.113549.1.9.16.1.28", "id-ct-xml"),
    ("1.2.840.113549.1.9.16.1.3", "id-smime-ct-publishCert"),
    ("1.2.840.113549.1.9.16.1.35", "id-ct-rpkiGhostbusters"),
    ("1.2.840.113549.1.9.16.1.36", "id-ct-resourceTaggedAttest"),
    ("1.2.840.113549.1.9.16.1.4", "id-smime-ct-TSTInfo"),
    ("1.2.840.113549.1.9.16.1.47", "id-ct-geofeedCSVwithCRLF"),
    ("1.2.840.113549.1.9.16.1.48", "id-ct-signedChecklist"),
    ("1.2.840.113549.1.9.16.1.5", "id-smime-ct-TDTInfo"),
    ("1.2.840.113549.1.9.16.1.6", "id-smime-ct-contentInfo"),
    ("1.2.840.113549.1.9.16.1.7", "id-smime-ct-DVCSRequestData"),
    ("1.2.840.113549.1.9.16.1.8", "id-smime-ct-DVCSResponseData"),
    ("1.2.840.113549.1.9.16.1.9", "id-smime-ct-compressedData"),
    ("1.2.840.113549.1.9.16.2", "id-smime-aa"),
    ("1.2.840.113549.1.9.16.2.1", "id-smime-aa-receiptRequest"),
    ("1.2.840.113549.1.9.16.2.10", "id-smime-aa-contentReference"),
    ("1.2.840.113549.1.9.16.2.11", "id-smime-aa-encrypKeyPref"),
    (
        "1.2.840.113549.1.9.16.2.12",
        "id-smime-aa-signingCertificate",
    ),
    (
        "1.2.840.113549.1.9.16.2.13",
        "id-smime-aa-smimeEncryptCerts",
    ),
    ("1.2.840.113549.1.9.16.2.14", "id-smime-aa-timeStampToken"),
    ("1.2.840.113549.1.9.16.2.15", "id-smime-aa-ets-sigPolicyId"),
    (
        "1.2.840.113549.1.9.16.2.16",
        "id-smime-aa-ets-commitmentType",
    ),
    (
        "1.2.840.113549.1.9.16.2.17",
        "id-smime-aa-ets-signerLocation",
    ),
    ("1.2.840.113549.1.9.16.2.18", "id-smime-aa-ets-signerAttr"),
    ("1.2.840.113549.1.9.16.2.19", "id-smime-aa-ets-otherSigCert"),
    ("1.2.840.113549.1.9.16.2.2", "id-smime-aa-securityLabel"),
    (
        "1.2.840.113549.1.9.16.2.20",
        "id-smime-aa-ets-contentTimestamp",
    ),
    (
        "1.2.840.113549.1.9.16.2.21",
        "id-smime-aa-ets-CertificateRefs",
    ),
    (
        "1.2.840.113549.1.9.16.2.22",
        "id-smime-aa-ets-RevocationRefs",
    ),
    ("1.2.840.113549.1.9.16.2.23", "id-smime-aa-ets-certValues"),
    (
        "1.2.840.113549.1.9.16.2.24",
        "id-smime-aa-ets-revocationValues",
    ),
    ("1.2.840.113549.1.9.16.2.25", "id-smime-aa-ets-escTimeStamp"),
    (
        "1.2.840.113549.1.9.16.2.26",
        "id-smime-aa-ets-certCRLTimestamp",
    ),
    (
        "1.2.840.113549.1.9.16.2.27",
        "id-smime-aa-ets-archiveTimeStamp",
    ),
    ("1.2.840.113549.1.9.16.2.28", "id-smime-aa-signatureType"),
    ("1.2.840.113549.1.9.16.2.29", "id-smime-aa-dvcs-dvc"),
    ("1.2.840.113549.1.9.16.2.3", "id-smime-aa-mlExpandHistory"),
    ("1.2.840.113549.1.9.16.2.4", "id-smime-aa-contentHint"),
    (
        "1.2.840.113549.1.9.16.2.47",
        "id-smime-aa-signingCertificateV2",
    ),
    ("1.2.840.113549.1.9.16.2.5", "id-smime-aa-msgSigDigest"),
    ("1.2.840.113549.1.9.16.2.6", "id-smime-aa-encapContentType"),
    ("1.2.840.113549.1.9.16.2.7", "id-smime-aa-contentIdentifier"),
    ("1.2.840.113549.1.9.16.2.8", "id-smime-aa-macValue"),
    ("1.2.840.113549.1.9.16.2.9", "id-smime-aa-equivalentLabels"),
    ("1.2.840.113549.1.9.16.3", "id-smime-alg"),
    ("1.2.840.113549.1.9.16.3.1", "id-smime-alg-ESDHwith3DES"),
    ("1.2.840.113549.1.9.16.3.2", "id-smime-alg-ESDHwithRC2"),
    ("1.2.840.113549.1.9.16.3.3", "id-smime-alg-3DESwrap"),
    ("1.2.840.113549.1.9.16.3.4", "id-smime-alg-RC2wrap"),
    ("1.2.840.113549.1.9.16.3.5", "id-smime-alg-ESDH"),
    ("1.2.840.113549.1.9.16.3.6", "id-smime-alg-CMS3DESwrap"),
    ("1.2.840.113549.1.9.16.3.7", "id-smime-alg-CMSRC2wrap"),
    ("1.2.840.113549.1.9.16.3.8", "zlib compression"),
    ("1.2.840.113549.1.9.16.3.9", "id-alg-PWRI-KEK"),
    ("1.2.840.113549.1.9.16.4", "id-smime-cd"),
    ("1.2.840.113549.1.9.16.4.1", "id-smime-cd-ldap"),
    ("1.2.840.113549.1.9.16.5", "id-smime-spq"),
    ("1.2.840.113549.1.9.16.5.1", "id-smime-spq-ets-sqt-uri"),
    ("1.2.840.113549.1.9.16.5.2", "id-smime-spq-ets-sqt-unotice"),
    ("1.2.840.113549.1.9.16.6", "id-smime-cti"),
    (
        "1.2.840.113549.1.9.16.6.1",
        "id-smime-cti-ets-proofOfOrigin",
    ),
    (
        "1.2.840.113549.1.9.16.6.2",
        "id-smime-cti-ets-proofOfReceipt",
    ),
    (
        "1.2.840.113549.1.9.16.6.3",
        "id-smime-cti-ets-proofOfDelivery",
    ),
    (
        "1.2.840.113549.1.9.16.6.4",
        "id-smime-cti-ets-proofOfSender",
    ),
    (
        "1.2.840.113549.1.9.16.6.5",
        "id-smime-cti-ets-proofOfApproval",
    ),
    (
        "1.2.840.113549.1.9.16.6.6",
        "id-smime-cti-ets-proofOfCreation",
    ),
    ("1.2.840.113549.1.9.2", "unstructuredName"),
    ("1.2.840.113549.1.9.20", "friendlyName"),
    ("1.2.840.113549.1.9.21", "localKeyID"),
    ("1.2.840.113549.1.9.22.1", "x509Certificate"),
    ("1.2.840.113549.1.9.22.2", "sdsiCertificate"),
    ("1.2.840.113549.1.9.23.1", "x509Crl"),
    ("1.2.840.113549.1.9.3", "contentType"),
    ("1.2.840.113549.1.9.4", "messageDigest"),
    ("1.2.840.113549.1.9.5", "signingTime"),
    ("1.2.840.113549.1.9.6", "countersignature"),
    ("1.2.840.113549.1.9.7", "challengePassword"),
    ("1.2.840.113549.1.9.8", "unstructuredAddress"),
    ("1.2.840.113549.1.9.9", "extendedCertificateAttributes"),
    ("1.2.840.113549.2.10", "hmacWithSHA384"),
    ("1.2.840.113549.2.11", "hmacWithSHA512"),
    ("1.2.840.113549.2.12", "hmacWithSHA512-224"),
    ("1.2.840.113549.2.13", "hmacWithSHA512-256"),
    ("1.2.840.113549.2.2", "md2"),
    ("1.2.840.113549.2.4", "md4"),
    ("1.2.840.113549.2.5", "md5"),
    ("1.2.840.113549.2.6", "hmacWithMD5"),
    ("1.2.840.113549.2.7", "hmacWithSHA1"),
    ("1.2.840.113549.2.8", "hmacWithSHA224"),
    ("1.2.840.113549.2.9", "hmacWithSHA256"),
    ("1.2.840.113549.3.10", "des-cdmf"),
    ("1.2.840.113549.3.2", "rc2-cbc"),
    ("1.2.840.113549.3.4", "rc4"),
    ("1.2.840.113549.3.7", "des-ede3-cbc"),
    ("1.2.840.113549.3.8", "rc5-cbc"),
    ("1.3", "org"),
    ("1.3.101.1.4.1", "Strong Extranet ID"),
    ("1.3.101.110", "X25519"),
    ("1.3.101.111", "X448"),
    ("1.3.101.112", "ED25519"),
    ("1.3.101.113", "ED448"),
    ("1.3.111", "ieee"),
    ("1.3.111.2.1619", "IEEE Security in Storage Working Group"),
    ("1.3.111.2.1619.0.1.1", "aes-128-xts"),
    ("1.3.111.2.1619.0.1.2", "aes-256-xts"),
    ("1.3.132", "certicom-arc"),
    ("1.3.132.0.1", "sect163k1"),
    ("1.3.132.0.10", "secp256k1"),
    ("1.3.132.0.15", "sect163r2"),
    ("1.3.132.0.16", "sect283k1"),
    ("1.3.132.0.17", "sect283r1"),
    ("1.3.132.0.2", "sect163r1"),
    ("1.3.132.0.22", "sect131r1"),
    ("1.3.132.0.23", "sect131r2"),
    ("1.3.132.0.24", "sect193r1"),
    ("1.3.132.0.25", "sect193r2"),
    ("1.3.132.0.26", "sect233k1"),
    ("1.3.132.0.27", "sect233r1"),
    ("1.3.132.0.28", "secp128r1"),
    ("1.3.132.0.29", "secp128r2"),
    ("1.3.132.0.3", "sect239k1"),
    ("1.3.132.0.30", "secp160r2"),
    ("1.3.132.0.31", "secp192k1"),
    ("1.3.132.0.32", "secp224k1"),
    ("1.3.132.0.33", "secp224r1"),
    ("1.3.132.0.34", "secp384r1"),
    ("1.3.132.0.35", "secp521r1"),
    ("1.3.132.0.36", "sect409k1"),
    ("1.3.132.0.37", "sect409r1"),
    ("1.3.132.0.38", "sect571k1"),
    ("1.3.132.0.39", "sect571r1"),
    ("1.3.132.0.4", "sect113r1"),
    ("1.3.132.0.5", "sect113r2"),
    ("1.3.132.0.6", "secp112r1"),
    ("1.3.132.0.7", "secp112r2"),
    ("1.3.132.0.8", "secp160r1"),
    ("1.3.132.0.9", "secp160k1"),
    ("1.3.132.1.11.0", "dhSinglePass-stdDH-sha224kdf-scheme"),
    ("1.3.132.1.11.1", "dhSinglePass-stdDH-sha256kdf-scheme"),
    ("1.3.132.1.11.2", "dhSinglePass-stdDH-sha384kdf-scheme"),
    ("1.3.132.1.11.3", "dhSinglePass-stdDH-sha512kdf-scheme"),
    ("1.3.132.1.14.0", "dhSinglePass-cofactorDH-sha224kdf-scheme"),
    ("1.3.132.1.14.1", "dhSinglePass-cofactorDH-sha256kdf-scheme"),
    ("1.3.132.1.14.2", "dhSinglePass-cofactorDH-sha384kdf-scheme"),
    ("1.3.132.1.14.3", "dhSinglePass-cofactorDH-sha512kdf-scheme"),
    ("1.3.133.16.840.63.0.2", "dhSinglePass-stdDH-sha1kdf-scheme"),
    (
        "1.3.133.16.840.63.0.3",
        "dhSinglePass-cofactorDH-sha1kdf-scheme",
    ),
    ("1.3.14.3.2", "algorithm"),
    ("1.3.14.3.2.11", "rsaSignature"),
    ("1.3.14.3.2.12", "dsaEncryption-old"),
    ("1.3.14.3.2.13", "dsaWithSHA"),
    ("1.3.14.3.2.15", "shaWithRSAEncryption"),
    ("1.3.14.3.2.17", "des-ede"),
    ("1.3.14.3.2.18", "sha"),
    ("1.3.14.3.2.26", "sha1"),
    ("1.3.14.3.2.27", "dsaWithSHA1-old"),
    ("1.3.14.3.2.29", "sha1WithRSA"),
    ("1.3.14.3.2.3", "md5WithRSA"),
    ("1.3.14.3.2.6", "des-ecb"),
    ("1.3.14.3.2.7", "des-cbc"),
    ("1.3.14.3.2.8", "des-ofb"),
    ("1.3.14.3.2.9", "des-cfb"),
    ("1.3.36.3.2.1", "ripemd160"),
    ("1.3.36.3.3.1.2", "ripemd160WithRSA"),
    ("1.3.36.3.3.2.8.1.1.1", "brainpoolP160r1"),
    ("1.3.36.3.3.2.8.1.1.10", "brainpoolP320t1"),
    ("1.3.36.3.3.2.8.1.1.11", "brainpoolP384r1"),
    ("1.3.36.3.3.2.8.1.1.12", "brainpoolP384t1"),
    ("1.3.36.3.3.2.8.1.1.13", "brainpoolP512r1"),
    ("1.3.36.3.3.2.8.1.1.14", "brainpoolP512t1"),
    ("1.3.36.3.3.2.8.1.1.2", "brainpoolP160t1"),
    ("1.3.36.3.3.2.8.1.1.3", "brainpoolP192r1"),
    ("1.3.36.3.3.2.8.1.1.4", "brainpoolP192t1"),
    ("1.3.36.3.3.2.8.1.1.5", "brainpoolP224r1"),
    ("1.3.36.3.3.2.8.1.1.6", "brainpoolP224t1"),
    ("1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1"),
    ("1.3.36.3.3.2.8.1.1.8", "brainpoolP256t1"),
    ("1.3.36.3.3.2.8.1.1.9", "brainpoolP320r1"),
    (
        "1.3.36.8.3.3",
        "Professional Information or basis for Admission",
    ),
    ("1.3.6", "dod"),
    ("1.3.6.1", "iana"),
    ("1.3.6.1.1", "Directory"),
    ("1.3.6.1.2", "Management"),
    ("1.3.6.1.3", "Experimental"),
    ("1.3.6.1.4", "Private"),
    ("1.3.6.1.4.1", "Enterprises"),
    ("1.3.6.1.4.1.11129.2.4.2", "CT Precertificate SCTs"),
    ("1.3.6.1.4.1.11129.2.4.3", "CT Precertificate Poison"),
    ("1.3.6.1.4.1.11129.2.4.4", "CT Precertificate Signer"),
    ("1.3.6.1.4.1.11129.2.4.5", "CT Certificate SCTs"),
    ("1.3.6.1.4.1.11591.4.11", "scrypt"),
    ("1.3.6.1.4.1.1466.344", "dcObject"),
    ("1.3.6.1.4.1.1722.12.2.1", "blake2bmac"),
    ("1.3.6.1.4.1.1722.12.2.1.16", "blake2b512"),
    ("1.3.6.1.4.1.1722.12.2.2", "blake2smac"),
    ("1.3.6.1.4.1.1722.12.2.2.8", "blake2s256"),
    ("1.3.6.1.4.1.188.7.1.1.2", "idea-cbc"),
    ("1.3.6.1.4.1.3029.1.2", "bf-cbc"),
    ("1.3.6.1.4.1.311.10.3.1", "Microsoft Trust List Signing"),
    ("1.3.6.1.4.1.311.10.3.3", "Microsoft Server Gated Crypto"),
    ("1.3.6.1.4.1.311.10.3.4", "Microsoft Encrypted File System"),
    ("1.3.6.1.4.1.311.17.1", "Microsoft CSP Name"),
    ("1.3.6.1.4.1.311.17.2", "Microsoft Local Key set"),
    ("1.3.6.1.4.1.311.2.1.14", "Microsoft Extension Request"),
    (
        "1.3.6.1.4.1.311.2.1.21",
        "Microsoft Individual Code Signing",
    ),
    (
        "1.3.6.1.4.1.311.2.1.22",
        "Microsoft Commercial Code Signing",
    ),
    ("1.3.6.1.4.1.311.20.2.2", "Microsoft Smartcard Login"),
    ("1.3.6.1.4.1.311.20.2.3", "Microsoft User Principal Name"),
    ("1.3.6.1.4.1.311.60.2.1.1", "jurisdictionLocalityName"),
    (
        "1.3.6.1.4.1.311.60.2.1.2",
        "jurisdictionStateOrProvinceName",
    ),
    ("1.3.6.1.4.1.311.60.2.1.3", "jurisdictionCountryName"),
    ("1.3.6.1.5", "Security"),
    ("1.3.6.1.5.2.3", "id-pkinit"),
    ("1.3.6.1.5.2.3.4", "PKINIT Client Auth"),
    ("1.3.6.1.5.2.3.5", "Signing KDC Response"),
    ("1.3.6.1.5.5.7", "PKIX"),
    ("1.3.6.1.5.5.7.0", "id-pkix-mod"),
    ("1.3.6.1.5.5.7.0.1", "id-pkix1-explicit-88"),
    ("1.3.6.1.5.5.7.0.10", "id-mod-qualified-cert-88"),
    ("1.3.6.1.5.5.7.0.11", "id-mod-qualified-cert-93"),
    ("1.3.6.1.5.5.7.0.12", "id-mod-attribute-cert"),
    ("1.3.6.1.5.5.7.0.13", "id-mod-timestamp-protocol"),
    ("1.3.6.1.5.5.7.0.14", "id-mod-ocsp"),
    ("1.3.6.1.5.5.7.0.15", "id-mod-dvcs"),
    ("1.3.6.1.5.5.7.0.16", "id-mod-cmp2000"),
    ("1.3.6.1.5.5.7.0.2", "id-pkix1-implicit-88"),
    ("1.3.6.1.5.5.7.0.3", "id-pkix1-explicit-93"),
    ("1.3.6.1.5.5.7.0.4", "id-pkix1-implicit-93"),
    ("1.3.6.1.5.5.7.0.5", "id-mod-crmf"),
    ("1.3.6.1.5.5.7.0.6", "id-mod-cmc"),
    ("1.3.6.1.5.5.7.0.7", "id-mod-kea-profile-88"),
    ("1.3.6.1.5.5.7.0.8", "id-mod-kea-profile-93"),
    ("1.3.6.1.5.5.7.0.9", "id-mod-cmp"),
    ("1.3.6.1.5.5.7.1", "id-pe"),
    ("1.3.6.1.5.5.7.1.1", "Authority Information Access"),
    ("1.3.6.1.5.5.7.1.10", "ac-proxying"),
    ("1.3.6.1.5.5.7.1.11", "Subject Information Access"),
    ("1.3.6.1.5.5.7.1.14", "Proxy Certificate Information"),
    ("1.3.6.1.5.5.7.1.2", "Biometric Info"),
    ("1.3.6.1.5.5.7.1.24", "TLS Feature"),
    ("1.3.6.1.5.5.7.1.28", "sbgp-ipAddrBlockv2"),
    ("1.3.6.1.5.5.7.1.29", "sbgp-autonomousSysNumv2"),
    ("1.3.6.1.5.5.7.1.3", "qcStatements"),
    ("1.3.6.1.5.5.7.1.4", "ac-auditEntity"),
    ("1.3.6.1.5.5.7.1.5", "ac-targeting"),
    ("1.3.6.1.5.5.7.1.6", "aaControls"),
    ("1.3.6.1.5.5.7.1.7", "sbgp-ipAddrBlock"),
    ("1.3.6.1.5.5.7.1.8", "sbgp-autonomousSysNum"),
    ("1.3.6.1.5.5.7.1.9", "sbgp-routerIdentifier"),
    ("1.3.6.1.5.5.7.10", "id-aca"),
    ("1.3.6.1.5.5.7.10.1", "id-aca-authenticationInfo"),
    ("1.3.6.1.5.5.7.10.2", "id-aca-accessIdentity"),
    ("1.3.6.1.5.5.7.10.3", "id-aca-chargingIdentity"),
    ("1.3.6.1.5.5.7.10.4", "id-aca-group"),
    ("1.3.6.1.5.5.7.10.5", "id-aca-role"),
    ("1.3.6.1.5.5.7.10.6", "id-aca-encAttrs"),
    ("1.3.6.1.5.5.7.11", "id-qcs"),
    ("1.3.6.1.5.5.7.11.1", "id-qcs-pkixQCSyntax-v1"),
    ("1.3.6.1.5.5.7.12", "id-cct"),
    ("1.3.6.1.5.5.7.12.1", "id-cct-crs"),
    ("1.3.6.1.5.5.7.12.2", "id-cct-PKIData"),
    ("1.3.6.1.5.5.7.12.3", "id-cct-PKIResponse"),
    ("1.3.6.1.5.5.7.14", "id-cp"),
    ("1.3.6.1.5.5.7.14.2", "ipAddr-asNumber"),
    ("1.3.6.1.5.5.7.14.3", "ipAddr-asNumberv2"),
    ("1.3.6.1.5.5.7.2", "id-qt"),
    ("1.3.6.1.5.5.7.2.1", "Policy Qualifier CPS"),
    ("1.3.6.1.5.5.7.2.2", "Policy Qualifier User Notice"),
    ("1.3.6.1.5.5.7.2.3", "textNotice"),
    ("1.3.6.1.5.5.7.21", "id-ppl"),
    ("1.3.6.1.5.5.7.21.0", "Any language"),
    ("1.3.6.1.5.5.7.21.1", "Inherit all"),
    ("1.3.6.1.5.5.7.21.2", "Independent"),
    ("1.3.6.1.5.5.7.3", "id-kp"),
    ("1.3.6.1.5.5.7.3.1", "TLS Web Server Authentication"),
    ("1.3.6.1.5.5.7.3.10", "dvcs"),
    ("1.3.6.1.5.5.7.3.17", "ipsec Internet Key Exchange"),
    ("1.3.6.1.5.5.7.3.18", "Ctrl/provision WAP Access"),
    ("1.3.6.1.5.5.7.3.19", "Ctrl/Provision WAP Termination"),
    ("1.3.6.1.5.5.7.3.2", "TLS Web Client Authentication"),
    ("1.3.6.1.5.5.7.3.21", "SSH Client"),
    ("1.3.6.1.5.5.7.3.22", "SSH Server"),
    ("1.3.6.1.5.5.7.3.23", "Send Router"),
    ("1.3.6.1.5.5.7.3.24", "Send Proxied Router"),
    ("1.3.6.1.5.5.7.3.25", "Send Owner"),
    ("1.3.6.1.5.5.7.3.26", "Send Proxied Owner"),
    ("1.3.6.1.5.5.7.3.27", "CMC Certificate Authority"),
    ("1.3.6.1.5.5.7.3.28", "CMC Registration Authority"),
    ("1.3.6.1.5.5.7.3.29", "CMC Archive Server"),
    ("1.3.6.1.5.5.7.3.3", "Code Signing"),
    ("1.3.6.1.5.5.7.3.30", "BGPsec Router"),
    (
        "1.3.6.1.5.5.7.3.31",
        "Brand Indicator for Message Identification",
    ),
    (
        "1.3.6.1.5.5.7.3.32",
        "Certificate Management Key Generation Authority",
    ),
    ("1.3.6.1.5.5.7.3.4", "E-mail Protection"),
    ("1.3.6.1.5.5.7.3.5", "IPSec End System"),
    ("1.3.6.1.5.5.7.3.6", "IPSec Tunnel"),
    ("1.3.6.1.5.5.7.3.7", "IPSec User"),
    ("1.3.6.1.5.5.7.3.8", "Time Stamping"),
    ("1.3.6.1.5.5.7.3.9", "OCSP Signing"),
    ("1.3.6.1.5.5.7.4", "id-it"),
    ("1.3.6.1.5.5.7.4.1", "id-it-caProtEncCert"),
    ("1.3.6.1.5.5.7.4.10", "id-it-keyPairParamReq"),
    ("1.3.6.1.5.5.7.4.11", "id-it-keyPairParamRep"),
    ("1.3.6.1.5.5.7.4.12", "id-it-revPassphrase"),
    ("1.3.6.1.5.5.7.4.13", "id-it-implicitConfirm"),
    ("1.3.6.1.5.5.7.4.14", "id-it-confirmWaitTime"),
    ("1.3.6.1.5.5.7.4.15", "id-it-origPKIMessage"),
    ("1.3.6.1.5.5.7.4.16", "id-it-suppLangTags"),
    ("1.3.6.1.5.5.7.4.17", "id-it-caCerts"),
    ("1.3.6.1.5.5.7.4.18", "id-it-rootCaKeyUpdate"),
    ("1.3.6.1.5.5.7.4.19", "id-it-certReqTemplate"),
    ("1.3.6.1.5.5.7.4.2", "id-it-signKeyPairTypes"),
    ("1.3.6.1.5.5.7.4.3", "id-it-encKeyPairTypes"),
    ("1.3.6.1.5.5.7.4.4", "id-it-preferredSymmAlg"),
    ("1.3.6.1.5.5.7.4.5", "id-it-caKeyUpdateInfo"),
    ("1.3.6.1.5.5.7.4.6", "id-it-currentCRL"),
    ("1.3.6.1.5.5.7.4.7", "id-it-unsupportedOIDs"),
    ("1.3.6.1.5.5.7.4.8", "id-it-subscriptionRequest"),
    ("1.3.6.1.5.5.7.4.9", "id-it-subscriptionResponse"),
    ("1.3.6.1.5.5.7.48", "id-ad"),
    ("1.3.6.1.5.5.7.48.1", "OCSP"),
    ("1.3.6.1.5.5.7.48.1.1", "Basic OCSP Response"),
    ("1.3.6.1.5.5.7.48.1.10", "path"),
    ("1.3.6.1.5.5.7.48.1.11", "Trust Root"),
    ("1.3.6.1.5.5.7.48.1.2", "OCSP Nonce"),
    ("1.3.6.1.5.5.7.48.1.3", "OCSP CRL ID"),
    ("1.3.6.1.5.5.7.48.1.4", "Acceptable OCSP Responses"),
    ("1.3.6.1.5.5.7.48.1.5", "OCSP No Check"),
    ("1.3.6.1.5.5.7.48.1.6", "OCSP Archive Cutoff"),
    ("1.3.6.1.5.5.7.48.1.7", "OCSP Service Locator"),
    ("1.3.6.1.5.5.7.48.1.8", "Extended OCSP Status"),
    ("1.3.6.1.5.5.7.48.1.9", "valid"),
    ("1.3.6.1.5.5.7.48.10", "RPKI Manifest"),
    ("1.3.6.1.5.5.7.48.11", "Signed Object"),
    ("1.3.6.1.5.5.7.48.13", "RPKI Notify"),
    ("1.3.6.1.5.5.7.48.2", "CA Issuers"),
    ("1.3.6.1.5.5.7.48.3", "AD Time Stamping"),
    ("1.3.6.1.5.5.7.48.4", "ad dvcs"),
    ("1.3.6.1.5.5.7.48.5", "CA Repository"),
    ("1.3.6.1.5.5.7.5", "id-pkip"),
    ("1.3.6.1.5.5.7.5.1", "id-regCtrl"),
    ("1.3.6.1.5.5.7.5.1.1", "id-regCtrl-regToken"),
    ("1.3.6.1.5.5.7.5.1.2", "id-regCtrl-authenticator"),
    ("1.3.6.1.5.5.7.5.1.3", "id-regCtrl-pkiPublicationInfo"),
    ("1.3.6.1.5.5.7.5.1.4", "id-regCtrl-pkiArchiveOptions"),
    ("1.3.6.1.5.5.7.5.1.5", "id-regCtrl-oldCertID"),
    ("1.3.6.1.5.5.7.5.1.6", "id-regCtrl-protocolEncrKey"),
    ("1.3.6.1.5.5.7.5.2", "id-regInfo"),
    ("1.3.6.1.5.5.7.5.2.1", "id-regInfo-utf8Pairs"),
    ("1.3.6.1.5.5.7.5.2.2", "id-regInfo-certReq"),
    ("1.3.6.1.5.5.7.6", "id-alg"),
    ("1.3.6.1.5.5.7.6.1", "id-alg-des40"),
    ("1.3.6.1.5.5.7.6.2", "id-alg-noSignature"),
    ("1.3.6.1.5.5.7.6.3", "id-alg-dh-sig-hmac-sha1"),
    ("1.3.6.1.5.5.7.6.4", "id-alg-dh-pop"),
    ("1.3.6.1.5.5.7.7", "id-cmc"),
    ("1.3.6.1.5.5.7.7.1", "id-cmc-statusInfo"),
    ("1.3.6.1.5.5.7.7.10", "id-cmc-decryptedPOP"),
    ("1.3.6.1.5.5.7.7.11", "id-cmc-lraPOPWitness"),
    ("1.3.6.1.5.5.7.7.15", "id-cmc-getCert"),
    ("1.3.6.1.5.5.7.7.16", "id-cmc-getCRL"),
    ("1.3.6.1.5.5.7.7.17", "id-cmc-revokeRequest"),
    ("1.3.6.1.5.5.7.7.18", "id-cmc-regInfo"),
    ("1.3.6.1.5.5.7.7.19", "id-cmc-responseInfo"),
    ("1.3.6.1.5.5.7.7.2", "id-cmc-identification"),
    ("1.3.6.1.5.5.7.7.21", "id-cmc-queryPending"),
    ("1.3.6.1.5.5.7.7.22", "id-cmc-popLinkRandom"),
    ("1.3.6.1.5.5.7.7.23", "id-cmc-popLinkWitness"),
    ("1.3.6.1.5.5.7.7.24", "id-cmc-confirmCertAcceptance"),
    ("1.3.6.1.5.5.7.7.3", "id-cmc-identityProof"),
    ("1.3.6.1.5.5.7.7.4", "id-cmc-dataReturn"),
    ("1.3.6.1.5.5.7.7.5", "id-cmc-transactionId"),
    ("1.3.6.1.5.5.7.7.6", "id-cmc-senderNonce"),
    ("1.3.6.1.5.5.7.7.7", "id-cmc-recipientNonce"),
    ("1.3.6.1.5.5.7.7.8", "id-cmc-addExtensions"),
    ("1.3.6.1.5.5.7.7.9", "id-cmc-encryptedPOP"),
    ("1.3.6.1.5.5.7.8", "id-on"),
    ("1.3.6.1.5.5.7.8.1", "id-on-personalData"),
    ("1.3.6.1.5.5.7.8.3", "Permanent Identifier"),
    ("1.3.6.1.5.5.7.8.5", "XmppAddr"),
    ("1.3.6.1.5.5.7.8.7", "SRVName"),
    ("1.3.6.1.5.5.7.8.8", "NAIRealm"),
    ("1.3.6.1.5.5.7.8.9", "Smtp UTF8 Mailbox"),
    ("1.3.6.1.5.5.7.9", "id-pda"),
    ("1.3.6.1.5.5.7.9.1", "id-pda-dateOfBirth"),
    ("1.3.6.1.5.5.7.9.2", "id-pda-placeOfBirth"),
    ("1.3.6.1.5.5.7.9.3", "id-pda-gender"),
    ("1.3.6.1.5.5.7.9.4", "id-pda-countryOfCitizenship"),
    ("1.3.6.1.5.5.7.9.5", "id-pda-countryOfResidence"),
    ("1.3.6.1.5.5.8.1.1", "hmac-md5"),
    ("1.3.6.1.5.5.8.1.2", "hmac-sha1"),
    ("1.3.6.1.6", "SNMPv2"),
    ("1.3.6.1.7", "Mail"),
    ("1.3.6.1.7.1", "MIME MHS"),
    ("1.3.6.1.7.1.1", "mime-mhs-headings"),
    ("1.3.6.1.7.1.1.1", "id-hex-partial-message"),
    ("1.3.6.1.7.1.1.2", "id-hex-multipart-message"),
    ("1.3.6.1.7.1.2", "mime-mhs-bodies"),
    ("2.16.840.1.101.3.4.1.1", "aes-128-ecb"),
    ("2.16.840.1.101.3.4.1.2", "aes-128-cbc"),
    ("2.16.840.1.101.3.4.1.21", "aes-192-ecb"),
    ("2.16.840.1.101.3.4.1.22", "aes-192-cbc"),
    ("2.16.840.1.101.3.4.1.23", "aes-192-ofb"),
    ("2.16.840.1.101.3.4.1.24", "aes-192-cfb"),
    ("2.16.840.1.101.3.4.1.25", "id-aes192-wrap"),
    ("2.16.840.1.101.3.4.1.26", "aes-192-gcm"),
    ("2.16.840.1.101.3.4.1.27", "aes-192-ccm"),
    ("2.16.840.1.101.3.4.1.28", "id-aes192-wrap-pad"),
    ("2.16.840.1.101.3.4.1.3", "aes-128-ofb"),
    ("2.16.840.1.101.3.4.1.4", "aes-128-cfb"),
    ("2.16.840.1.101.3.4.1.41", "aes-256-ecb"),
    ("2.16.840.1.101.3.4.1.42", "aes-256-cbc"),
    ("2.16.840.1.101.3.4.1.43", "aes-256-ofb"),
    ("2.16.840.1.101.3.4.1.44", "aes-256-cfb"),
    ("2.16.840.1.101.3.4.1.45", "id-aes256-wrap"),
    ("2.16.840.1.101.3.4.1.46", "aes-256-gcm"),
    ("2.16.840.1.101.3.4.1.47", "aes-256-ccm"),
    ("2.16.840.1.101.3.4.1.48", "id-aes256-wrap-pad"),
    ("2.16.840.1.101.3.4.1.5", "id-aes128-wrap"),
    ("2.16.840.1.101.3.4.1.6", "aes-128-gcm"),
    ("2.16.840.1.101.3.4.1.7", "aes-128-ccm"),
    ("2.16.840.1.101.3.4.1.8", "id-aes128-wrap-pad"),
    ("2.16.840.1.101.3.4.2.1", "sha256"),
    ("2.16.840.1.101.3.4.2.10", "sha3-512"),
    ("2.16.840.1.101.3.4.2.11", "shake128"),
    ("2.16.840.1.101.3.4.2.12", "shake256"),
    ("2.16.840.1.101.3.4.2.13", "hmac-sha3-224"),
    ("2.16.840.1.101.3.4.2.14", "hmac-sha3-256"),
    ("2.16.840.1.101.3.4.2.15", "hmac-sha3-384"),
    ("2.16.840.1.101.3.4.2.16", "hmac-sha3-512"),
    ("2.16.840.1.101.3.4.2.19", "kmac128"),
    ("2.16.840.1.101.3.4.2.2", "sha384"),
    ("2.16.840.1.101.3.4.2.20", "kmac256"),
    ("2.16.840.1.101.3.4.2.3", "sha512"),
    ("2.16.840.1.101.3.4.2.4", "sha224"),
    ("2.16.840.1.101.3.4.2.5", "sha512-224"),
    ("2.16.840.1.101.3.4.2.6", "sha512-256"),
    ("2.16.840.1.101.3.4.2.7", "sha3-224"),
    ("2.16.840.1.101.3.4.2.8", "sha3-256"),
    ("2.16.840.1.101.3.4.2.9", "sha3-384"),
    ("2.16.840.1.101.3.4.3.1", "dsa_with_SHA224"),
    ("2.16.840.1.101.3.4.3.10", "ecdsa_with_SHA3-256"),
    ("2.16.840.1.101.3.4.3.11", "ecdsa_with_SHA3-384"),
    ("2.16.840.1.101.3.4.3.12", "ecdsa_with_SHA3-512"),
    ("2.16.840.1.101.3.4.3.13", "RSA-SHA3-224"),
    ("2.16.840.1.101.3.4.3.14", "RSA-SHA3-256"),
    ("2.16.840.1.101.3.4.3.15", "RSA-SHA3-384"),
    ("2.16.840.1.101.3.4.3.16", "RSA-SHA3-512"),
    ("2.16.840.1.101.3.4.3.2", "dsa_with_SHA256"),
    ("2.16.840.1.101.3.4.3.3", "dsa_with_SHA384"),
    ("2.16.840.1.101.3.4.3.4", "dsa_with_SHA512"),
    ("2.16.840.1.101.3.4.3.5", "dsa_with_SHA3-224"),
    ("2.16.840.1.101.3.4.3.6", "dsa_with_SHA3-256"),
    ("2.16.840.1.101.3.4.3.7", "dsa_with_SHA3-384"),
    ("2.16.840.1.101.3.4.3.8", "dsa_with_SHA3-512"),
    ("2.16.840.1.101.3.4.3.9", "ecdsa_with_SHA3-224"),
    ("2.16.840.1.113730", "Netscape Communications Corp."),
    ("2.16.840.1.113730.1", "Netscape Certificate Extension"),
    ("2.16.840.1.113730.1.1", "Netscape Cert Type"),
    ("2.16.840.1.113730.1.12", "Netscape SSL Server Name"),
    ("2.16.840.1.113730.1.13", "Netscape Comment"),
    ("2.16.840.1.113730.1.2", "Netscape Base Url"),
    ("2.16.840.1.113730.1.3", "Netscape Revocation Url"),
    ("2.16.840.1.113730.1.4", "Netscape CA Revocation Url"),
    ("2.16.840.1.113730.1.7", "Netscape Renewal Url"),
    ("2.16.840.1.113730.1.8", "Netscape CA Policy Url"),
    ("2.16.840.1.113730.2", "Netscape Data Type"),
    ("2.16.840.1.113730.2.5", "Netscape Certificate Sequence"),
    ("2.16.840.1.113730.4.1", "Netscape Server Gated Crypto"),
    ("2.23", "International Organizations"),
    ("2.23.42", "Secure Electronic Transactions"),
    ("2.23.42.0", "content types"),
    ("2.23.42.0.0", "setct-PANData"),
    ("2.23.42.0.1", "setct-PANToken"),
    ("2.23.42.0.10", "setct-AuthRevResBaggage"),
    ("2.23.42.0.11", "setct-CapTokenSeq"),
    ("2.23.42.0.12", "setct-PInitResData"),
    ("2.23.42.0.13", "setct-PI-TBS"),
    ("2.23.42.0.14", "setct-PResData"),
    ("2.23.42.0.16", "setct-AuthReqTBS"),
    ("2.23.42.0.17", "setct-AuthResTBS"),
    ("2.23.42.0.18", "setct-AuthResTBSX"),
    ("2.23.42.0.19", "setct-AuthTokenTBS"),
    ("2.23.42.0.2", "setct-PANOnly"),
    ("2.23.42.0.20", "setct-CapTokenData"),
    ("2.23.42.0.21", "setct-CapTokenTBS"),
    ("2.23.42.0.22", "setct-AcqCardCodeMsg"),
    ("2.23.42.0.23", "setct-AuthRevReqTBS"),
    ("2.23.42.0.24", "setct-AuthRevResData"),
    ("2.23.42.0.25", "setct-AuthRevResTBS"),
    ("2.23.42.0.26", "setct-CapReqTBS"),
    ("2.23.42.0.27", "setct-CapReqTBSX"),
    ("2.23.42.0.28", "setct-CapResData"),
    ("2.23.42.0.29", "setct-CapRevReqTBS"),
    ("2.23.42.0.3", "setct-OIData"),
    ("2.23.42.0.30", "setct-CapRevReqTBSX"),
    ("2.23.42.0.31", "setct-CapRevResData"),
    ("2.23.42.0.32", "setct-CredReqTBS"),
    ("2.23.42.0.33", "setct-CredReqTBSX"),
    ("2.23.42.0.34", "setct-CredResData"),
    ("2.23.42.0.35", "setct-CredRevReqTBS"),
    ("2.23.42.0.36", "setct-CredRevReqTBSX"),
    ("2.23.42.0.37", "setct-CredRevResData"),
    ("2.23.42.0.38", "setct-PCertReqData"),
    ("2.23.42.0.39", "setct-PCertResTBS"),
    ("2.23.42.0.4", "setct-PI"),
    ("2.23.42.0.40", "setct-BatchAdminReqData"),
    ("2.23.42.0.41", "setct-BatchAdminResData"),
    ("2.23.42.0.42", "setct-CardCInitResTBS"),
    ("2.23.42.0.43", "setct-MeAqCInitResTBS"),
    ("2.23.42.0.44", "setct-RegFormResTBS"),
    ("2.23.42.0.45", "setct-CertReqData"),
    ("2.23.42.0.46", "setct-CertReqTBS"),
    ("2.23.42.0.47", "setct-CertResData"),
    ("2.23.42.0.48", "setct-CertInqReqTBS"),
    ("2.23.42.0.49", "setct-ErrorTBS"),
    ("2.23.42.0.5", "setct-PIData"),
    ("2.23.42.0.50", "setct-PIDualSignedTBE"),
    ("2.23.42.0.51", "setct-PIUnsignedTBE"),
    ("2.23.42.0.52", "setct-AuthReqTBE"),
    ("2.23.42.0.53", "setct-AuthResTBE"),
    ("2.23.42.0.54", "setct-AuthResTBEX"),
    ("2.23.42.0.55", "setct-AuthTokenTBE"),
    ("2.23.42.0.56", "setct-CapTokenTBE"),
    ("2.23.42.0.57", "setct-CapTokenTBEX"),
    ("2.23.42.0.58", "setct-AcqCardCodeMsgTBE"),
    ("2.23.42.0.59", "setct-AuthRevReqTBE"),
    ("2.23.42.0.6", "setct-PIDataUnsigned"),
    ("2.23.42.0.60", "setct-AuthRevResTBE"),
    ("2.23.42.0.61", "setct-AuthRevResTBEB"),
    ("2.23.42.0.62", "setct-CapReqTBE"),
    ("2.23.42.0.63", "setct-CapReqTBEX"),
    ("2.23.42.0.64", "setct-CapResTBE"),
    ("2.23.42.0.65", "setct-CapRevReqTBE"),
    ("2.23.42.0.66", "setct-CapRevReqTBEX"),
    ("2.23.42.0.67", "setct-CapRevResTBE"),
    ("2.23.42.0.68", "setct-CredReqTBE"),
    ("2.23.42.0.69", "setct-CredReqTBEX"),
    ("2.23.42.0.7", "setct-HODInput"),
    ("2.23.42.0.70", "setct-CredResTBE"),
    ("2.23.42.0.71", "setct-CredRevReqTBE"),
    ("2.23.42.0.72", "setct-CredRevReqTBEX"),
    ("2.23.42.0.73", "setct-CredRevResTBE"),
    ("2.23.42.0.74", "setct-BatchAdminReqTBE"),
    ("2.23.42.0.75", "setct-BatchAdminResTBE"),
    ("2.23.42.0.76", "setct-RegFormReqTBE"),
    ("2.23.42.0.77", "setct-CertReqTBE"),
    ("2.23.42.0.78", "setct-CertReqTBEX"),
    ("2.23.42.0.79", "setct-CertResTBE"),
    ("2.23.42.0.8", "setct-AuthResBaggage"),
    ("2.23.42.0.80", "setct-CRLNotificationTBS"),
    ("2.23.42.0.81", "setct-CRLNotificationResTBS"),
    ("2.23.42.0.82", "setct-BCIDistributionTBS"),
    ("2.23.42.0.9", "setct-AuthRevReqBaggage"),
    ("2.23.42.1", "message extensions"),
    ("2.23.42.1.1", "generic cryptogram"),
    ("2.23.42.1.3", "merchant initiated auth"),
    ("2.23.42.1.4", "setext-pinSecure"),
    ("2.23.42.1.5", "setext-pinAny"),
    ("2.23.42.1.7", "setext-track2"),
    ("2.23.42.1.8", "additional verification"),
    ("2.23.42.3", "set-attr"),
    ("2.23.42.3.0", "setAttr-Cert"),
    ("2.23.42.3.0.0", "set-rootKeyThumb"),
    ("2.23.42.3.0.1", "set-addPolicy"),
    ("2.23.42.3.1", "payment gateway capabilities"),
    ("2.23.42.3.2", "setAttr-TokenType"),
    ("2.23.42.3.2.1", "setAttr-Token-EMV"),
    ("2.23.42.3.2.2", "setAttr-Token-B0Prime"),
    ("2.23.42.3.3", "issuer capabilities"),
    ("2.23.42.3.3.3", "setAttr-IssCap-CVM"),
    ("2.23.42.3.3.3.1", "generate cryptogram"),
    ("2.23.42.3.3.4", "setAttr-IssCap-T2"),
    ("2.23.42.3.3.4.1", "encrypted track 2"),
    ("2.23.42.3.3.4.2", "cleartext track 2"),
    ("2.23.42.3.3.5", "setAttr-IssCap-Sig"),
    ("2.23.42.3.3.5.1", "ICC or token signature"),
    ("2.23.42.3.3.5.2", "secure device signature"),
    ("2.23.42.5", "set-policy"),
    ("2.23.42.5.0", "set-policy-root"),
    ("2.23.42.7", "certificate extensions"),
    ("2.23.42.7.0", "setCext-hashedRoot"),
    ("2.23.42.7.1", "setCext-certType"),
    ("2.23.42.7.10", "setCext-TokenType"),
    ("2.23.42.7.11", "setCext-IssuerCapabilities"),
    ("2.23.42.7.2", "setCext-merchData"),
    ("2.23.42.7.3", "setCext-cCertRequired"),
    ("2.23.42.7.4", "setCext-tunneling"),
    ("2.23.42.7.5", "setCext-setExt"),
    ("2.23.42.7.6", "setCext-setQualf"),
    ("2.23.42.7.7", "setCext-PGWYcapabilities"),
    ("2.23.42.7.8", "setCext-TokenIdentifier"),
    ("2.23.42.7.9", "setCext-Track2Data"),
    ("2.23.42.8", "set-brand"),
    ("2.23.42.8.1", "set-brand-IATA-ATA"),
    ("2.23.42.8.30", "set-brand-Diners"),
    ("2.23.42.8.34", "set-brand-AmericanExpress"),
    ("2.23.42.8.35", "set-brand-JCB"),
    ("2.23.42.8.4", "set-brand-Visa"),
    ("2.23.42.8.5", "set-brand-MasterCard"),
    ("2.23.42.8.6011", "set-brand-Novus"),
    ("2.23.43", "wap"),
    ("2.23.43.1", "wap-wsg"),
    ("2.23.43.1.4.1", "wap-wsg-idm-ecid-wtls1"),
    ("2.23.43.1.4.10", "wap-wsg-idm-ecid-wtls10"),
    ("2.23.43.1.4.11", "wap-wsg-idm-ecid-wtls11"),
    ("2.23.43.1.4.12", "wap-wsg-idm-ecid-wtls12"),
    ("2.23.43.1.4.3", "wap-wsg-idm-ecid-wtls3"),
    ("2.23.43.1.4.4", "wap-wsg-idm-ecid-wtls4"),
    ("2.23.43.1.4.5", "wap-wsg-idm-ecid-wtls5"),
    ("2.23.43.1.4.6", "wap-wsg-idm-ecid-wtls6"),
    ("2.23.43.1.4.7", "wap-wsg-idm-ecid-wtls7"),
    ("2.23.43.1.4.8", "wap-wsg-idm-ecid-wtls8"),
    ("2.23.43.1.4.9", "wap-wsg-idm-ecid-wtls9"),
    ("2.5", "directory services (X.500)"),
    ("2.5.1.5", "Selected Attribute Types"),
    ("2.5.1.5.55", "clearance"),
    ("2.5.29", "id-ce"),
    ("2.5.29.14", "X509v3 Subject Key Identifier"),
    ("2.5.29.15", "X509v3 Key Usage"),
    ("2.5.29.16", "X509v3 Private Key Usage Period"),
    ("2.5.29.17", "X509v3 Subject Alternative Name"),
    ("2.5.29.18", "X509v3 Issuer Alternative Name"),
    ("2.5.29.19", "X509v3 Basic Constraints"),
    ("2.5.29.20", "X509v3 CRL Number"),
    ("2.5.29.21", "X509v3 CRL Reason Code"),
    ("2.5.29.23", "Hold Instruction Code"),
    ("2.5.29.24", "Invalidity Date"),
    ("2.5.29.27", "X509v3 Delta CRL Indicator"),
    ("2.5.29.28", "X509v3 Issuing Distribution Point"),
    ("2.5.29.29", "X509v3 Certificate Issuer"),
    ("2.5.29.30", "X509v3 Name Constraints"),
    ("2.5.29.31", "X509v3 CRL Distribution Points"),
    ("2.5.29.32", "X509v3 Certificate Policies"),
    ("2.5.29.32.0", "X509v3 Any Policy"),
    ("2.5.29.33", "X509v3 Policy Mappings"),
    ("2.5.29.35", "X509v3 Authority Key Identifier"),
    ("2.5.29.36", "X509v3 Policy Constraints"),
    ("2.5.29.37", "X509v3 Extended Key Usage"),
    ("2.5.29.37.0", "Any Extended Key Usage"),
    ("2.5.29.46", "X509v3 Freshest CRL"),
    ("2.5.29.54", "X509v3 Inhibit Any Policy"),
    ("2.5.29.55", "X509v3 AC Targeting"),
    ("2.5.29.56", "X509v3 No Revocation Available"),
    ("2.5.29.9", "X509v3 Subject Directory Attributes"),
    ("2.5.4", "X509"),
    ("2.5.4.10", "organizationName"),
    ("2.5.4.100", "dnsName"),
    ("2.5.4.11", "organizationalUnitName"),
    ("2.5.4.12", "title"),
    ("2.5.4.13", "description"),
    ("2.5.4.14", "searchGuide"),
    ("2.5.4.15", "businessCategory"),
    ("2.5.4.16", "postalAddress"),
    ("2.5.4.17", "postalCode"),
    ("2.5.4.18", "postOfficeBox"),
    ("2.5.4.19", "physicalDeliveryOfficeName"),
    ("2.5.4.20", "telephoneNumber"),
    ("2.5.4.21", "telexNumber"),
    ("2.5.4.22", "teletexTerminalIdentifier"),
    ("2.5.4.23", "facsimileTelephoneNumber"),
    ("2.5.4.24", "x121Address"),
    ("2.5.4.25", "internationaliSDNNumber"),
    ("2.5.4.26", "registeredAddress"),
    ("2.5.4.27", "destinationIndicator"),
    ("2.5.4.28", "preferredDeliveryMethod"),
    ("2.5.4.29", "presentationAddress"),
    ("2.5.4.3", "commonName"),
    ("2.5.4.30", "supportedApplicationContext"),
    ("2.5.4.31", "member"),
    ("2.5.4.32", "owner"),
    ("2.5.4.33", "roleOccupant"),
    ("2.5.4.34", "seeAlso"),
    ("2.5.4.35", "userPassword"),
    ("2.5.4.36", "userCertificate"),
    ("2.5.4.37", "cACertificate"),
    ("2.5.4.38", "authorityRevocationList"),
    ("2.5.4.39", "certificateRevocationList"),
    ("2.5.4.4", "surname"),
    ("2.5.4.40", "crossCertificatePair"),
    ("2.5.4.41", "name"),
    ("2.5.4.42", "givenName"),
    ("2.5.4.43", "initials"),
    ("2.5.4.44", "generationQualifier"),
    ("2.5.4.45", "x500UniqueIdentifier"),
    ("2.5.4.46", "dnQualifier"),
    ("2.5.4.47", "enhancedSearchGuide"),
    ("2.5.4.48", "protocolInformation"),
    ("2.5.4.49", "distinguishedName"),
    ("2.5.4.5", "serialNumber"),
    ("2.5.4.50", "uniqueMember"),
    ("2.5.4.51", "houseIdentifier"),
    ("2.5.4.52", "supportedAlgorithms"),
    ("2.5.4.53", "deltaRevocationList"),
    ("2.5.4.54", "dmdName"),
    ("2.5.4.6", "countryName"),
    ("2.5.4.65", "pseudonym"),
    ("2.5.4.7", "localityName"),
    ("2.5.4.72", "role"),
    ("2.5.4.8", "stateOrProvinceName"),
    ("2.5.4.9", "streetAddress"),
    ("2.5.4.97", "organizationIdentifier"),
    ("2.5.4.98", "countryCode3c"),
    ("2.5.4.99", "countryCode3n"),
    ("2.5.8", "directory services - algorithms"),
    ("2.5.8.1.1", "rsa"),
    ("2.5.8.3.100", "mdc2WithRSA"),
    ("2.5.8.3.101", "mdc2"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn tm(utc: bool, s: &str) -> String {
        time_text(utc, s.as_bytes())
    }

    #[test]
    fn times_like_openssl() {
        assert_eq!(tm(true, "180105093443Z"), "Jan  5 09:34:43 2018 GMT");
        assert_eq!(tm(true, "500101000000Z"), "Jan  1 00:00:00 1950 GMT");
        assert_eq!(tm(true, "491231235959Z"), "Dec 31 23:59:59 2049 GMT");
        assert_eq!(tm(true, "1801050934Z"), "Jan  5 09:34:00 2018 GMT");
        assert_eq!(tm(true, "180105093443+0100"), "Jan  5 08:34:43 2018 GMT");
        assert_eq!(tm(true, "180229000000Z"), "Bad time value");
        assert_eq!(
            tm(false, "20180105093443.123Z"),
            "Jan  5 09:34:43.123 2018 GMT"
        );
        assert_eq!(
            tm(false, "20180105093443.123+0130"),
            "Jan  5 08:04:43.123 2018 GMT"
        );
        assert_eq!(tm(false, "20180105093443+1300"), "Bad time value");
        assert_eq!(tm(false, "19000101000000+0100"), "Bad time value");
        assert_eq!(tm(false, "00000101000000Z"), "Jan  1 00:00:00 0 GMT");
        assert_eq!(tm(false, "20180105093443."), "Bad time value");
        assert_eq!(tm(false, ""), "Bad time value");
        assert_eq!(tm(false, "99991231230000+0100"), "Dec 31 22:00:00 9999 GMT");
        assert_eq!(tm(false, "20181231233000-0100"), "Jan  1 00:30:00 2019 GMT");
    }

    fn serial(der: &[u8]) -> R<String> {
        let t = Tlv {
            class: Class::Universal,
            constructed: false,
            tag: T_INTEGER,
            data: der,
        };
        integer(&t).map(|(n, m)| serial_text(n, &m))
    }

    #[test]
    fn serials_like_openssl() {
        assert_eq!(serial(&[0]).unwrap(), "00");
        assert_eq!(serial(&[0x7f]).unwrap(), "7F");
        assert_eq!(serial(&[0, 0x80]).unwrap(), "80");
        assert_eq!(serial(&[1, 0]).unwrap(), "0100");
        assert_eq!(serial(&[0xff]).unwrap(), "-01");
        assert_eq!(serial(&[0x80]).unwrap(), "-80");
        assert_eq!(serial(&[0xff, 0x7f]).unwrap(), "-81");
        assert_eq!(serial(&[0xff, 0, 0]).unwrap(), "-010000");
        assert!(serial(&[0, 1]).is_err());
        assert!(serial(&[0xff, 0x80]).is_err());
        assert!(serial(&[]).is_err());
        let long: Vec<u8> = (1..=36).collect();
        let s = serial(&long).unwrap();
        assert_eq!(s.len(), 72);
        assert!(s.ends_with("23\\\n"));
    }

    #[test]
    fn oids_like_openssl() {
        assert_eq!(oid_text(&[0x55, 0x04, 0x03]), "commonName");
        assert_eq!(oid_dotted(&[0x2a, 0x03, 0x04]), "1.2.3.4");
        assert_eq!(oid_dotted(&[0x88, 0x37, 0x01]), "2.999.1");
        assert_eq!(
            oid_dotted(&[0x2a, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]),
            "1.2.2361183241434822606848"
        );
        assert!(check_oid(&[0x2a, 0x80, 0x01]).is_err());
        assert!(check_oid(&[0x2a, 0x81]).is_err());
        assert!(OPENSSL_OBJECTS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn python_utf8_messages() {
        let msg = |b: &[u8]| py_utf8(b).unwrap_err().to_string();
        assert_eq!(
            msg(b"a\xe9b"),
            "'utf-8' codec can't decode byte 0xe9 in position 1: invalid continuation byte"
        );
        assert_eq!(
            msg(b"\xf0\x9f\x98"),
            "'utf-8' codec can't decode bytes in position 0-2: unexpected end of data"
        );
        assert_eq!(
            msg(b"ab\xf0\x9f\x41"),
            "'utf-8' codec can't decode bytes in position 2-3: invalid continuation byte"
        );
        assert_eq!(
            msg(b"\x80"),
            "'utf-8' codec can't decode byte 0x80 in position 0: invalid start byte"
        );
    }

    #[test]
    fn garbage_never_panics() {
        let mut inputs: Vec<Vec<u8>> = vec![
            vec![],
            vec![0x30],
            vec![0x30, 0x80],
            vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
            vec![0x30, 0x03, 0x02, 0x01],
            vec![0xff; 64],
        ];
        // Every prefix and a byte flip at every position of a small certificate.
        fn tlv(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
            let data = parts.concat();
            let mut out = vec![tag, data.len() as u8];
            out.extend(data);
            out
        }
        let alg = tlv(0x30, &[&[0x06, 0x01, 0x2a]]);
        let tbs = tlv(
            0x30,
            &[
                &tlv(0xa0, &[&[0x02, 0x01, 0x02]]),
                &[0x02, 0x01, 0x05],
                &alg,
                &[0x30, 0x00],
                &tlv(
                    0x30,
                    &[
                        &tlv(0x17, &[b"180105093443Z"]),
                        &tlv(0x17, &[b"280105093443Z"]),
                    ],
                ),
                &[0x30, 0x00],
                &tlv(0x30, &[&alg, &[0x03, 0x02, 0x00, 0x01]]),
            ],
        );
        let cert = tlv(0x30, &[&tbs, &alg, &[0x03, 0x02, 0x00, 0x01]]);
        let rec = decode_cert(&cert).unwrap();
        assert_eq!(
            rec.repr(),
            "{'subject': (), 'issuer': (), 'version': 3, 'serialNumber': '05', \
             'notBefore': 'Jan  5 09:34:43 2018 GMT', 'notAfter': 'Jan  5 09:34:43 2028 GMT'}"
        );
        for i in 0..cert.len() {
            inputs.push(cert[..i].to_vec());
            let mut flipped = cert.to_vec();
            flipped[i] ^= 0xff;
            inputs.push(flipped);
        }
        for input in inputs {
            let _ = decode_cert(&input);
        }
        // Truncations must be errors, never panics or partial records.
        for i in 0..cert.len() {
            assert!(decode_cert(&cert[..i]).is_err());
        }
    }
}
