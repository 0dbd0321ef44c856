//! The private key reader of `load_cert_chain`
//! (`ssl_api::cert::keys::find_private_key`) with a password, then the
//! PKCS#8 form of what it found.
//!
//! Input: `[password kind][password length][password][PEM]`; kinds: 0 none,
//! 1 `str`, 2 `bytes`, 3 a callable returning it, 4 a callable raising.
#![no_main]

use std::sync::Arc;

use ssl_api::cert::keys::{find_private_key, PrivateKey};
use ssl_api::types::Password;
use ssl_api::Error;

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
