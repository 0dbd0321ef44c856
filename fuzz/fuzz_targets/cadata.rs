//! `load_verify_locations(cadata=...)` on a fresh client context of each
//! backend (rustls, openssl, native). Input: mode byte (even: the rest as PEM
//! text, `cadata: str`; odd: as DER bytes), then the data. What was loaded
//! must be listed by `get_ca_certs()` as `cert_store_stats()` counts it.
#![no_main]

use ssl_api::constants::*;
use ssl_api::types::CaData;
use ssl_api::{Backend, Context};

fn run<B: Backend>(cadata: CaData) {
    let ctx = B::Context::new(PROTOCOL_TLS_CLIENT).expect("a new context");
    match ctx.load_verify_locations(None, None, Some(cadata)) {
        Ok(()) => {
            let ders = ctx.get_ca_certs_der().expect("get_ca_certs after cadata");
            let stats = ctx.cert_store_stats().expect("cert_store_stats");
            // CPython: get_ca_certs() lists the store's CA certificates,
            // cert_store_stats()['x509_ca'] counts them.
            assert_eq!(
                i64::try_from(ders.len()).ok(),
                Some(stats.x509_ca),
                "{}: CA certificates listed vs counted",
                B::NAME
            );
            assert!(stats.x509_ca <= stats.x509, "{}: {stats:?}", B::NAME);
            // Decoding each may fail (OpenSSL keeps what the decoder refuses), never panic.
            let _ = ctx.get_ca_certs();
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
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let cadata = || {
        if mode & 1 == 0 {
            std::str::from_utf8(rest)
                .ok()
                .map(|s| CaData::Pem(s.to_owned()))
        } else {
            Some(CaData::Der(rest.to_vec()))
        }
    };
    let Some(first) = cadata() else {
        return;
    };
    run::<backend_rustls::Rustls>(first);
    run::<backend_openssl::OpenSsl>(cadata().expect("as above"));
    run::<backend_native::Native>(cadata().expect("as above"));
});
