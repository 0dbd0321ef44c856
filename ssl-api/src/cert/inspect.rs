//! Small facts about a certificate that verification and stores need
//! (OpenSSL's `X509_check_ca`, self-issued), read with the same parser as the
//! decoder.

use x509_parser::prelude::*;

/// OpenSSL's `X509_check_ca() != 0`: a CA by basicConstraints, or a self-signed
/// v1 certificate, or one whose keyUsage allows certificate signing.
pub fn is_ca(der: &[u8]) -> bool {
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return false;
    };
    if let Ok(Some(bc)) = cert.basic_constraints() {
        return bc.value.ca;
    }
    if let Ok(Some(ku)) = cert.key_usage() {
        if ku.value.key_cert_sign() {
            return true;
        }
    }
    // X.509 v1 self-signed certificates are taken as CAs by OpenSSL.
    cert.version() == X509Version::V1 && self_issued(der)
}

/// The certificate's SubjectPublicKeyInfo, DER (what `X509_check_private_key`
/// compares a key with), for any certificate version; `None` if the
/// certificate does not parse.
pub fn subject_public_key_info(der: &[u8]) -> Option<Vec<u8>> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    Some(cert.public_key().raw.to_vec())
}

/// True when `issuer`'s subject is `cert`'s issuer name, byte for byte (the
/// name match of a chain step; no signature check).
pub fn issued(issuer: &[u8], cert: &[u8]) -> bool {
    match (
        X509Certificate::from_der(issuer),
        X509Certificate::from_der(cert),
    ) {
        (Ok((_, i)), Ok((_, c))) => i.subject().as_raw() == c.issuer().as_raw(),
        _ => false,
    }
}

/// True when issuer and subject names are byte-for-byte equal.
pub fn self_issued(der: &[u8]) -> bool {
    match X509Certificate::from_der(der) {
        Ok((_, cert)) => cert.issuer().as_raw() == cert.subject().as_raw(),
        Err(_) => false,
    }
}

/// Splits concatenated DER certificates (`cadata` given as bytes, X9). An empty
/// or malformed input is CPython's `SSLError('not enough data: cadata does not
/// contain a certificate')`.
pub fn split_der_certs(mut bytes: &[u8]) -> crate::Result<Vec<Vec<u8>>> {
    let not_enough =
        || crate::Error::ssl_message("not enough data: cadata does not contain a certificate");
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (rest, _) = X509Certificate::from_der(bytes).map_err(|_| not_enough())?;
        let used = bytes.len() - rest.len();
        out.push(bytes[..used].to_vec());
        bytes = rest;
    }
    if out.is_empty() {
        return Err(not_enough());
    }
    Ok(out)
}
