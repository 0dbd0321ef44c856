//! The certificate: what `d2i_X509` checks of it and keeps for CPython's dict.

use super::der::{
    bit_string, expect_seq, explicit_inner, integer, integer_as_long, oid_bytes, read_tlv,
    string_octets, Tlv, T_BIT_STRING, T_BOOLEAN, T_INTEGER, T_OCTET_STRING,
};
use super::names::{parse_name, Name};
use super::times::parse_time;
use super::{bad, Fail, R};

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
pub(super) struct Parsed<'a> {
    pub(super) version: i64,
    pub(super) serial: (bool, Vec<u8>),
    pub(super) issuer: Name<'a>,
    pub(super) not_before: (bool, Vec<u8>),
    pub(super) not_after: (bool, Vec<u8>),
    pub(super) subject: Name<'a>,
    /// (OID encoding, extnValue octets) in certificate order.
    pub(super) extensions: Vec<(&'a [u8], Vec<u8>)>,
}

pub(super) fn parse_certificate(der: &[u8]) -> R<Parsed<'_>> {
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
