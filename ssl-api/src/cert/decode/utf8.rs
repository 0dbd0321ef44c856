//! Python's strict UTF-8 decoding, failing with `UnicodeDecodeError`'s message.

use crate::error::{Error, Result};

/// `bytes.decode('utf-8')`, with `UnicodeDecodeError`'s message as a
/// `ValueError` when it fails.
pub(super) fn py_utf8(b: &[u8]) -> Result<String> {
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
