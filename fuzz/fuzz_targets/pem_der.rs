//! PEM/DER parsing: `PEM_cert_to_DER_cert` on the input as text, the
//! `DER_cert_to_PEM_cert` -> `PEM_cert_to_DER_cert` round trip of the input
//! as bytes (must give the bytes back), and the other readers of
//! certificate bytes: the PEM certificate splitter, `cadata` DER splitting,
//! the CA / self-issued checks and capath's subject name hash.
#![no_main]

use ssl_api::cert::{capath, inspect, keys};
use ssl_api::{der_cert_to_pem_cert, pem_cert_to_der_cert};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(der) = pem_cert_to_der_cert(text) {
            // Base64 never decodes to more bytes than it has characters.
            assert!(der.len() <= text.len());
        }
    }
    let pem = der_cert_to_pem_cert(data);
    assert_eq!(
        pem_cert_to_der_cert(&pem).expect("our own PEM parses"),
        data,
        "DER -> PEM -> DER"
    );
    for der in keys::pem_certificates(data) {
        let _ = inspect::is_ca(&der);
    }
    if let Ok(certs) = inspect::split_der_certs(data) {
        assert!(!certs.is_empty());
        assert_eq!(certs.concat(), data, "the pieces are the input");
    }
    let _ = inspect::is_ca(data);
    let _ = inspect::self_issued(data);
    let _ = capath::subject_name_hash(data);
});
