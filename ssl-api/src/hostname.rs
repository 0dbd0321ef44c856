//! Hostname matching (reference row F8): `ssl.match_hostname` with exactly the
//! rules, outcomes and messages of CPython 3.7-3.11 (`_dnsname_match`,
//! `_ipaddress_match`, `_inet_paton`).
//!
//! Python deprecated `match_hostname` in 3.7 (the TLS handshake checks the
//! hostname when `check_hostname` is set) and removed it in 3.12; it is kept
//! here as a pure function because code ported from Python still calls it.
//!
//! IP addresses are parsed as CPython does on glibc: `socket.inet_aton` (which
//! also accepts `127.1`, `0x7f.1`, octal parts and trailing whitespace followed
//! by anything), accepted only when `inet_ntoa` gives the very same text back,
//! then `socket.inet_pton(AF_INET6, ...)`.

use crate::cert::record::CertRecord;
use crate::error::{Error, Result};
use crate::pyvalue::is_py_space;
use crate::pyvalue::{repr_str, PyValue};

/// F8 `match_hostname(cert, hostname)`: checks that `cert` (a decoded
/// certificate as `getpeercert()` returns it) is valid for `hostname`, as
/// CPython 3.7-3.11 does.
///
/// Deprecated in Python 3.7: the handshake itself checks the hostname when
/// `SSLContext.check_hostname` is set. Rules (RFC 6125 6.4.3, as CPython reads
/// it):
///
/// * when `hostname` is a canonical dotted-quad IPv4 address or an IPv6
///   address, only `IP Address` entries of `subjectAltName` are compared (as
///   packed addresses, the entry's trailing whitespace stripped);
/// * otherwise `DNS` entries are compared case-insensitively; a `*` may only be
///   the whole left-most label and matches exactly one non-empty label. More
///   than one `*`, a `*` in another label, a sole `*` or a partial wildcard
///   (`f*.com`) is an error (`CertificateError`), not a non-match;
/// * `commonName` values of the subject are used only when `subjectAltName`
///   has neither a `DNS` nor an `IP Address` entry.
///
/// # Errors
///
/// * `CertificateError` ([`Error::certificate`], Python's
///   `SSLCertVerificationError`) on a mismatch, with Python's message
///   (`hostname 'x' doesn't match 'y'`, `hostname 'x' doesn't match either of
///   'a', 'b'`, `no appropriate commonName or subjectAltName fields were
///   found`) or on an unsupported wildcard;
/// * `ValueError` for the empty record (`{}`) and, as in Python, when an
///   `IP Address` entry is not an address while `hostname` is one.
///
/// Entries whose value is not a `str` (which `getpeercert()` never produces for
/// `DNS`, `IP Address` or `commonName`) never match; Python would raise a
/// `TypeError`/`AttributeError` on them.
pub fn match_hostname(cert: &CertRecord, hostname: &str) -> Result<()> {
    if cert.is_empty() {
        return Err(Error::value(
            "empty or no certificate, match_hostname needs a SSL socket or SSL \
             context with either CERT_OPTIONAL or CERT_REQUIRED",
        ));
    }
    // Python: `try: host_ip = _inet_paton(hostname) except ValueError: None`.
    let host_ip = inet_paton(hostname).ok();
    let mut dnsnames: Vec<PyValue> = Vec::new();
    for (key, value) in cert.subject_alt_name().unwrap_or_default() {
        if key == "DNS" {
            if host_ip.is_none() && dnsname_match(&value, hostname)? {
                return Ok(());
            }
            dnsnames.push(value);
        } else if key == "IP Address" {
            if let Some(ip) = &host_ip {
                if ipaddress_match(&value, ip)? {
                    return Ok(());
                }
            }
            dnsnames.push(value);
        }
    }
    if dnsnames.is_empty() {
        // The subject is only checked when there is no dNSName entry in
        // subjectAltName (nor an IP Address one: Python's exact logic).
        for rdn in cert.subject() {
            for (key, value) in rdn {
                if key == "commonName" {
                    if dnsname_match(&value, hostname)? {
                        return Ok(());
                    }
                    dnsnames.push(value);
                }
            }
        }
    }
    match dnsnames.as_slice() {
        [] => Err(Error::certificate(
            "no appropriate commonName or subjectAltName fields were found",
        )),
        [one] => Err(Error::certificate(format!(
            "hostname {} doesn't match {}",
            repr_str(hostname),
            one.repr()
        ))),
        many => Err(Error::certificate(format!(
            "hostname {} doesn't match either of {}",
            repr_str(hostname),
            many.iter()
                .map(PyValue::repr)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Python's `_dnsname_match(dn, hostname)`.
fn dnsname_match(dn: &PyValue, hostname: &str) -> Result<bool> {
    let Some(dn) = dn.as_str() else {
        return Ok(false);
    };
    if dn.is_empty() {
        return Ok(false);
    }
    let wildcards = dn.matches('*').count();
    if wildcards == 0 {
        return Ok(dn.to_lowercase() == hostname.to_lowercase());
    }
    if wildcards > 1 {
        return Err(Error::certificate(format!(
            "too many wildcards in certificate DNS name: {}.",
            repr_str(dn)
        )));
    }
    let (dn_leftmost, dn_remainder) = match dn.split_once('.') {
        Some((left, right)) => (left, Some(right)),
        None => (dn, None),
    };
    if dn_remainder.is_some_and(|r| r.contains('*')) {
        return Err(Error::certificate(format!(
            "wildcard can only be present in the leftmost label: {}.",
            repr_str(dn)
        )));
    }
    let Some(dn_remainder) = dn_remainder else {
        return Err(Error::certificate(format!(
            "sole wildcard without additional labels are not support: {}.",
            repr_str(dn)
        )));
    };
    if dn_leftmost != "*" {
        return Err(Error::certificate(format!(
            "partial wildcards in leftmost label are not supported: {}.",
            repr_str(dn)
        )));
    }
    match hostname.split_once('.') {
        // The wildcard must match at least one character.
        Some((leftmost, remainder)) if !leftmost.is_empty() => {
            Ok(dn_remainder.to_lowercase() == remainder.to_lowercase())
        }
        _ => Ok(false),
    }
}

/// Python's `_ipaddress_match(cert_ipaddress, host_ip)`: the entry, its trailing
/// whitespace stripped (OpenSSL may leave a `\n`), must parse and be equal.
fn ipaddress_match(cert_ipaddress: &PyValue, host_ip: &[u8]) -> Result<bool> {
    let Some(text) = cert_ipaddress.as_str() else {
        return Ok(false);
    };
    let ip = inet_paton(py_rstrip(text))?;
    Ok(ip == host_ip)
}

/// `str.rstrip()`: Python's whitespace is Unicode `White_Space` plus the
/// separators U+001C..U+001F.
fn py_rstrip(s: &str) -> &str {
    s.trim_end_matches(is_py_space)
}

/// Python's `_inet_paton(ipname)`: the packed address (4 or 16 bytes) or
/// Python's `ValueError`.
fn inet_paton(ipname: &str) -> Result<Vec<u8>> {
    // `socket.inet_aton` takes its argument with the "s" format, which refuses
    // NUL before anything else.
    if ipname.contains('\0') {
        return Err(Error::value("embedded null character"));
    }
    let bytes = ipname.as_bytes();
    if let Some(addr) = inet_aton(bytes) {
        let canonical = format!("{}.{}.{}.{}", addr[0], addr[1], addr[2], addr[3]);
        return if canonical == ipname {
            Ok(addr.to_vec())
        } else {
            Err(Error::value(format!(
                "{} is not a quad-dotted IPv4 address.",
                repr_str(ipname)
            )))
        };
    }
    inet_pton6(bytes).map(|a| a.to_vec()).ok_or_else(|| {
        Error::value(format!(
            "{} is neither an IPv4 nor an IP6 address.",
            repr_str(ipname)
        ))
    })
}

/// C `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `strtoul(s + start, &end, 0)` for a run that starts with a digit: the value
/// (`None` when above 32 bits, which glibc's `inet_aton` refuses) and the end.
fn strtoul0(s: &[u8], start: usize) -> Option<(u64, usize)> {
    let (radix, mut i) = match (s.get(start), s.get(start + 1), s.get(start + 2)) {
        (Some(b'0'), Some(b'x' | b'X'), Some(h)) if h.is_ascii_hexdigit() => (16, start + 2),
        (Some(b'0'), _, _) => (8, start),
        _ => (10, start),
    };
    let mut val: u64 = 0;
    let mut overflow = false;
    while let Some(d) = s.get(i).and_then(|&b| (b as char).to_digit(radix)) {
        val = val * u64::from(radix) + u64::from(d);
        if val > 0xffff_ffff {
            overflow = true;
            val = 0xffff_ffff + 1;
        }
        i += 1;
    }
    if overflow {
        None
    } else {
        Some((val, i))
    }
}

/// glibc's `inet_aton`: `a.b.c.d`, `a.b.c` (c 16 bits), `a.b` (b 24 bits), `a`
/// (32 bits); each part decimal, octal (`0` prefix) or hex (`0x`); the text may
/// go on after a whitespace character.
fn inet_aton(s: &[u8]) -> Option<[u8; 4]> {
    const MAX: [u64; 4] = [0xffff_ffff, 0xff_ffff, 0xffff, 0xff];
    let mut parts: Vec<u64> = Vec::with_capacity(3);
    let mut i = 0;
    loop {
        if !s.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let (val, end) = strtoul0(s, i)?;
        i = end;
        match s.get(i) {
            Some(b'.') => {
                if parts.len() > 2 || val > 0xff {
                    return None;
                }
                parts.push(val);
                i += 1;
            }
            next => {
                if next.is_some_and(|&c| !is_c_space(c)) {
                    return None;
                }
                if val > MAX[parts.len()] {
                    return None;
                }
                let mut word = val;
                for (k, part) in parts.iter().enumerate() {
                    word |= part << (24 - 8 * k);
                }
                return u32::try_from(word).ok().map(u32::to_be_bytes);
            }
        }
    }
}

/// glibc's `inet_pton4` (used inside IPv6 text): exactly four decimal parts,
/// no leading zeros, each at most 255.
fn inet_pton4(s: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut octets = 0;
    let mut saw_digit = false;
    let mut cur: u32 = 0;
    for &ch in s {
        if ch.is_ascii_digit() {
            if saw_digit && cur == 0 {
                return None;
            }
            let new = cur * 10 + u32::from(ch - b'0');
            if new > 255 {
                return None;
            }
            cur = new;
            if !saw_digit {
                octets += 1;
                if octets > 4 {
                    return None;
                }
                saw_digit = true;
            }
            out[octets - 1] = u8::try_from(cur).ok()?;
        } else if ch == b'.' && saw_digit {
            if octets == 4 {
                return None;
            }
            cur = 0;
            saw_digit = false;
        } else {
            return None;
        }
    }
    (octets >= 4).then_some(out)
}

/// glibc's `inet_pton(AF_INET6, ...)`.
fn inet_pton6(src: &[u8]) -> Option<[u8; 16]> {
    let mut tmp = [0u8; 16];
    let mut tp = 0usize;
    let mut colonp: Option<usize> = None;
    let mut i = 0usize;
    if src.is_empty() {
        return None;
    }
    if src[0] == b':' {
        i = 1;
        if src.get(1) != Some(&b':') {
            return None;
        }
    }
    let mut curtok = i;
    let mut xdigits_seen = 0;
    let mut val: u32 = 0;
    while i < src.len() {
        let ch = src[i];
        i += 1;
        if let Some(digit) = (ch as char).to_digit(16) {
            if xdigits_seen == 4 {
                return None;
            }
            val = (val << 4) | digit;
            if val > 0xffff {
                return None;
            }
            xdigits_seen += 1;
            continue;
        }
        if ch == b':' {
            curtok = i;
            if xdigits_seen == 0 {
                if colonp.is_some() {
                    return None;
                }
                colonp = Some(tp);
                continue;
            } else if i == src.len() {
                return None;
            }
            if tp + 2 > 16 {
                return None;
            }
            tmp[tp..tp + 2].copy_from_slice(&(val as u16).to_be_bytes());
            tp += 2;
            xdigits_seen = 0;
            val = 0;
            continue;
        }
        if ch == b'.' && tp + 4 <= 16 {
            if let Some(v4) = inet_pton4(&src[curtok..]) {
                tmp[tp..tp + 4].copy_from_slice(&v4);
                tp += 4;
                xdigits_seen = 0;
                break;
            }
        }
        return None;
    }
    if xdigits_seen > 0 {
        if tp + 2 > 16 {
            return None;
        }
        tmp[tp..tp + 2].copy_from_slice(&(val as u16).to_be_bytes());
        tp += 2;
    }
    if let Some(colon) = colonp {
        if tp == 16 {
            // `::` would expand to a zero-width field.
            return None;
        }
        let n = tp - colon;
        tmp.copy_within(colon..tp, 16 - n);
        tmp[colon..16 - n].fill(0);
        tp = 16;
    }
    (tp == 16).then_some(tmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_parsers_follow_glibc() {
        assert_eq!(inet_aton(b"127.1"), Some([127, 0, 0, 1]));
        assert_eq!(inet_aton(b"0x7f.1"), Some([127, 0, 0, 1]));
        assert_eq!(inet_aton(b"017.0.0.1"), Some([15, 0, 0, 1]));
        assert_eq!(inet_aton(b"1.2.3.4 junk"), Some([1, 2, 3, 4]));
        assert_eq!(inet_aton(b"4294967295"), Some([255; 4]));
        assert_eq!(inet_aton(b"4294967296"), None);
        assert_eq!(inet_aton(b"08.0.0.1"), None);
        assert_eq!(inet_aton(b"1."), None);
        assert_eq!(inet_aton(b""), None);
        assert_eq!(inet_pton6(b"::"), Some([0; 16]));
        assert_eq!(
            inet_pton6(b"::ffff:1.2.3.4").map(|a| a[12..].to_vec()),
            Some(vec![1, 2, 3, 4])
        );
        assert_eq!(inet_pton6(b"1:2:3:4:5:6:7:8::"), None);
        assert_eq!(inet_pton6(b":1::"), None);
        assert_eq!(inet_pton6(b"::01.2.3.4"), None);
        assert!(inet_paton("1.2.3").is_err());
        assert!(inet_paton("").is_err());
    }

    #[test]
    fn messages_read_like_python() {
        let mut cert = CertRecord::empty();
        cert.push(
            "subject",
            PyValue::Tuple(vec![PyValue::Tuple(vec![PyValue::pair(
                "commonName",
                "*.com".into(),
            )])]),
        );
        let err = match_hostname(&cert, "com").unwrap_err();
        assert_eq!(err.to_string(), "hostname 'com' doesn't match '*.com'");
        assert!(err.is_instance("CertificateError"));
        assert!(match_hostname(&CertRecord::empty(), "a").is_err());
    }
}
