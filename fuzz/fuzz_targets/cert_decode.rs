//! Certificate decoding: DER -> the `getpeercert()` record
//! (`ssl_api::cert::decode::decode_cert`), then the record's Python repr and
//! JSON forms; the JSON form must read back to the same record.
#![no_main]

use ssl_api::cert::decode::decode_cert;
use ssl_api::CertRecord;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(record) = decode_cert(data) else {
        return;
    };
    let repr = record.repr();
    assert!(repr.starts_with('{') && repr.ends_with('}'), "repr {repr}");
    let json = record.to_json();
    let back = CertRecord::from_json(&json).expect("a record's own JSON reads back");
    assert_eq!(back, record, "JSON round trip");
    let _ = record.subject();
    let _ = record.issuer();
    let _ = record.subject_alt_name();
});
