//! The system's trusted CAs as a backend loads them: `load_default_certs`
//! (X12: the platform store, then `set_default_verify_paths`), then
//! `cert_store_stats()` and the number of `get_ca_certs()`.
//!
//!     cargo run --example system_trust            # the default backend
//!     cargo run --features openssl --example system_trust -- openssl

use ssl::{Context, Purpose, PROTOCOL_TLS_CLIENT};

fn main() {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| <ssl::DefaultBackend as ssl::Backend>::NAME.to_string());
    let Some(backend) = ssl::backend(&name) else {
        eprintln!(
            "system_trust: no backend {name:?} compiled in (there are: {})",
            ssl::backend_names().join(", ")
        );
        std::process::exit(2);
    };
    if let Err(e) = run(backend) {
        eprintln!("system_trust {name}: {e}");
        std::process::exit(1);
    }
}

fn run(backend: &dyn ssl::dynamic::DynBackend) -> ssl::Result<()> {
    let ctx = backend.new_context(PROTOCOL_TLS_CLIENT)?;
    ctx.load_default_certs(Purpose::SERVER_AUTH)?;
    let paths = backend.get_default_verify_paths();
    println!("backend: {}", ctx.backend_name());
    println!(
        "default verify paths: cafile={:?} capath={:?}",
        paths.cafile, paths.capath
    );
    let stats = ctx.cert_store_stats()?;
    println!(
        "cert_store_stats(): {{'x509': {}, 'crl': {}, 'x509_ca': {}}}",
        stats.x509, stats.crl, stats.x509_ca
    );
    let cas = ctx.get_ca_certs()?;
    println!("get_ca_certs(): {} certificates", cas.len());
    if let Some(first) = cas.first() {
        println!("the first: {}", first.repr());
    }
    Ok(())
}
