//! The expectations manifest: for each backend, the shared cases it is known
//! to fail against CPython's behaviour, each with the reason (the way rustls
//! runs BoringSSL's BoGo suite with a list of disabled tests). The report
//! prints these reasons; a listed case that passes is flagged so the manifest
//! stays true.

/// `(backend, case-name pattern, reason)`. A pattern ending in `*` matches a prefix.
pub const EXPECTED_FAILURES: &[(&str, &str, &str)] = &[
    (
        "native",
        "tls13_echo_over_memory_bio",
        "native-tls's OpenSSL server is SslAcceptor::mozilla_intermediate, which sets OP_NO_TLSv1_3: a native server negotiates TLS 1.2 (capability S11)",
    ),
    (
        "native",
        "handshake_failure_modes",
        "the case needs a TLS 1.3-only server (native-tls's OpenSSL server has no TLS 1.3: capability S11) and set_ciphers (capability X13)",
    ),
];

/// The reason `case` is expected to fail on `backend`, if it is listed.
pub fn expected_failure(backend: &str, case: &str) -> Option<&'static str> {
    EXPECTED_FAILURES
        .iter()
        .find(|(b, pattern, _)| {
            *b == backend
                && match pattern.strip_suffix('*') {
                    Some(prefix) => case.starts_with(prefix),
                    None => *pattern == case,
                }
        })
        .map(|(_, _, reason)| *reason)
}
