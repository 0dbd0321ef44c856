//! Python's `bytes.decode("idna")` for the SNI name the servername callback
//! receives (X16: CPython IDNA-decodes it): `xn--` labels become Unicode,
//! other labels are kept as they are (ASCII case included), and a label that
//! does not round-trip is an error.

use crate::error::{Error, Result};

/// Decodes an A-label host name as Python's `idna` codec does.
///
/// ```
/// assert_eq!(ssl_api::idna::decode("xn--bcher-kva.Example").unwrap(), "bücher.Example");
/// assert!(ssl_api::idna::decode("xn--zz--.example").is_err());
/// ```
pub fn decode(name: &str) -> Result<String> {
    let labels: Result<Vec<String>> = name
        .split('.')
        .map(|label| {
            // Python's codec recognises only the lower-case ACE prefix.
            if !label.starts_with("xn--") {
                return Ok(label.to_owned());
            }
            let rest = &label[4..];
            let decoded = idna::punycode::decode_to_string(rest)
                .ok_or_else(|| Error::value(format!("invalid punycode label {label:?}")))?;
            // Round trip through ToASCII, whose nameprep step lower-cases.
            let again = idna::punycode::encode_str(&decoded.to_lowercase()).unwrap_or_default();
            // An all-ASCII result would not be re-encoded with the ACE prefix.
            if decoded.is_ascii() || !again.eq_ignore_ascii_case(rest) {
                return Err(Error::value(format!("IDNA does not round-trip: {label:?}")));
            }
            Ok(decoded)
        })
        .collect();
    Ok(labels?.join("."))
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_python_idna_codec() {
        let cases = [
            ("LocalHost.Example", Some("LocalHost.Example")),
            ("xn--bcher-kva.example", Some("bücher.example")),
            ("XN--BCHER-KVA.example", Some("XN--BCHER-KVA.example")),
            ("xn--BCHER-kva.example", Some("BüCHER.example")),
            ("xn--zz--.example", None),
            ("plain", Some("plain")),
        ];
        for (input, want) in cases {
            assert_eq!(super::decode(input).ok().as_deref(), want, "{input}");
        }
    }
}
