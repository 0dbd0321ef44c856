//! Certificates: the record `getpeercert()` returns, its decoder, PEM/DER
//! conversion and certificate times. Decoded once here for every backend.

pub mod decode;
pub mod pem;
pub mod record;
pub mod time;
