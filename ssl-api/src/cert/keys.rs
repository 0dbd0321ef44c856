//! Private keys for `load_cert_chain` (X7), read once here for every backend:
//! the PEM forms CPython (OpenSSL) reads, decrypted when needed, in pure Rust.
//!
//! - `PRIVATE KEY` (PKCS#8) as is;
//! - `ENCRYPTED PRIVATE KEY` (PKCS#8 PBES2) decrypted with the password;
//! - `RSA PRIVATE KEY` (PKCS#1) and `EC PRIVATE KEY` (SEC1);
//! - OpenSSL's legacy encrypted PEM (`Proc-Type: 4,ENCRYPTED` with
//!   `DEK-Info: <cipher>,<iv>`, as `openssl genrsa -aes256 -traditional`
//!   writes), decrypted with `EVP_BytesToKey(MD5, salt = IV[..8], count = 1)`.
//!
//! Errors are CPython's: `[SSL] PEM lib` for unreadable content, a wrong or a
//! missing password (the password is never prompted for), ValueError for a
//! password over 1024 bytes.

use pkcs8::der::asn1::AnyRef;
use pkcs8::der::{Decode, Encode};
use pkcs8::{AlgorithmIdentifierRef, ObjectIdentifier, PrivateKeyInfo};

use crate::error::{Error, Result};
use crate::types::Password;

/// The `rsaEncryption` algorithm OID.
pub const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// The `id-ecPublicKey` algorithm OID.
pub const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// CPython's error for an unreadable certificate or key, or a wrong password:
/// `[SSL] PEM lib`.
pub fn pem_lib() -> Error {
    Error::ssl_library("SSL", "PEM lib")
}

/// A private key as DER, in the structure its PEM block had.
#[derive(Clone, PartialEq, Eq)]
pub enum PrivateKey {
    /// PKCS#8 `PrivateKeyInfo`.
    Pkcs8(Vec<u8>),
    /// PKCS#1 `RSAPrivateKey`.
    Pkcs1(Vec<u8>),
    /// SEC1 `ECPrivateKey`.
    Sec1(Vec<u8>),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.write_str(match self {
            PrivateKey::Pkcs8(_) => "PrivateKey::Pkcs8(..)",
            PrivateKey::Pkcs1(_) => "PrivateKey::Pkcs1(..)",
            PrivateKey::Sec1(_) => "PrivateKey::Sec1(..)",
        })
    }
}

impl PrivateKey {
    /// The same key as PKCS#8 `PrivateKeyInfo` DER (PKCS#1 and SEC1 wrapped).
    pub fn to_pkcs8(&self) -> Result<Vec<u8>> {
        match self {
            PrivateKey::Pkcs8(der) => Ok(der.clone()),
            PrivateKey::Pkcs1(der) => wrap_pkcs8(RSA_ENCRYPTION, Some(AnyRef::NULL), der),
            PrivateKey::Sec1(der) => {
                let ec = sec1::EcPrivateKey::from_der(der).map_err(|_| pem_lib())?;
                let curve = ec
                    .parameters
                    .and_then(|p| p.named_curve())
                    .ok_or_else(pem_lib)?;
                wrap_pkcs8(EC_PUBLIC_KEY, Some(AnyRef::from(&curve)), der)
            }
        }
    }
}

fn wrap_pkcs8(oid: ObjectIdentifier, params: Option<AnyRef<'_>>, inner: &[u8]) -> Result<Vec<u8>> {
    PrivateKeyInfo {
        algorithm: AlgorithmIdentifierRef {
            oid,
            parameters: params,
        },
        private_key: inner,
        public_key: None,
    }
    .to_der()
    .map_err(|_| pem_lib())
}

fn resolve_password(password: Option<&Password>) -> Result<Vec<u8>> {
    // Never prompt (CPython would ask on the terminal): a missing password
    // fails as a wrong one.
    let password = password.ok_or_else(pem_lib)?.resolve()?;
    if password.len() > 1024 {
        return Err(Error::value("password cannot be longer than 1024 bytes"));
    }
    Ok(password)
}

/// `EVP_BytesToKey(MD5, salt, count = 1)`.
fn evp_bytes_to_key(password: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
    use md5::Digest;
    let mut out = Vec::with_capacity(len + 16);
    let mut block: Vec<u8> = Vec::new();
    while out.len() < len {
        let mut md = md5::Md5::new();
        md.update(&block);
        md.update(password);
        md.update(salt);
        block = md.finalize().to_vec();
        out.extend_from_slice(&block);
    }
    out.truncate(len);
    out
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], data: &[u8]) -> Option<Vec<u8>>
where
    C: aes::cipher::BlockCipher + aes::cipher::BlockDecrypt + aes::cipher::KeyInit,
{
    use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
    cbc::Decryptor::<C>::new_from_slices(key, iv)
        .ok()?
        .decrypt_padded_vec_mut::<Pkcs7>(data)
        .ok()
}

/// Decrypts a legacy encrypted PEM body per its `DEK-Info` value; `None` for
/// an unknown cipher, a malformed header or a wrong password (bad padding).
fn legacy_decrypt(dek_info: &str, data: &[u8], password: &[u8]) -> Option<Vec<u8>> {
    let (cipher, iv_hex) = dek_info.split_once(',')?;
    let iv_hex = iv_hex.trim();
    if iv_hex.len() % 2 != 0 || !iv_hex.is_ascii() {
        return None;
    }
    let iv = (0..iv_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&iv_hex[i..i + 2], 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    let salt = iv.get(..8)?;
    match cipher.trim() {
        "AES-128-CBC" => {
            cbc_decrypt::<aes::Aes128>(&evp_bytes_to_key(password, salt, 16), &iv, data)
        }
        "AES-192-CBC" => {
            cbc_decrypt::<aes::Aes192>(&evp_bytes_to_key(password, salt, 24), &iv, data)
        }
        "AES-256-CBC" => {
            cbc_decrypt::<aes::Aes256>(&evp_bytes_to_key(password, salt, 32), &iv, data)
        }
        "DES-EDE3-CBC" => {
            cbc_decrypt::<des::TdesEde3>(&evp_bytes_to_key(password, salt, 24), &iv, data)
        }
        _ => None,
    }
}

/// OpenSSL's `SCRYPT_MAX_MEM`: the most memory scrypt may use when OpenSSL
/// decrypts a PKCS#8 key (`EVP_PBE_scrypt_ex` with `maxmem` 0).
const SCRYPT_MAX_MEM: u128 = 32 * 1024 * 1024;

/// Refuses, as OpenSSL does (CPython: `[SSL] PEM lib`), scrypt parameters
/// that need more than [`SCRYPT_MAX_MEM`] bytes (`128 r (N + 2) + 128 r p`).
/// The key file chooses them: unchecked, any file could ask for any amount
/// of memory (and a failed allocation aborts the process).
fn check_kdf_cost(scheme: &pkcs8::pkcs5::EncryptionScheme<'_>) -> Result<()> {
    use pkcs8::pkcs5::{pbes2::Kdf, EncryptionScheme};
    if let EncryptionScheme::Pbes2(params) = scheme {
        if let Kdf::Scrypt(s) = &params.kdf {
            let n = u128::from(s.cost_parameter);
            let r = u128::from(s.block_size);
            let p = u128::from(s.parallelization);
            if 128 * r * (n + 2) + 128 * r * p > SCRYPT_MAX_MEM {
                return Err(pem_lib());
            }
        }
    }
    Ok(())
}

/// The first private key in the PEM `data`, decrypted with `password` when
/// it is encrypted; `Ok(None)` when there is no key. A password given for an
/// unencrypted key is ignored, as OpenSSL does.
pub fn find_private_key(data: &[u8], password: Option<&Password>) -> Result<Option<PrivateKey>> {
    let Ok(blocks) = pem::parse_many(data) else {
        return Ok(None);
    };
    for block in blocks {
        let legacy_encrypted = block
            .headers()
            .get("Proc-Type")
            .is_some_and(|v| v.contains("ENCRYPTED"));
        let body = || -> Result<Vec<u8>> {
            if !legacy_encrypted {
                return Ok(block.contents().to_vec());
            }
            let dek = block.headers().get("DEK-Info").ok_or_else(pem_lib)?;
            legacy_decrypt(dek, block.contents(), &resolve_password(password)?).ok_or_else(pem_lib)
        };
        match block.tag() {
            "PRIVATE KEY" => return body().map(|d| Some(PrivateKey::Pkcs8(d))),
            "RSA PRIVATE KEY" => return body().map(|d| Some(PrivateKey::Pkcs1(d))),
            "EC PRIVATE KEY" => return body().map(|d| Some(PrivateKey::Sec1(d))),
            "ENCRYPTED PRIVATE KEY" => {
                let password = resolve_password(password)?;
                let info = pkcs8::EncryptedPrivateKeyInfo::try_from(block.contents())
                    .map_err(|_| pem_lib())?;
                check_kdf_cost(&info.encryption_algorithm)?;
                let doc = info.decrypt(&password).map_err(|_| pem_lib())?;
                return Ok(Some(PrivateKey::Pkcs8(doc.as_bytes().to_vec())));
            }
            _ => {}
        }
    }
    Ok(None)
}

/// The DER of every `CERTIFICATE` block in the PEM `data`, in order.
pub fn pem_certificates(data: &[u8]) -> Vec<Vec<u8>> {
    pem::parse_many(data)
        .map(|blocks| {
            blocks
                .into_iter()
                .filter(|b| b.tag() == "CERTIFICATE")
                .map(|b| b.into_contents())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evp_bytes_to_key_chains_md5_blocks() {
        use md5::Digest;
        let k = evp_bytes_to_key(b"pw", b"saltsalt", 32);
        let d1 = md5::Md5::digest(b"pwsaltsalt").to_vec();
        assert_eq!(&k[..16], &d1[..]);
        let mut h = md5::Md5::new();
        h.update(&d1);
        h.update(b"pwsaltsalt");
        assert_eq!(&k[16..], &h.finalize()[..]);
    }

    #[test]
    fn legacy_headers_that_cannot_decrypt() {
        assert_eq!(
            legacy_decrypt("RC2-CBC,0011223344556677", b"x", b"pw"),
            None
        );
        assert_eq!(legacy_decrypt("AES-128-CBC,zz", b"x", b"pw"), None);
        assert_eq!(legacy_decrypt("AES-128-CBC", b"x", b"pw"), None);
        assert_eq!(
            legacy_decrypt(
                "AES-128-CBC,00112233445566778899aabbccddeeff",
                b"short",
                b"pw"
            ),
            None
        );
    }

    /// An encrypted PKCS#8 PEM whose scrypt parameters are `n`, `r`, `p`
    /// (the ciphertext is junk: only the parameters are looked at first).
    fn scrypt_key(n: u64, r: u16, p: u16) -> Vec<u8> {
        use pkcs8::pkcs5::pbes2::{self, Kdf, ScryptParams};
        let params = pbes2::Parameters {
            kdf: Kdf::Scrypt(ScryptParams {
                salt: &[7; 8],
                cost_parameter: n,
                block_size: r,
                parallelization: p,
                key_length: None,
            }),
            encryption: pbes2::EncryptionScheme::Aes256Cbc { iv: &[1; 16] },
        };
        let der = pkcs8::EncryptedPrivateKeyInfo {
            encryption_algorithm: pkcs8::pkcs5::EncryptionScheme::Pbes2(params),
            encrypted_data: &[0; 48],
        }
        .to_der()
        .unwrap();
        pem::encode(&pem::Pem::new("ENCRYPTED PRIVATE KEY", der)).into_bytes()
    }

    /// Found by fuzz/private_key: scrypt parameters from the file decided how
    /// much memory was allocated (16 GiB here). OpenSSL's 32 MiB limit now
    /// refuses them before any work, with OpenSSL's boundary: N = 16384,
    /// r = 8 (OpenSSL's own default) is within it, N = 32768, r = 8 is not.
    #[test]
    fn scrypt_memory_is_bounded_as_openssl_bounds_it() {
        let pw = Password::Str("pw".into());
        for (n, r, p) in [
            (1 << 24, 8, 1),
            (32768, 8, 1),
            (32768, 127, 1),
            (1 << 40, 65535, 65535),
        ] {
            let key = scrypt_key(n, r, p);
            assert_eq!(
                find_private_key(&key, Some(&pw)).unwrap_err().to_string(),
                "[SSL] PEM lib",
                "N={n} r={r} p={p}"
            );
        }
        let block = pem::parse(scrypt_key(16384, 8, 1)).unwrap();
        let within = pkcs8::EncryptedPrivateKeyInfo::try_from(block.contents()).unwrap();
        assert!(check_kdf_cost(&within.encryption_algorithm).is_ok());
    }

    #[test]
    fn garbage_and_missing_password() {
        assert_eq!(find_private_key(b"hello", None).unwrap(), None);
        let enc =
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert_eq!(
            find_private_key(enc, None).unwrap_err().to_string(),
            "[SSL] PEM lib"
        );
        let long = Password::Str("x".repeat(1025));
        assert!(matches!(
            find_private_key(enc, Some(&long)),
            Err(Error::Value(_))
        ));
    }
}
