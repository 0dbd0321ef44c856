//! Compile-time assertions: the thread-safety and pinning the API documents,
//! checked on the concrete types of every compiled-in backend and of the
//! run-time backend (this file does not compile if one of them breaks).
//!
//! What is documented: `Context` and `Session` are `Send + Sync` (the
//! traits' bounds: shared handles), `Object` is `Send + Unpin` (the trait's
//! bound), the streams and sockets over them are `Send + Unpin` and
//! `ssl::tokio::TlsStream` is `Send + Unpin` when its io is (README, its
//! docs). Objects and streams are not documented as `Sync`, and
//! `dynamic::AnyObject` is not (`Box<dyn DynObject>`, `DynObject: Send`).

use ssl::dynamic::{AnyBackend, AnyContext, AnyObject, AnySession};
use ssl::transport::IoStream;
use ssl::{Backend, SslSocket, SslStream};

const fn assert_send<T: Send>() {}
const fn assert_sync<T: Sync>() {}
const fn assert_unpin<T: Unpin>() {}

macro_rules! assert_backend {
    ($name:ident, $backend:ty) => {
        const _: () = {
            assert_send::<<$backend as Backend>::Context>();
            assert_sync::<<$backend as Backend>::Context>();
            assert_send::<<$backend as Backend>::Session>();
            assert_sync::<<$backend as Backend>::Session>();
            assert_send::<<$backend as Backend>::Object>();
            assert_unpin::<<$backend as Backend>::Object>();
            // SSLSocket and the streams over each shipped endpoint.
            assert_send::<SslSocket<$backend>>();
            assert_unpin::<SslSocket<$backend>>();
            assert_send::<SslStream<$backend, IoStream<std::net::TcpStream>>>();
            assert_unpin::<SslStream<$backend, IoStream<std::net::TcpStream>>>();
            #[cfg(unix)]
            assert_send::<SslStream<$backend, ssl::transport::BorrowedSocket<std::net::TcpStream>>>();
            #[cfg(unix)]
            assert_unpin::<SslStream<$backend, ssl::transport::BorrowedSocket<std::net::TcpStream>>>();
            // The async stream (`ssl::tokio`, feature `tokio`).
            assert_send::<ssl_api::tokio::TlsStream<$backend, tokio::net::TcpStream>>();
            assert_unpin::<ssl_api::tokio::TlsStream<$backend, tokio::net::TcpStream>>();
        };
    };
}

ssl::for_each_backend!(assert_backend);
// The run-time backend: its own types, and everything above over it.
assert_backend!(any, AnyBackend);
const _: () = {
    assert_send::<AnyContext>();
    assert_sync::<AnyContext>();
    assert_unpin::<AnyContext>();
    assert_send::<AnySession>();
    assert_sync::<AnySession>();
    assert_unpin::<AnySession>();
    assert_send::<AnyObject>();
    assert_unpin::<AnyObject>();
};
