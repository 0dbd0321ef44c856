//! Names: RDNs and attribute values as `d2i_X509` keeps them, and the tuple
//! CPython builds from them.

use asn1_rs::Class;

use super::der::{
    bit_string, children, expect_seq, oid_bytes, string_octets, Tlv, T_BIT_STRING, T_BMP, T_IA5,
    T_NUMERIC, T_PRINTABLE, T_SEQUENCE, T_SET, T_T61, T_UNIVERSAL, T_UTF8,
};
use super::oid::oid_text;
use super::{bad, Fail, R};
use crate::error::{Error, Result};
use crate::pyvalue::PyValue;

/// An attribute value as `d2i_X509` left it.
#[derive(Clone, Debug)]
pub(super) enum AttrValue {
    /// A string type, already converted to text (`ASN1_STRING_to_UTF8`).
    Text(String),
    /// A BIT STRING's data (`None` when empty: CPython's `y#` of NULL).
    Bits(Option<Vec<u8>>),
    /// Stored by OpenSSL, but `ASN1_STRING_to_UTF8` fails on it.
    Refused,
}

/// A name: its non-empty RDNs, each a list of (OID encoding, value).
pub(super) type Name<'a> = Vec<Vec<(&'a [u8], AttrValue)>>;

pub(super) fn parse_name<'a>(t: &Tlv<'a>) -> R<Name<'a>> {
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
pub(super) fn attr_value(t: &Tlv) -> R<AttrValue> {
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
pub(super) fn name_value(name: &Name) -> Result<PyValue> {
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
