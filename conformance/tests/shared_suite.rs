//! Every shared case, for every backend compiled in.

#[cfg(feature = "rustls")]
conformance::shared_suite!(rustls, backend_rustls::Rustls);

#[cfg(feature = "openssl")]
conformance::shared_suite!(openssl, backend_openssl::OpenSsl);
#[cfg(feature = "native")]
conformance::shared_suite!(native, backend_native::Native);
