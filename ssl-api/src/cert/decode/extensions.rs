//! GeneralName and the extensions CPython reads: subjectAltName,
//! authorityInfoAccess (OCSP, caIssuers) and crlDistributionPoints.

use asn1_rs::Class;
use x509_parser::oid_registry::{
    OID_PKIX_AUTHORITY_INFO_ACCESS, OID_X509_EXT_CRL_DISTRIBUTION_POINTS,
};

use super::certificate::Parsed;
use super::der::{
    bit_string, check_oid, children, expect_seq, explicit_inner, integer, oid_bytes, read_tlv,
    string_octets, Tlv, T_BIT_STRING, T_BMP, T_BOOLEAN, T_ENUMERATED, T_IA5, T_INTEGER, T_NULL,
    T_OID, T_PRINTABLE, T_SEQUENCE, T_SET, T_T61, T_UNIVERSAL, T_UTF8,
};
use super::names::{attr_value, name_value, parse_name, Name};
use super::oid::{oid_dotted, oid_text};
use super::utf8::py_utf8;
use super::{bad, R};
use crate::error::{Error, Result};
use crate::pyvalue::PyValue;

/// A GeneralName as OpenSSL decodes it.
#[derive(Debug)]
pub(super) enum GenName<'a> {
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

pub(super) fn parse_san(value: &[u8]) -> R<Vec<GenName<'_>>> {
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
pub(super) fn single_extension<'p>(p: &'p Parsed, oid: &[u8]) -> Option<&'p [u8]> {
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
pub(super) fn san_entry(gn: &GenName) -> Result<PyValue> {
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
pub(super) fn aia_uris(p: &Parsed, method: &[u8]) -> Result<Option<PyValue>> {
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
pub(super) fn crl_uris(p: &Parsed) -> Result<Option<PyValue>> {
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
