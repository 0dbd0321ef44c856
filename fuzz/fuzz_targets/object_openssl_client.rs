//! The openssl backend's client Object over MemoryBIOs (`Context::wrap_bio`),
//! fed a server's bytes: a mode byte (context variant, chunking, EOF, a write,
//! `unwrap()`; see `ssl_fuzz::mode_byte`) and then the records. The seeds
//! are recorded flights (`gen-seeds`). It must never panic, hang or allocate
//! without bound, whatever it is fed.
#![no_main]

use std::sync::OnceLock;

use ssl_fuzz::{run_object, Contexts};

static CONTEXTS: OnceLock<Contexts<backend_openssl::OpenSsl>> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    run_object(CONTEXTS.get_or_init(Contexts::generate), false, data);
});
