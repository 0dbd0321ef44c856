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

use std::io::Read as _;
use std::path::Path;

use crate::cert::record::CertRecord;
use crate::error::{Error, Result};

mod assemble;
mod certificate;
mod der;
mod extensions;
mod names;
mod objects_0_1;
mod objects_2;
mod oid;
mod serial;
mod times;
mod utf8;

#[cfg(test)]
mod tests;

use assemble::decode;

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
