//! DER framing (asn1-rs): TLVs, universal tags, and the INTEGER, BIT STRING,
//! string and OBJECT IDENTIFIER checks OpenSSL's `d2i` applies.

use asn1_rs::{Any, Class, FromDer};

use super::{bad, Fail, R};

/// One TLV: class, constructed bit, tag number and contents.
#[derive(Clone, Copy, Debug)]
pub(super) struct Tlv<'a> {
    pub(super) class: Class,
    pub(super) constructed: bool,
    pub(super) tag: u32,
    pub(super) data: &'a [u8],
}

impl Tlv<'_> {
    fn is(&self, class: Class, tag: u32) -> bool {
        self.class == class && self.tag == tag
    }
    pub(super) fn is_univ(&self, tag: u32) -> bool {
        self.is(Class::Universal, tag)
    }
    pub(super) fn is_ctx(&self, tag: u32) -> bool {
        self.is(Class::ContextSpecific, tag)
    }
}

pub(super) const T_BOOLEAN: u32 = 1;
pub(super) const T_INTEGER: u32 = 2;
pub(super) const T_BIT_STRING: u32 = 3;
pub(super) const T_OCTET_STRING: u32 = 4;
pub(super) const T_NULL: u32 = 5;
pub(super) const T_OID: u32 = 6;
pub(super) const T_ENUMERATED: u32 = 10;
pub(super) const T_UTF8: u32 = 12;
pub(super) const T_SEQUENCE: u32 = 16;
pub(super) const T_SET: u32 = 17;
pub(super) const T_NUMERIC: u32 = 18;
pub(super) const T_PRINTABLE: u32 = 19;
pub(super) const T_T61: u32 = 20;
pub(super) const T_IA5: u32 = 22;
pub(super) const T_UTCTIME: u32 = 23;
pub(super) const T_GENTIME: u32 = 24;
pub(super) const T_UNIVERSAL: u32 = 28;
pub(super) const T_BMP: u32 = 30;

/// OpenSSL's limit on nested constructed strings (`ASN1_MAX_STRING_NEST`).
const MAX_STRING_NEST: usize = 5;

pub(super) fn read_tlv(i: &[u8]) -> R<(Tlv<'_>, &[u8])> {
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
pub(super) fn children(data: &[u8]) -> R<Vec<Tlv<'_>>> {
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
pub(super) fn explicit_inner<'a>(t: &Tlv<'a>) -> R<Tlv<'a>> {
    if !t.constructed {
        return bad("explicit tag not constructed");
    }
    match children(t.data)?.as_slice() {
        [one] => Ok(*one),
        _ => bad("explicit tag must hold one element"),
    }
}

pub(super) fn expect_seq<'a>(t: &Tlv<'a>) -> R<Vec<Tlv<'a>>> {
    if !t.is_univ(T_SEQUENCE) || !t.constructed {
        return bad("expected a SEQUENCE");
    }
    children(t.data)
}

/// The octets of a string-like element, primitive or BER constructed (OpenSSL's
/// `asn1_collect`: nested pieces must be UNIVERSAL; their tags are not checked).
pub(super) fn string_octets(t: &Tlv) -> R<Vec<u8>> {
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
pub(super) fn integer(t: &Tlv) -> R<(bool, Vec<u8>)> {
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
pub(super) fn integer_as_long(neg: bool, mag: &[u8]) -> i64 {
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
pub(super) fn bit_string(t: &Tlv) -> R<Option<Vec<u8>>> {
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
pub(super) fn oid_bytes<'a>(t: &Tlv<'a>) -> R<&'a [u8]> {
    if !t.is_univ(T_OID) || t.constructed {
        return bad("expected an OBJECT IDENTIFIER");
    }
    check_oid(t.data)?;
    Ok(t.data)
}

pub(super) fn check_oid(p: &[u8]) -> R<()> {
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
