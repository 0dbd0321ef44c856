//! The shared cases: each written once, generic over the backend, and run for
//! every compiled-in backend (by the test macro and by the report). A case
//! returns `Ok(Outcome::Pass)`, `Ok(Outcome::NotSupported(reason))` when the
//! backend's capabilities declare the feature missing, or `Err(why)`.

use ssl_api::constants::*;
use ssl_api::{Backend, Context, Error, SslErrorKind};

use crate::pki::Pki;

// The socket and interop cases live in their own modules; the suite lists them below.
pub use crate::interop_cases::*;
pub use crate::record_cases::*;
pub use crate::socket_cases::*;
pub use crate::stream_cases::*;

/// What a case concluded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Behaved as CPython's `ssl` does.
    Pass,
    /// The backend declares the feature unsupported; the reason.
    NotSupported(String),
}

/// The result of one case.
pub type CaseResult = Result<Outcome, String>;

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

fn ctx<B: Backend>(protocol: Protocol) -> Result<B::Context, String> {
    B::Context::new(protocol).map_err(|e| format!("SSLContext({protocol:?}): {e}"))
}

fn e2s(e: Error) -> String {
    format!("{} ({})", e, e.python_type())
}

/// `Ok(v)` as is; a `NotImplemented` error (a feature the backend declares
/// missing) ends the case as `Outcome::NotSupported`; any other error fails it.
macro_rules! or_not_supported {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e @ Error::NotImplemented { .. }) => {
                return Ok(Outcome::NotSupported(e.to_string()))
            }
            Err(e) => return Err(e2s(e)),
        }
    };
}

/// A server context with the PKI's server certificate.
pub fn server_ctx<B: Backend>(pki: &Pki) -> Result<B::Context, String> {
    let s = ctx::<B>(PROTOCOL_TLS_SERVER)?;
    s.load_cert_chain(&pki.server.cert, Some(&pki.server.key), None)
        .map_err(e2s)?;
    Ok(s)
}

/// A verifying client context trusting the PKI's CA.
pub fn client_ctx<B: Backend>(pki: &Pki) -> Result<B::Context, String> {
    let c = ctx::<B>(PROTOCOL_TLS_CLIENT)?;
    c.load_verify_locations(Some(&pki.ca), None, None)
        .map_err(e2s)?;
    Ok(c)
}

/// The SSLCertVerificationError with verify `code` (and CPython's reason).
pub(crate) fn expect_verify_error(r: &ssl_api::Result<()>, code: i64) -> Result<(), String> {
    match r {
        Err(Error::Ssl(e)) if e.kind == SslErrorKind::CertVerification => {
            let got = e.verify.as_ref().map(|v| v.code);
            ensure!(
                got == Some(code),
                "verify code {got:?}, expected {code}: {e}"
            );
            ensure!(
                e.reason.as_deref() == Some("CERTIFICATE_VERIFY_FAILED"),
                "reason {:?}",
                e.reason
            );
            Ok(())
        }
        other => Err(format!(
            "expected SSLCertVerificationError {code}, got {:?}",
            other.as_ref().map_err(|e| e.to_string())
        )),
    }
}

/// Runs `f` on its own thread and waits at most `limit`: what would hang (a
/// deadlock, an unbounded key derivation) fails the case, named by `what`,
/// instead of the test run. A thread that never returns is left behind; the
/// test process ends it.
fn within<T: Send + 'static>(
    limit: std::time::Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    use std::sync::mpsc::RecvTimeoutError;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("bounded".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| format!("no thread: {e}"))?;
    rx.recv_timeout(limit).map_err(|e| match e {
        RecvTimeoutError::Timeout => format!("{what}: did not return within {limit:?}"),
        RecvTimeoutError::Disconnected => format!("{what}: panicked"),
    })
}

fn expect_reason(r: &ssl_api::Result<()>, reason: &str, side: &str) -> Result<(), String> {
    match r {
        Err(e) if e.reason() == Some(reason) => Ok(()),
        other => Err(format!(
            "{side}: expected [{reason}], got {:?}",
            other
                .as_ref()
                .map_err(|e| format!("{e} ({})", e.python_type()))
        )),
    }
}

// The cases, by job. Declared after the helper macros above, which they use;
// re-exported so that every case stays `crate::cases::NAME`.
mod callbacks;
mod context;
mod handshake;
mod platform;
mod sessions;

pub use callbacks::*;
pub use context::*;
pub use handshake::*;
pub use platform::*;
pub use sessions::*;

/// A named shared case (its reference ids and the generic function).
pub struct CaseDef<B: Backend> {
    /// The case's name (also the test's name).
    pub name: &'static str,
    /// Reference ids this case covers.
    pub refs: &'static [&'static str],
    /// The case.
    pub run: fn(&Pki) -> CaseResult,
    _b: std::marker::PhantomData<B>,
}

macro_rules! case_list {
    ($($name:ident [$($r:literal),*]),* $(,)?) => {
        /// The names of every shared case, in order.
        pub const CASE_NAMES: &[&str] = &[$(stringify!($name)),*];

        /// Every shared case's name with the reference ids it covers, in order.
        pub const CASE_REFS: &[(&str, &[&str])] = &[$((stringify!($name), &[$($r),*])),*];

        /// Every shared case for backend `B`, in a stable order.
        pub fn all<B: Backend>() -> Vec<CaseDef<B>> {
            vec![$(CaseDef { name: stringify!($name), refs: &[$($r),*], run: $name::<B>, _b: std::marker::PhantomData }),*]
        }

        /// Instantiates every shared case as a `#[test]` for backend `$b` in
        /// module `$m` (e.g. `rustls::tls13_echo_over_memory_bio`). The
        /// backend's expectations manifest decides which failures are expected.
        #[macro_export]
        macro_rules! shared_suite {
            ($m:ident, $b:ty) => {
                mod $m {
                    $(
                        #[test]
                        fn $name() {
                            $crate::run_case_test::<$b>(stringify!($name), $crate::cases::$name::<$b>);
                        }
                    )*
                }
            };
        }
    };
}

case_list! {
    tls13_echo_over_memory_bio ["O1", "O2", "S11", "S5", "S12"],
    tls12_echo ["X23+", "P3", "S2"],
    verify_unknown_ca ["S3", "E7"],
    verify_hostname_mismatch ["X6", "E7"],
    check_hostname_off_accepts_other_name ["X6"],
    verify_expired ["E7"],
    verify_messages_match_cpython ["E7", "X6"],
    self_signed_as_own_ca ["E7", "X9"],
    cert_none_still_returns_der ["S4", "X4"],
    getpeercert_before_and_after ["S4", "S5", "S11"],
    client_cert_required_missing ["X4"],
    client_cert_verified ["X4", "S4"],
    alpn_agree_and_disagree ["X14", "S9"],
    close_notify_and_truncation ["E2", "E6", "S10"],
    unwrap_before_handshake ["S10", "O1"],
    context_defaults_and_value_errors ["X1", "X2", "X3", "X4", "X6", "P2", "X20"],
    reported_verify_mode_is_enforced ["X3", "X4", "X6", "X9"],
    load_cert_chain_errors ["X7"],
    verify_locations_and_store_stats ["X9", "X10", "X22"],
    session_resumption ["S14", "N1"],
    servername_callback_three_ways ["X16"],
    cipher_strings ["X11", "X13", "S5", "S6"],
    encrypted_key_password_forms ["X7"],
    encrypted_key_kdf_bounds ["X7"],
    password_callback_uses_its_context ["X7"],
    servername_callback_uses_its_context ["X16"],
    crl_check_leaf ["X5", "X9", "X22"],
    declared_capabilities_hold ["X15", "S8", "S7", "C5", "C6"],
    handshake_failure_modes ["E1", "E6", "P3"],
    capath_is_lazy ["X9", "X10", "X22"],
    ecdh_curve ["X18"],
    session_stats_and_attributes ["X21", "N1"],
    client_cert_optional_verifies ["X4"],
    load_cert_chain_key_forms ["X7"],
    load_cert_chain_from_memory ["X7"],
    load_cert_chain_from_memory_password_forms ["X7"],
    common_name_and_ip_hostnames ["X6", "X23+"],
    peer_chains ["S4"],
    context_replaced_after_handshake ["S13"],
    num_tickets ["X23+", "S14"],
    one_session_resumes_many ["S14"],
    server_with_two_key_types ["X7"],
    msg_callback_sees_the_handshake [],
    object_attributes_and_want_read ["S13", "O1", "E3", "X20"],
    rand_functions ["F3", "F4", "F5", "F6", "F7"],
    rand_differs_after_fork ["P4"],
    default_verify_paths_and_certs ["F13", "X8", "X12"],
    constants_match_cpython ["C1", "C2", "C3", "C4", "C5", "C7", "C8", "C9", "C10"],
    pure_functions_match_cpython ["F8", "F9", "F11", "F12"],
    tls13_suite_pinning ["X11"],
    tls_unique_channel_binding ["S8", "C6"],
    dh_params_enable_dhe ["X17", "S5"],
    legacy_tls_versions_at_seclevel0 ["C3", "C5", "P3"],
    post_handshake_client_auth ["X23+"],
    keylog_file_lines ["X23+"],
    windows_system_stores ["F14", "F15"],
    socket_doc_client_server ["S1", "X19", "F2"],
    socket_lazy_connect ["S1", "S3", "X19", "F1"],
    socket_accept_on_wrapped_listener ["S1", "F1", "X19"],
    socket_blocking_echo_10mib ["S2"],
    socket_nonblocking_poll ["S15", "S12", "E3", "E4"],
    socket_timeouts ["S2", "S1"],
    socket_ragged_eofs ["S16", "E2", "E6"],
    socket_unwrap_starttls ["S10"],
    socket_makefile_lines ["S1"],
    socket_sendfile ["S1"],
    socket_attributes_and_session_reuse ["S4", "S5", "S6", "S9", "S11", "S13", "S14"],
    socket_module_functions ["F2", "P1", "F3", "F5", "F10", "F13"],
    socket_reset_during_handshake ["E5"],
    socket_reset_after_handshake ["E6", "S16"],
    socket_handshake_flights_leave_whole ["S1", "S3"],
    borrowed_blocking_echo_10mib ["S2"],
    borrowed_nonblocking_poll ["S15", "S12", "E3", "E4"],
    borrowed_timeouts ["S2", "S1"],
    borrowed_ragged_eofs ["S16", "E2", "E6"],
    borrowed_unwrap_starttls ["S10"],
    borrowed_makefile_lines ["S1"],
    borrowed_sendfile ["S1"],
    borrowed_attributes_and_session_reuse ["S4", "S5", "S6", "S9", "S11", "S13", "S14"],
    borrowed_reset_during_handshake ["E5"],
    borrowed_reset_after_handshake ["E6", "S16"],
    borrowed_handshake_flights_leave_whole ["S1", "S3"],
    stream_blocking_echo_10mib ["S2"],
    stream_nonblocking_poll ["S15", "S12", "E3", "E4"],
    stream_timeouts ["S2", "S1"],
    stream_ragged_eofs ["S16", "E2", "E6"],
    stream_unwrap_starttls ["S10"],
    stream_makefile_lines ["S1"],
    stream_sendfile ["S1"],
    stream_attributes_and_session_reuse ["S4", "S5", "S6", "S9", "S11", "S13", "S14"],
    stream_reset_during_handshake ["E5"],
    stream_reset_after_handshake ["E6", "S16"],
    stream_handshake_flights_leave_whole ["S1", "S3"],
    borrowed_socket_left_as_found ["S1", "S2"],
    socket_record_header_too_long ["S3", "E1"],
    borrowed_record_header_too_long ["S3", "E1"],
    stream_record_header_too_long ["S3", "E1"],
    socket_client_hello_6k ["S3", "X14"],
    borrowed_client_hello_6k ["S3", "X14"],
    stream_client_hello_6k ["S3", "X14"],
    socket_echo_1mib ["S2", "S3", "S4", "S5", "S11"],
    socket_verify_failures ["S3", "E7"],
    socket_alpn_agreed ["X14", "S9"],
    socket_close_notify_and_ragged_eof ["S16", "E6", "S10"],
    socket_timeout_leaves_connection_usable ["S2"],
    socket_resumed_session ["S14"],
    socket_concurrent_1000 ["S1"],
    socket_sni_callback_swaps_context ["X16", "S13"],
    socket_client_certificate ["X4", "S4"],
    socket_shared_contexts_under_settings_churn ["S1", "X3", "X5", "X7", "X9"],
    borrowed_echo_1mib ["S2", "S3", "S4", "S5", "S11"],
    borrowed_verify_failures ["S3", "E7"],
    borrowed_alpn_agreed ["X14", "S9"],
    borrowed_close_notify_and_ragged_eof ["S16", "E6", "S10"],
    borrowed_timeout_leaves_connection_usable ["S2"],
    borrowed_resumed_session ["S14"],
    borrowed_concurrent_1000 ["S1"],
    borrowed_sni_callback_swaps_context ["X16", "S13"],
    borrowed_client_certificate ["X4", "S4"],
    borrowed_shared_contexts_under_settings_churn ["S1", "X3", "X5", "X7", "X9"],
    stream_echo_1mib ["S2", "S3", "S4", "S5", "S11"],
    stream_verify_failures ["S3", "E7"],
    stream_alpn_agreed ["X14", "S9"],
    stream_close_notify_and_ragged_eof ["S16", "E6", "S10"],
    stream_timeout_leaves_connection_usable ["S2"],
    stream_resumed_session ["S14"],
    stream_concurrent_1000 ["S1"],
    stream_sni_callback_swaps_context ["X16", "S13"],
    stream_client_certificate ["X4", "S4"],
    stream_shared_contexts_under_settings_churn ["S1", "X3", "X5", "X7", "X9"],
    async_echo_1mib ["S2", "S3", "S4", "S5", "S11"],
    async_verify_failures ["S3", "E7"],
    async_alpn_agreed ["X14", "S9"],
    async_close_notify_and_ragged_eof ["S16", "E6", "S10"],
    async_timeout_leaves_connection_usable ["S2"],
    async_resumed_session ["S14"],
    async_concurrent_1000 ["S1"],
    async_sni_callback_swaps_context ["X16", "S13"],
    async_client_certificate ["X4", "S4"],
    async_shared_contexts_under_settings_churn ["S1", "X3", "X5", "X7", "X9"],
    async_split_across_tasks ["S2"],
    interop_cpython_server ["S1", "S4", "S5", "S9", "S11"],
    interop_cpython_client ["S1", "S4", "S5", "S9", "S11"],
    interop_openssl_s_server ["S1", "S4", "S9"],
    interop_openssl_s_client ["S1", "S5", "S9", "S11"],
}
