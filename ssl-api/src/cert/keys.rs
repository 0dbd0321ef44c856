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
//! missing password (the password is never prompted for), a key whose
//! derivation would cost more than the bounds below ([`check_key_cost`]),
//! ValueError for a password over 1024 bytes.

use pkcs8::der::asn1::AnyRef;
use pkcs8::der::{Decode, Encode};
use pkcs8::{AlgorithmIdentifierRef, ObjectIdentifier, PrivateKeyInfo};

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::types::{CertChain, KeyData, Password};

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

/// OpenSSL's default scrypt memory limit (`SCRYPT_MAX_MEM`, 32 MiB, used when
/// `PKCS5_v2_scrypt_keyivgen` passes `maxmem = 0` to `EVP_PBE_scrypt_ex`;
/// crypto/evp/pbe_scrypt.c).
const SCRYPT_MAX_MEM: u128 = 32 * 1024 * 1024;

/// At most this many PBKDF2 iterations per key (PBES2; also the iteration
/// count of PBES1 and PKCS#12 PBE). OpenSSL has no such bound: it runs any
/// count up to 2^31 - 1 (a larger INTEGER wraps to a non-positive `int` and
/// is refused), which is 40 minutes of HMAC-SHA256 on this project's
/// machine. 10,000,000 is RFC 8018 §4.2's largest suggested count, and
/// OpenSSL 3.0 takes 11 s for it here (1.1 us per iteration): every key
/// OpenSSL decrypts within about ten seconds is still read, one that would
/// keep it busy for minutes or hours is refused at once. Tools write far
/// less (OpenSSL 2048; OWASP's PBKDF2-SHA256 advice is 600,000).
const MAX_KDF_WORK: u128 = 10_000_000;
/// At most this many scrypt `N * r * p` units per key, the same ten seconds
/// of OpenSSL's time (2^20 units, N=1024 r=1 p=1000, took it 1.3 s here).
/// OpenSSL bounds only scrypt's memory, so p alone can ask for hours within
/// 32 MiB; its default (N=16384, r=8, p=1) is 2^17 units.
const MAX_SCRYPT_WORK: u128 = 1 << 23;

/// Refuses (as a wrong password: `[SSL] PEM lib`, as OpenSSL does for scrypt
/// parameters over its memory limit) the first private key in the PEM
/// `data` when it is an `ENCRYPTED PRIVATE KEY` whose key derivation would
/// need more memory than OpenSSL allows or more time than the bounds above,
/// before anything is derived or allocated. Every backend calls it (the
/// openssl one before OpenSSL reads the key); a key it cannot parse is left
/// to the library.
pub fn check_key_cost(data: &[u8]) -> Result<()> {
    match first_key_block(data) {
        Some(block) if block.tag() == "ENCRYPTED PRIVATE KEY" => check_kdf_cost(block.contents()),
        _ => Ok(()),
    }
}

/// The PBES1 (PKCS#5 v1.5) and PKCS#12 PBE OIDs: params `{salt, iterations}`.
fn is_pbe_with_iterations(oid: &ObjectIdentifier) -> bool {
    const PKCS5: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5");
    const PKCS12_PBE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1");
    oid.parent() == Some(PKCS12_PBE)
        || (oid.parent() == Some(PKCS5)
            && matches!(oid.arcs().last(), Some(1 | 3 | 4 | 6 | 10 | 11)))
}

/// What a key's derivation costs: PBKDF2 / PBE iterations, or scrypt's
/// (N, r, p). INTEGERs longer than 16 bytes saturate.
enum KdfCost {
    Iterations(u128),
    Scrypt(u128, u128, u128),
}

/// The work an encrypted PKCS#8 key in the PEM `data` asks of its key
/// derivation, in the units the bounds use (PBKDF2 iterations, or scrypt's
/// `N * r * p`, saturating); `None` for an unencrypted, legacy-encrypted or
/// unparsable key. (The fuzz target reads it to leave keys that are slow by
/// design, within the bounds as in OpenSSL, to the cost check alone.)
pub fn kdf_work(data: &[u8]) -> Option<u128> {
    let block = first_key_block(data).filter(|b| b.tag() == "ENCRYPTED PRIVATE KEY")?;
    Some(match kdf_cost(block.contents())? {
        KdfCost::Iterations(n) => n,
        KdfCost::Scrypt(n, r, p) => n.saturating_mul(r).saturating_mul(p),
    })
}

/// The key derivation an `EncryptedPrivateKeyInfo` DER asks for; `None`
/// when its structure is not understood (the library's reader decides).
fn kdf_cost(der: &[u8]) -> Option<KdfCost> {
    use pkcs8::der::asn1::UintRef;
    use pkcs8::der::Reader;
    const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
    const PBKDF2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.12");
    const SCRYPT: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11591.4.11");
    // An INTEGER as u128, saturated (a longer one is over every bound).
    fn int<'a, R: Reader<'a>>(r: &mut R) -> pkcs8::der::Result<u128> {
        let v: UintRef<'a> = r.decode()?;
        let b = v.as_bytes();
        Ok(if b.len() > 16 {
            u128::MAX
        } else {
            b.iter().fold(0, |acc, &x| (acc << 8) | u128::from(x))
        })
    }
    fn skip_rest<'a, R: Reader<'a>>(r: &mut R) -> pkcs8::der::Result<()> {
        while !r.is_finished() {
            r.decode::<AnyRef<'a>>()?;
        }
        Ok(())
    }
    let parse = || -> pkcs8::der::Result<Option<KdfCost>> {
        let alg = AnyRef::from_der(der)?.sequence(|r| {
            let alg: AlgorithmIdentifierRef<'_> = r.decode()?;
            skip_rest(r)?;
            Ok(alg)
        })?;
        let Some(params) = alg.parameters else {
            return Ok(None);
        };
        if is_pbe_with_iterations(&alg.oid) {
            return params.sequence(|r| {
                r.decode::<AnyRef<'_>>()?; // salt
                let n = int(r)?;
                skip_rest(r)?;
                Ok(Some(KdfCost::Iterations(n)))
            });
        }
        if alg.oid != PBES2 {
            return Ok(None);
        }
        let kdf = params.sequence(|r| {
            let kdf: AlgorithmIdentifierRef<'_> = r.decode()?;
            skip_rest(r)?;
            Ok(kdf)
        })?;
        let Some(kdf_params) = kdf.parameters else {
            return Ok(None);
        };
        if kdf.oid == PBKDF2 {
            kdf_params.sequence(|r| {
                r.decode::<AnyRef<'_>>()?; // salt (a CHOICE)
                let n = int(r)?;
                skip_rest(r)?;
                Ok(Some(KdfCost::Iterations(n)))
            })
        } else if kdf.oid == SCRYPT {
            kdf_params.sequence(|r| {
                r.decode::<AnyRef<'_>>()?; // salt
                let (n, rr, p) = (int(r)?, int(r)?, int(r)?);
                skip_rest(r)?;
                Ok(Some(KdfCost::Scrypt(n, rr, p)))
            })
        } else {
            Ok(None)
        }
    };
    parse().ok().flatten()
}

/// The KDF bounds for an `EncryptedPrivateKeyInfo` DER.
fn check_kdf_cost(der: &[u8]) -> Result<()> {
    let ok = match kdf_cost(der) {
        // Malformed or unknown: the library's own reader refuses or reads it.
        None => true,
        Some(KdfCost::Iterations(n)) => n <= MAX_KDF_WORK,
        // OpenSSL's checks (providers/implementations/kdfs/scrypt.c,
        // scrypt_alg): N a power of two over 1, r and p non-zero,
        // N < 2^(16 r), then the memory of B (128 r p) and of V, X and T
        // (128 r (N + 2)) within SCRYPT_MAX_MEM (checked arithmetic: the
        // INTEGERs are as large as the file says); within that, N r p
        // cannot overflow.
        Some(KdfCost::Scrypt(n, r, p)) => {
            n > 1
                && n.is_power_of_two()
                && r > 0
                && p > 0
                && (r >= 4 || n < 1u128 << (16 * r))
                && r.checked_mul(p).is_some_and(|rp| rp < 1 << 30)
                && n.checked_add(2 + p)
                    .and_then(|x| x.checked_mul(r))
                    .and_then(|x| x.checked_mul(128))
                    .is_some_and(|mem| mem <= SCRYPT_MAX_MEM)
                && n * r * p <= MAX_SCRYPT_WORK
        }
    };
    if ok {
        Ok(())
    } else {
        Err(pem_lib())
    }
}

/// The first private-key PEM block in `data` (the one OpenSSL's
/// `PEM_read_bio_PrivateKey` reads), skipping certificates and the like.
fn first_key_block(data: &[u8]) -> Option<pem::Pem> {
    pem::parse_many(data).ok()?.into_iter().find(|b| {
        matches!(
            b.tag(),
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY"
        )
    })
}

/// The first private key in the PEM `data`, decrypted with `password` when
/// it is encrypted; `Ok(None)` when there is no key. A password given for an
/// unencrypted key is ignored, as OpenSSL does.
pub fn find_private_key(data: &[u8], password: Option<&Password>) -> Result<Option<PrivateKey>> {
    let Some(block) = first_key_block(data) else {
        return Ok(None);
    };
    // Before the password: a hostile key never reaches the user's callback.
    check_key_cost(data)?;
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
        "PRIVATE KEY" => body().map(|d| Some(PrivateKey::Pkcs8(d))),
        "RSA PRIVATE KEY" => body().map(|d| Some(PrivateKey::Pkcs1(d))),
        "EC PRIVATE KEY" => body().map(|d| Some(PrivateKey::Sec1(d))),
        _ => {
            let password = resolve_password(password)?;
            let info = pkcs8::EncryptedPrivateKeyInfo::try_from(block.contents())
                .map_err(|_| pem_lib())?;
            let doc = info.decrypt(&password).map_err(|_| pem_lib())?;
            Ok(Some(PrivateKey::Pkcs8(doc.as_bytes().to_vec())))
        }
    }
}

/// What `load_cert_chain` reads, as PEM text whichever form it came in: the
/// chain, and the data the key is looked for in (the chain's own text when
/// no key was given, as with `keyfile=None`).
#[derive(Clone, PartialEq, Eq)]
pub struct IdentityPem<'a> {
    /// The certificates (and whatever else the PEM held), leaf first.
    pub chain: Cow<'a, [u8]>,
    /// The private key.
    pub key: Cow<'a, [u8]>,
}

impl std::fmt::Debug for IdentityPem<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.write_str("IdentityPem(..)")
    }
}

/// `load_cert_chain_from_memory`'s arguments (X7) as the PEM text the file
/// form reads, so every backend runs one path for both forms and gives the
/// same errors for the same content. DER is checked here: a chain that is
/// not one or more whole certificates, or a key that is none of the four
/// structures, is `[SSL] PEM lib`, as unreadable PEM is.
pub fn identity_pem<'a>(chain: CertChain<'a>, key: Option<KeyData<'a>>) -> Result<IdentityPem<'a>> {
    let chain: Cow<'a, [u8]> = match chain {
        CertChain::Pem(text) => Cow::Borrowed(text),
        CertChain::Der(der) => {
            let certs = crate::cert::inspect::split_der_certs(der).map_err(|_| pem_lib())?;
            let text: String = certs
                .iter()
                .map(|c| crate::cert::pem::der_cert_to_pem_cert(c))
                .collect();
            Cow::Owned(text.into_bytes())
        }
    };
    let key = match key {
        None => chain.clone(),
        Some(KeyData::Pem(text)) => Cow::Borrowed(text),
        Some(KeyData::Der(der)) => Cow::Owned(key_der_to_pem(der)?.into_bytes()),
    };
    Ok(IdentityPem { chain, key })
}

/// A DER private key as the PEM block its structure has (the label decides
/// how [`find_private_key`] reads it; an encrypted one stays encrypted, so
/// its KDF cost is checked before any password is asked for).
fn key_der_to_pem(der: &[u8]) -> Result<String> {
    let tag = if pkcs8::EncryptedPrivateKeyInfo::try_from(der).is_ok() {
        "ENCRYPTED PRIVATE KEY"
    } else if PrivateKeyInfo::try_from(der).is_ok() {
        "PRIVATE KEY"
    } else if sec1::EcPrivateKey::from_der(der).is_ok() {
        "EC PRIVATE KEY"
    } else if is_rsa_private_key(der) {
        "RSA PRIVATE KEY"
    } else {
        return Err(pem_lib());
    };
    let lf = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    Ok(pem::encode_config(&pem::Pem::new(tag, der.to_vec()), lf))
}

/// PKCS#1 `RSAPrivateKey`: a SEQUENCE of a version and eight INTEGERs
/// (modulus, exponents, primes, CRT values), then for version 1 the other
/// primes; the whole input, nothing after it.
fn is_rsa_private_key(der: &[u8]) -> bool {
    use pkcs8::der::asn1::UintRef;
    use pkcs8::der::Reader;
    AnyRef::from_der(der)
        .and_then(|any| {
            any.sequence(|r| {
                for _ in 0..9 {
                    r.decode::<UintRef<'_>>()?;
                }
                while !r.is_finished() {
                    r.decode::<AnyRef<'_>>()?;
                }
                Ok(())
            })
        })
        .is_ok()
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

    /// A PBES2 `EncryptedPrivateKeyInfo` DER with the KDF `kdf_oid` and
    /// these INTEGERs after an 8-byte salt (the ciphertext is not a key).
    fn pbes2(kdf_oid: &str, ints: &[u64]) -> Vec<u8> {
        fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
            let len = u8::try_from(body.len()).unwrap();
            let head = if len < 0x80 {
                vec![tag, len]
            } else {
                vec![tag, 0x81, len]
            };
            [&head[..], body].concat()
        }
        let oid = |s: &str| ObjectIdentifier::new_unwrap(s).to_der().unwrap();
        let mut kdf_params = tlv(0x04, &[1; 8]);
        for v in ints {
            let b = v.to_be_bytes();
            let i = b.iter().position(|&x| x != 0).unwrap_or(7);
            let body = if b[i] >= 0x80 {
                [&[0][..], &b[i..]].concat()
            } else {
                b[i..].to_vec()
            };
            kdf_params.extend(tlv(0x02, &body));
        }
        let kdf = tlv(0x30, &[oid(kdf_oid), tlv(0x30, &kdf_params)].concat());
        let enc = tlv(
            0x30,
            &[oid("2.16.840.1.101.3.4.1.42"), tlv(0x04, &[2; 16])].concat(),
        );
        let alg = tlv(
            0x30,
            &[
                oid("1.2.840.113549.1.5.13"),
                tlv(0x30, &[kdf, enc].concat()),
            ]
            .concat(),
        );
        tlv(0x30, &[alg, tlv(0x04, &[3; 32])].concat())
    }

    #[test]
    fn kdf_bounds_are_openssls_memory_limit_and_ten_seconds_of_work() {
        let scrypt = |n, r, p| check_kdf_cost(&pbes2("1.3.6.1.4.1.11591.4.11", &[n, r, p])).is_ok();
        let pbkdf2 = |n| check_kdf_cost(&pbes2("1.2.840.113549.1.5.12", &[n])).is_ok();
        // OpenSSL's defaults, and the edges of its checks (each verified
        // with `openssl pkey` on OpenSSL 3.0).
        assert!(scrypt(16384, 8, 1));
        assert!(!scrypt(32768, 8, 1), "128 r (N + 2 + p) over 32 MiB");
        assert!(scrypt(32768, 1, 1));
        assert!(!scrypt(65536, 1, 1), "N >= 2^(16 r)");
        assert!(!scrypt(16383, 8, 1), "N not a power of two");
        assert!(!scrypt(1, 8, 1) && !scrypt(16384, 0, 1) && !scrypt(16384, 8, 0));
        assert!(!scrypt(1 << 30, 8, 1) && !scrypt(u64::MAX, u64::MAX, u64::MAX));
        // Within the memory limit, bounded by work: 2^23 units.
        assert!(scrypt(1024, 1, 8192) && !scrypt(1024, 1, 8193));
        assert!(pbkdf2(2048) && pbkdf2(10_000_000));
        assert!(!pbkdf2(10_000_001) && !pbkdf2((1 << 31) - 1) && !pbkdf2(u64::MAX));
        // Not understood here (another KDF, garbage): left to the library.
        assert!(check_kdf_cost(&pbes2("1.2.3.4", &[u64::MAX])).is_ok());
        // PKCS#12 PBE (pbeWithSHAAnd3-KeyTripleDES-CBC): `{salt, iterations}`.
        let pkcs12 = |count: &[u8]| {
            let oid = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
            let oid = oid.to_der().unwrap();
            let int = [&[0x02, count.len() as u8][..], count].concat();
            let salt = [&[0x04, 8][..], &[1; 8]].concat();
            let params = [&[0x30, (salt.len() + int.len()) as u8][..], &salt, &int].concat();
            let alg = [&[0x30, (oid.len() + params.len()) as u8][..], &oid, &params].concat();
            let body = [&alg[..], &[0x04, 16], &[3; 16]].concat();
            check_kdf_cost(&[&[0x30, body.len() as u8][..], &body].concat()).is_ok()
        };
        assert!(pkcs12(&[0x08, 0x00]) && !pkcs12(&[0x7f, 0xff, 0xff, 0xff]));
        assert!(check_kdf_cost(b"garbage").is_ok());
    }

    #[test]
    fn identity_pem_turns_der_into_the_pem_the_file_form_reads() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let key_der = key.serialize_der();
        let pem = identity_pem(CertChain::Der(cert.der()), Some(KeyData::Der(&key_der))).unwrap();
        assert_eq!(pem_certificates(&pem.chain), vec![cert.der().to_vec()]);
        assert_eq!(
            find_private_key(&pem.key, None).unwrap(),
            Some(PrivateKey::Pkcs8(key_der.clone()))
        );
        // No key: looked for in the chain's own text (a combined PEM).
        let combined = format!("{}{}", key.serialize_pem(), cert.pem());
        let pem = identity_pem(CertChain::Pem(combined.as_bytes()), None).unwrap();
        assert_eq!(&pem.key[..], combined.as_bytes());
        for bad in [&b""[..], b"\x30\x03\x02\x01\x00", &key_der[..]] {
            let chain = identity_pem(CertChain::Der(bad), None).unwrap_err();
            assert_eq!(chain.to_string(), "[SSL] PEM lib");
        }
        let der = cert.der().to_vec();
        for bad in [&b""[..], b"\x30\x03\x02\x01\x00", &der[..]] {
            let key = identity_pem(CertChain::Der(&der), Some(KeyData::Der(bad))).unwrap_err();
            assert_eq!(key.to_string(), "[SSL] PEM lib");
        }
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
        assert!(check_key_cost(&scrypt_key(16384, 8, 1)).is_ok());
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
