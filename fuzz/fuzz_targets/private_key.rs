//! The private key reader of `load_cert_chain`
//! (`ssl_api::cert::keys::find_private_key`) with a password, then the
//! PKCS#8 form of what it found.
//!
//! Input: `[password kind][password length][password][PEM]`; kinds: 0 none,
//! 1 `str`, 2 `bytes`, 3 a callable returning it, 4 a callable raising.
#![no_main]

use std::sync::Arc;

use ssl_api::cert::keys::{check_key_cost, find_private_key, kdf_work, PrivateKey};
use ssl_api::types::Password;
use ssl_api::Error;

/// KDF work (PBKDF2 iterations, scrypt N*r*p) decrypted within a fuzz run:
/// OpenSSL's own default key (scrypt N=16384 r=8 p=1, 2^17) is at the budget.
const FUZZ_KDF_BUDGET: u128 = 1 << 17;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let [kind, len, rest @ ..] = data else {
        return;
    };
    let (pw, pem) = rest.split_at(usize::from(*len).min(rest.len()));
    let password = match kind % 5 {
        0 => None,
        1 => Some(Password::Str(String::from_utf8_lossy(pw).into_owned())),
        2 => Some(Password::Bytes(pw.to_vec())),
        3 => {
            let pw = pw.to_vec();
            Some(Password::Callback(Arc::new(move || Ok(pw.clone()))))
        }
        _ => Some(Password::Callback(Arc::new(|| {
            Err(Error::value("the callback raised"))
        }))),
    };
    // A key whose derivation is within the bounds but slow by design (up to
    // ~10 s of PBKDF2, as OpenSSL would also spend) would only trip the
    // 1 s timeout: for those, the cost check alone must answer at once.
    if kdf_work(pem).is_some_and(|work| work > FUZZ_KDF_BUDGET) {
        let _ = check_key_cost(pem);
        return;
    }
    match find_private_key(pem, password.as_ref()) {
        Ok(Some(key)) => {
            if let Ok(der) = key.to_pkcs8() {
                // Already PKCS#8: unchanged.
                if let PrivateKey::Pkcs8(orig) = &key {
                    assert_eq!(&der, orig);
                }
            }
        }
        Ok(None) => {}
        Err(e) => {
            let t = e.python_type();
            assert!(t == "SSLError" || t == "ValueError", "{t}: {e}");
        }
    }
});
