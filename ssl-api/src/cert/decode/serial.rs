//! The serial number as CPython shows it (`i2a_ASN1_INTEGER`).

use std::fmt::Write as _;

/// `i2a_ASN1_INTEGER` read back with one `BIO_gets`: upper-case hex, `-` for
/// negatives, and past 35 octets only the first line of OpenSSL's wrap (70
/// digits, a backslash and a newline).
pub(super) fn serial_text(neg: bool, mag: &[u8]) -> String {
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
