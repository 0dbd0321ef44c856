//! `load_cert_chain` (X7) on native-tls: native-tls takes an identity only as
//! a PEM certificate chain plus a PKCS#8 `PRIVATE KEY` PEM
//! (`Identity::from_pkcs8`), so every key form CPython reads is converted to
//! that first, in pure Rust (the same code on every OS):
//!
//! - `PRIVATE KEY` (PKCS#8) as is;
//! - `ENCRYPTED PRIVATE KEY` (PKCS#8 PBES2) decrypted with the password;
//! - `RSA PRIVATE KEY` (PKCS#1) and `EC PRIVATE KEY` (SEC1) wrapped in PKCS#8;
//! - OpenSSL's legacy encrypted PEM (`Proc-Type: 4,ENCRYPTED`, `DEK-Info`)
//!   decrypted first (`EVP_BytesToKey` with MD5, one round).
//!
//! The key is checked against the leaf certificate (OpenSSL's
//! `X509_check_private_key`, CPython's `KEY_VALUES_MISMATCH`) by comparing the
//! public key the private key carries (RSA modulus and exponent, the EC point,
//! or a PKCS#8 v2 public key) with the certificate's; a key that carries no
//! public key cannot be compared here and is accepted.

use pkcs8::der::Decode;
use pkcs8::PrivateKeyInfo;
use ssl_api::{Error, Password, Result};
use x509_parser::prelude::{FromDer, X509Certificate};

use ssl_api::cert::keys::{EC_PUBLIC_KEY, RSA_ENCRYPTION};

/// CPython's error for an unreadable certificate or key, or a wrong password.
pub(crate) fn pem_lib() -> Error {
    ssl_api::cert::keys::pem_lib()
}

/// A certificate chain and key in the form `Identity::from_pkcs8` takes.
#[derive(Clone, Debug)]
pub(crate) struct IdentityPem {
    /// The certificates as PEM, leaf first.
    pub chain_pem: Vec<u8>,
    /// The private key as a PKCS#8 `PRIVATE KEY` PEM.
    pub key_pem: Vec<u8>,
}

/// The PKCS#8 DER of the first private key in `data` (the shared reader of
/// every PEM form, in `ssl_api::cert::keys`, then wrapped as PKCS#8).
fn first_key_pkcs8(data: &[u8], password: Option<&Password>) -> Result<Option<Vec<u8>>> {
    ssl_api::cert::keys::find_private_key(data, password)?
        .map(|key| key.to_pkcs8())
        .transpose()
}

/// One DER TLV: `(tag, whole encoding, contents, rest)`.
type Tlv<'a> = (u8, &'a [u8], &'a [u8], &'a [u8]);

/// Splits the first DER TLV off `input`.
fn tlv(input: &[u8]) -> Option<Tlv<'_>> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        rest = &rest[n..];
        len
    };
    if rest.len() < len {
        return None;
    }
    let header = input.len() - rest.len();
    Some((tag, &input[..header + len], &rest[..len], &rest[len..]))
}

/// `(modulus, exponent)` TLVs of an RSAPrivateKey or RSAPublicKey.
fn rsa_n_e(der: &[u8], private: bool) -> Option<(&[u8], &[u8])> {
    let (_, _, mut seq, _) = tlv(der)?;
    if private {
        seq = tlv(seq)?.3; // version
    }
    let (_, n, _, rest) = tlv(seq)?;
    let (_, e, _, _) = tlv(rest)?;
    Some((n, e))
}

/// `Some(true)` when the key's public half matches the certificate's,
/// `Some(false)` when it differs, `None` when the key carries no public key.
fn key_matches_cert(pkcs8_der: &[u8], cert_der: &[u8]) -> Result<Option<bool>> {
    let info = PrivateKeyInfo::from_der(pkcs8_der).map_err(|_| pem_lib())?;
    let (_, cert) = X509Certificate::from_der(cert_der).map_err(|_| pem_lib())?;
    let spki = cert.public_key();
    let cert_key: &[u8] = &spki.subject_public_key.data;
    let cert_alg = spki.algorithm.algorithm.to_id_string();
    let key_alg = info.algorithm.oid.to_string();
    if cert_alg != key_alg {
        return Ok(Some(false));
    }
    if info.algorithm.oid == RSA_ENCRYPTION {
        let ours = rsa_n_e(info.private_key, true).ok_or_else(pem_lib)?;
        return Ok(Some(rsa_n_e(cert_key, false) == Some(ours)));
    }
    if info.algorithm.oid == EC_PUBLIC_KEY {
        let ec = sec1::EcPrivateKey::from_der(info.private_key).map_err(|_| pem_lib())?;
        return Ok(ec.public_key.map(|p| p == cert_key));
    }
    Ok(info.public_key.map(|p| p == cert_key))
}

/// Reads `load_cert_chain`'s PEM (from the files or from memory, see
/// `ssl_api::cert::keys::identity_pem`) into the form native-tls takes.
/// Errors as CPython's: `[SSL] PEM lib` for unreadable content or a wrong
/// password, `[X509: KEY_VALUES_MISMATCH]` for a key of another certificate,
/// ValueError for a password over 1024 bytes.
pub(crate) fn load_identity(
    cert_data: &[u8],
    key_data: &[u8],
    password: Option<&Password>,
) -> Result<IdentityPem> {
    let chain_der: Vec<Vec<u8>> = pem::parse_many(cert_data)
        .map_err(|_| pem_lib())?
        .into_iter()
        .filter(|b| b.tag() == "CERTIFICATE")
        .map(|b| b.into_contents())
        .collect();
    let leaf = chain_der.first().ok_or_else(pem_lib)?;
    let key = first_key_pkcs8(key_data, password)?.ok_or_else(pem_lib)?;
    if key_matches_cert(&key, leaf)? == Some(false) {
        return Err(Error::ssl(
            "X509",
            "KEY_VALUES_MISMATCH",
            "key values mismatch",
        ));
    }
    let lf = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    let chain_pem = chain_der
        .iter()
        .map(|der| pem::encode_config(&pem::Pem::new("CERTIFICATE", der.clone()), lf))
        .collect::<String>()
        .into_bytes();
    let key_pem = pem::encode_config(&pem::Pem::new("PRIVATE KEY", key), lf).into_bytes();
    Ok(IdentityPem { chain_pem, key_pem })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_pem_lib() {
        let e = load_identity(b"hello\n", b"hello\n", None).unwrap_err();
        assert_eq!(e.to_string(), "[SSL] PEM lib");
    }

    #[test]
    fn tlv_reads_long_lengths() {
        let mut der = vec![0x30, 0x82, 0x01, 0x00];
        der.extend(std::iter::repeat_n(0u8, 256));
        let (tag, whole, contents, rest) = tlv(&der).unwrap();
        assert_eq!(
            (tag, whole.len(), contents.len(), rest.len()),
            (0x30, 260, 256, 0)
        );
        assert!(tlv(&[0x30, 0x05, 0x00]).is_none());
    }
}
