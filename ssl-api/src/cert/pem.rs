//! PEM <-> DER for one certificate (reference rows F11 and F12):
//! `ssl.DER_cert_to_PEM_cert` and `ssl.PEM_cert_to_DER_cert`, byte for byte and
//! error for error as CPython 3.11.
//!
//! Decoding follows `base64.decodebytes` (`binascii.a2b_base64` in its lenient
//! mode): characters outside the base64 alphabet are skipped, decoding stops at
//! the first complete padding, and a truncated last group is an error.

use base64::Engine as _;

use crate::error::{Error, Result};
use crate::pyvalue::is_py_space;

/// F11/F12 `ssl.PEM_HEADER`: the first line of a PEM certificate.
pub const PEM_HEADER: &str = "-----BEGIN CERTIFICATE-----";

/// F11/F12 `ssl.PEM_FOOTER`: the last line of a PEM certificate.
pub const PEM_FOOTER: &str = "-----END CERTIFICATE-----";

/// F11 `DER_cert_to_PEM_cert(der_cert_bytes)`: the PEM text of a DER
/// certificate: [`PEM_HEADER`], the standard base64 of `der` in lines of 64
/// columns, [`PEM_FOOTER`], each line ending with `\n`.
///
/// The bytes are not checked (Python does not check them either); empty input
/// gives the header line followed by the footer line.
#[doc(alias = "DER_cert_to_PEM_cert")]
pub fn der_cert_to_pem_cert(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 64);
    out.push_str(PEM_HEADER);
    out.push('\n');
    // Base64 text is ASCII, so every 64-byte chunk is valid UTF-8.
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(PEM_FOOTER);
    out.push('\n');
    out
}

/// F12 `PEM_cert_to_DER_cert(pem_cert_string)`: the DER bytes of a PEM
/// certificate.
///
/// The text must start with [`PEM_HEADER`] (no leading whitespace) and, once
/// surrounding whitespace is stripped, end with [`PEM_FOOTER`]; what lies
/// between is decoded as Python's `base64.decodebytes` does (characters outside
/// the alphabet skipped, decoding stopped at the padding).
///
/// # Errors
///
/// `ValueError` with CPython's message: `Invalid PEM encoding; must start with
/// -----BEGIN CERTIFICATE-----`, `Invalid PEM encoding; must end with
/// -----END CERTIFICATE-----`; for a non-ASCII body the message of Python's
/// `UnicodeEncodeError` (`'ascii' codec can't encode character '\xe9' in
/// position 3: ordinal not in range(128)`), and for a bad body the message of
/// `binascii.Error` (`Incorrect padding`, `Invalid base64-encoded string: ...`);
/// both are `ValueError` subclasses in Python.
#[doc(alias = "PEM_cert_to_DER_cert")]
pub fn pem_cert_to_der_cert(pem: &str) -> Result<Vec<u8>> {
    if !pem.starts_with(PEM_HEADER) {
        return Err(Error::value(format!(
            "Invalid PEM encoding; must start with {PEM_HEADER}"
        )));
    }
    let stripped = pem.trim_matches(is_py_space);
    if !stripped.ends_with(PEM_FOOTER) {
        return Err(Error::value(format!(
            "Invalid PEM encoding; must end with {PEM_FOOTER}"
        )));
    }
    // `strip()[len(PEM_HEADER):-len(PEM_FOOTER)]`; both are ASCII, so byte
    // offsets are character offsets, and the slice is empty when they overlap.
    let end = stripped.len() - PEM_FOOTER.len();
    let body = stripped.get(PEM_HEADER.len()..end).unwrap_or("");
    check_ascii(body)?;
    a2b_base64(body.as_bytes())
}

/// `str.encode('ASCII', 'strict')`: the `UnicodeEncodeError` message for the
/// first run of non-ASCII characters.
fn check_ascii(body: &str) -> Result<()> {
    let chars: Vec<char> = body.chars().collect();
    let Some(start) = chars.iter().position(|c| !c.is_ascii()) else {
        return Ok(());
    };
    let end = chars[start..]
        .iter()
        .position(char::is_ascii)
        .map_or(chars.len(), |n| start + n);
    let reason = "ordinal not in range(128)";
    let message = if end == start + 1 {
        let v = chars[start] as u32;
        let escaped = if v <= 0xff {
            format!("\\x{v:02x}")
        } else if v <= 0xffff {
            format!("\\u{v:04x}")
        } else {
            format!("\\U{v:08x}")
        };
        format!("'ascii' codec can't encode character '{escaped}' in position {start}: {reason}")
    } else {
        format!(
            "'ascii' codec can't encode characters in position {start}-{}: {reason}",
            end - 1
        )
    };
    Err(Error::value(message))
}

/// `binascii.a2b_base64(data)` in its default (non-strict) mode.
fn a2b_base64(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 3);
    let mut quad_pos = 0;
    let mut left: u8 = 0;
    let mut pads = 0;
    for &ch in data {
        if ch == b'=' {
            if quad_pos >= 2 {
                pads += 1;
                if quad_pos + pads >= 4 {
                    // A complete padding ends the data.
                    return Ok(out);
                }
            }
            continue;
        }
        let Some(v) = b64_value(ch) else {
            continue;
        };
        pads = 0;
        match quad_pos {
            0 => {
                quad_pos = 1;
                left = v;
            }
            1 => {
                quad_pos = 2;
                out.push((left << 2) | (v >> 4));
                left = v & 0x0f;
            }
            2 => {
                quad_pos = 3;
                out.push((left << 4) | (v >> 2));
                left = v & 0x03;
            }
            _ => {
                quad_pos = 0;
                out.push((left << 6) | v);
                left = 0;
            }
        }
    }
    match quad_pos {
        0 => Ok(out),
        1 => Err(Error::value(format!(
            "Invalid base64-encoded string: number of data characters ({}) cannot be 1 more than a multiple of 4",
            out.len() / 3 * 4 + 1
        ))),
        _ => Err(Error::value("Incorrect padding")),
    }
}

/// The 6-bit value of a standard base64 character.
fn b64_value(ch: u8) -> Option<u8> {
    match ch {
        b'A'..=b'Z' => Some(ch - b'A'),
        b'a'..=b'z' => Some(ch - b'a' + 26),
        b'0'..=b'9' => Some(ch - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let der: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let pem = der_cert_to_pem_cert(&der);
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(pem.ends_with("\n-----END CERTIFICATE-----\n"));
        assert!(pem.lines().all(|l| l.len() <= 64));
        assert_eq!(pem_cert_to_der_cert(&pem).unwrap(), der);
        assert_eq!(
            der_cert_to_pem_cert(b""),
            "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"
        );
        assert_eq!(
            pem_cert_to_der_cert("x").unwrap_err().to_string(),
            "Invalid PEM encoding; must start with -----BEGIN CERTIFICATE-----"
        );
        assert_eq!(
            pem_cert_to_der_cert("-----BEGIN CERTIFICATE-----END CERTIFICATE-----").unwrap(),
            b""
        );
        assert_eq!(
            pem_cert_to_der_cert("-----BEGIN CERTIFICATE-----\nQQ\n-----END CERTIFICATE-----")
                .unwrap_err()
                .to_string(),
            "Incorrect padding"
        );
    }
}
