//! The record: CPython's `_decode_certificate` over a parsed certificate.

use x509_parser::oid_registry::{
    OID_PKIX_ACCESS_DESCRIPTOR_CA_ISSUERS, OID_PKIX_ACCESS_DESCRIPTOR_OCSP,
    OID_X509_EXT_SUBJECT_ALT_NAME,
};

use super::certificate::{parse_certificate, Parsed};
use super::extensions::{aia_uris, crl_uris, parse_san, san_entry, single_extension};
use super::names::name_value;
use super::serial::serial_text;
use super::times::time_text;
use super::{Fail, R};
use crate::cert::record::CertRecord;
use crate::error::Result;
use crate::pyvalue::PyValue;

pub(super) fn decode(der: &[u8]) -> R<CertRecord> {
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
