//! Cipher strings: `set_ciphers(s)` on a fresh context of the backends that
//! parse one (rustls, openssl), client and server side. An accepted string
//! must leave `get_ciphers()` working; a refused one is an `SSLError`. The
//! native backend has no cipher-string parser (native-tls takes no cipher
//! list: `set_ciphers` is always `NotImplementedError`), so it is not here.
#![no_main]

use ssl_api::constants::*;
use ssl_api::{Backend, Context};

fn run<B: Backend>(cipherlist: &str, protocol: Protocol) {
    let ctx = B::Context::new(protocol).expect("a new context");
    match ctx.set_ciphers(cipherlist) {
        Ok(()) => {
            ctx.get_ciphers().expect("get_ciphers after set_ciphers");
        }
        Err(e) => {
            let t = e.python_type();
            assert!(
                t == "SSLError" || t == "ValueError",
                "{}: {t}: {e}",
                B::NAME
            );
        }
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&side, rest)) = data.split_first() else {
        return;
    };
    let Ok(s) = std::str::from_utf8(rest) else {
        return;
    };
    let protocol = if side & 1 == 0 {
        PROTOCOL_TLS_CLIENT
    } else {
        PROTOCOL_TLS_SERVER
    };
    run::<backend_rustls::Rustls>(s, protocol);
    run::<backend_openssl::OpenSsl>(s, protocol);
});
