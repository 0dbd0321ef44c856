//! rustls's typed errors mapped onto the shared kinds and OpenSSL's reason
//! mnemonics (never by their Debug text), so one failure reads the same on
//! every backend.

use rustls::{CertificateError, Error as RE, InvalidMessage, PeerIncompatible, PeerMisbehaved};
use ssl_api::Error;

use crate::verify::VerifyError;

/// The server had no certificate to offer (OpenSSL: no shared cipher).
pub(crate) fn no_shared_cipher() -> Error {
    Error::ssl("SSL", "NO_SHARED_CIPHER", "no shared cipher")
}

/// The server's servername callback aborted the handshake (with any alert):
/// OpenSSL reports `CALLBACK_FAILED` on the server whatever the alert was.
pub(crate) fn sni_callback_error() -> Error {
    Error::ssl("SSL", "CALLBACK_FAILED", "callback failed")
}

fn verify_failure(e: &CertificateError) -> Option<Error> {
    match e {
        CertificateError::Other(other) => {
            let inner: &(dyn std::error::Error + 'static) = &*other.0;
            inner
                .downcast_ref::<VerifyError>()
                .map(|v| Error::cert_verify(v.0.code, v.0.message.clone()))
        }
        // A variant chosen for its alert: the failure was kept aside.
        _ => crate::verify::take_failure().map(|f| Error::cert_verify(f.code, f.message)),
    }
}

/// Maps a rustls error seen on the client (`server_side == false`) or
/// server; the rustls error stays as its `source()`.
pub(crate) fn map_rustls_error(e: &RE, server_side: bool) -> Error {
    mapped(e, server_side).with_cause(e.clone())
}

fn mapped(e: &RE, server_side: bool) -> Error {
    match e {
        RE::InvalidCertificate(ce) => verify_failure(ce).unwrap_or_else(|| {
            Error::ssl(
                "SSL",
                "CERTIFICATE_VERIFY_FAILED",
                "certificate verify failed",
            )
        }),
        RE::AlertReceived(alert) => Error::alert_received(u8::from(*alert)),
        RE::NoCertificatesPresented => Error::ssl(
            "SSL",
            "PEER_DID_NOT_RETURN_A_CERTIFICATE",
            "peer did not return a certificate",
        ),
        RE::PeerIncompatible(p) => match p {
            PeerIncompatible::NoCipherSuitesInCommon => no_shared_cipher(),
            PeerIncompatible::NoKxGroupsInCommon => no_shared_cipher(),
            PeerIncompatible::Tls12NotOffered
            | PeerIncompatible::Tls12NotOfferedOrEnabled
            | PeerIncompatible::Tls13RequiredForQuic
            | PeerIncompatible::SupportedVersionsExtensionRequired
            | PeerIncompatible::ServerDoesNotSupportTls12Or13 => {
                Error::ssl("SSL", "UNSUPPORTED_PROTOCOL", "unsupported protocol")
            }
            _ if server_side => no_shared_cipher(),
            _ => Error::ssl(
                "SSL",
                "SSLV3_ALERT_HANDSHAKE_FAILURE",
                "sslv3 alert handshake failure",
            ),
        },
        RE::InvalidMessage(m) => match m {
            InvalidMessage::InvalidContentType | InvalidMessage::UnknownProtocolVersion => {
                Error::ssl("SSL", "WRONG_VERSION_NUMBER", "wrong version number")
            }
            // A record header announcing more than a record may hold:
            // OpenSSL refuses it at the header with this reason.
            InvalidMessage::MessageTooLarge => {
                Error::ssl("SSL", "PACKET_LENGTH_TOO_LONG", "packet length too long")
            }
            _ => Error::ssl("SSL", "DECODE_ERROR", "decode error"),
        },
        RE::DecryptError => Error::ssl(
            "SSL",
            "DECRYPTION_FAILED_OR_BAD_RECORD_MAC",
            "decryption failed or bad record mac",
        ),
        RE::NoApplicationProtocol => {
            Error::ssl("SSL", "NO_APPLICATION_PROTOCOL", "no application protocol")
        }
        RE::PeerMisbehaved(PeerMisbehaved::SelectedUnofferedApplicationProtocol) => {
            Error::ssl("SSL", "NO_APPLICATION_PROTOCOL", "no application protocol")
        }
        RE::PeerMisbehaved(_) => Error::ssl("SSL", "UNEXPECTED_MESSAGE", "unexpected message"),
        RE::InappropriateMessage { .. } | RE::InappropriateHandshakeMessage { .. } => {
            Error::ssl("SSL", "UNEXPECTED_MESSAGE", "unexpected message")
        }
        RE::PeerSentOversizedRecord => {
            Error::ssl("SSL", "RECORD_LENGTH_MISMATCH", "record length mismatch")
        }
        RE::EncryptError | RE::FailedToGetCurrentTime | RE::FailedToGetRandomBytes => {
            Error::ssl("SSL", "INTERNAL_ERROR", "internal error")
        }
        RE::InconsistentKeys(_) => Error::ssl("X509", "KEY_VALUES_MISMATCH", "key values mismatch"),
        other => Error::ssl("SSL", "INTERNAL_ERROR", format!("internal error ({other})")),
    }
}
