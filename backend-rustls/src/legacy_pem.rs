//! OpenSSL's legacy encrypted PEM keys (`Proc-Type: 4,ENCRYPTED` with a
//! `DEK-Info: <cipher>,<iv hex>` header), as `openssl genrsa -aes256
//! -traditional` writes them and CPython's `load_cert_chain` reads them: the
//! key is derived with `EVP_BytesToKey(MD5, salt = first 8 bytes of the IV,
//! count = 1)`.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
use md5::{Digest, Md5};

fn hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// `EVP_BytesToKey` with MD5 and one iteration.
fn bytes_to_key(password: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
    let mut key = Vec::with_capacity(len + 16);
    let mut prev: Vec<u8> = Vec::new();
    while key.len() < len {
        let mut h = Md5::new();
        h.update(&prev);
        h.update(password);
        h.update(salt);
        prev = h.finalize().to_vec();
        key.extend_from_slice(&prev);
    }
    key.truncate(len);
    key
}

fn cbc<C>(key: &[u8], iv: &[u8], data: &[u8]) -> Option<Vec<u8>>
where
    cbc::Decryptor<C>: KeyIvInit + BlockDecryptMut,
    C: aes::cipher::BlockCipher + aes::cipher::BlockDecrypt,
{
    cbc::Decryptor::<C>::new_from_slices(key, iv)
        .ok()?
        .decrypt_padded_vec_mut::<Pkcs7>(data)
        .ok()
}

/// Decrypts `data` per the `DEK-Info` header value; `None` for an unknown
/// cipher or a wrong password (bad padding).
pub(crate) fn decrypt(dek_info: &str, data: &[u8], password: &[u8]) -> Option<Vec<u8>> {
    let (cipher, iv) = dek_info.split_once(',')?;
    let iv = hex(iv.trim())?;
    let salt = iv.get(..8)?;
    match cipher.trim() {
        "AES-128-CBC" => cbc::<aes::Aes128>(&bytes_to_key(password, salt, 16), &iv, data),
        "AES-192-CBC" => cbc::<aes::Aes192>(&bytes_to_key(password, salt, 24), &iv, data),
        "AES-256-CBC" => cbc::<aes::Aes256>(&bytes_to_key(password, salt, 32), &iv, data),
        "DES-EDE3-CBC" => cbc::<des::TdesEde3>(&bytes_to_key(password, salt, 24), &iv, data),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_to_key_extends_with_md5_chain() {
        let k = bytes_to_key(b"pw", b"saltsalt", 32);
        let mut h = Md5::new();
        h.update(b"pwsaltsalt");
        let d1 = h.finalize().to_vec();
        assert_eq!(&k[..16], &d1[..]);
        let mut h = Md5::new();
        h.update(&d1);
        h.update(b"pwsaltsalt");
        assert_eq!(&k[16..], &h.finalize()[..]);
    }

    #[test]
    fn refuses_unknown_or_malformed_headers() {
        assert_eq!(decrypt("RC2-CBC,0011223344556677", b"x", b"pw"), None);
        assert_eq!(decrypt("AES-128-CBC,zz", b"x", b"pw"), None);
        assert_eq!(decrypt("AES-128-CBC", b"x", b"pw"), None);
        assert_eq!(
            decrypt(
                "AES-128-CBC,00112233445566778899aabbccddeeff",
                b"short",
                b"pw"
            ),
            None
        );
    }
}
