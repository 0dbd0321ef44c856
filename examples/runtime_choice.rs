//! A backend chosen at run time, by name, with no per-backend code: an SNI
//! server whose servername callback swaps its context, a verifying client
//! that checks the swapped certificate was served, then the client's session
//! resumed on a second connection.
//!
//!     cargo run --example runtime_choice -- rustls
//!
//! What the backend's capabilities declare unsupported (sessions, S14; the
//! servername callback, X16) is said and skipped. The last line is `ok` when
//! everything that ran passed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ssl::dynamic::{AnyBackend, AnyContext};
use ssl::{
    CaData, CertChain, Context, ContextExt, KeyData, ServernameCallback, SocketOptions,
    PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER,
};

type Res<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A CA and two server certificates for `localhost` told apart by their
/// common name.
struct Pki {
    ca_pem: String,
    first: (String, String, Vec<u8>),
    second: (String, String, Vec<u8>),
}

fn pki() -> Res<Pki> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "runtime_choice CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = ca.self_signed(&ca_key)?;
    let leaf = |cn: &str| -> Res<(String, String, Vec<u8>)> {
        let key = KeyPair::generate()?;
        let mut p = CertificateParams::new(vec!["localhost".to_string()])?;
        p.distinguished_name.push(DnType::CommonName, cn);
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = p.signed_by(&key, &ca, &ca_key)?;
        Ok((cert.pem(), key.serialize_pem(), cert.der().to_vec()))
    };
    Ok(Pki {
        ca_pem: ca.pem(),
        first: leaf("first")?,
        second: leaf("second")?,
    })
}

fn server_context(
    backend: &dyn ssl::dynamic::DynBackend,
    (cert, key, _): &(String, String, Vec<u8>),
) -> Res<AnyContext> {
    let ctx = backend.new_context(PROTOCOL_TLS_SERVER)?;
    ctx.load_cert_chain_from_memory(
        CertChain::Pem(cert.as_bytes()),
        Some(KeyData::Pem(key.as_bytes())),
        None,
    )?;
    Ok(ctx)
}

fn run(name: &str) -> Res<()> {
    let Some(backend) = ssl::backend(name) else {
        return Err(format!(
            "no backend {name:?} compiled in (there are: {})",
            ssl::backend_names().join(", ")
        )
        .into());
    };
    let pki = pki()?;
    let first = server_context(backend, &pki.first)?;
    let second = server_context(backend, &pki.second)?;
    let caps = first.capabilities();
    println!(
        "backend: {} ({})",
        first.backend_name(),
        caps.library_version
    );

    // X16: the callback swaps every connection to the second context.
    let sni = caps.unsupported_reason("X16");
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    if sni.is_none() {
        let (record, swap_to) = (seen.clone(), second.clone());
        let callback: ServernameCallback<AnyBackend> = Arc::new(move |req| {
            record
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(req.server_name.clone());
            req.context = swap_to.clone();
            Ok(None)
        });
        first.set_servername_callback(Some(callback))?;
    }
    let sessions = caps.unsupported_reason("S14");
    let connections = if sessions.is_none() { 2 } else { 1 };

    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let server = std::thread::spawn(move || -> Res<()> {
        for _ in 0..connections {
            let (sock, _) = listener.accept()?;
            sock.set_read_timeout(Some(Duration::from_secs(10)))?;
            sock.set_write_timeout(Some(Duration::from_secs(10)))?;
            let mut conn = first.wrap_socket(sock, SocketOptions::server())?;
            // TLS 1.3 tickets travel with the server's first data.
            conn.sendall(b"t", 0)?;
            if conn.recv(1, 0)? != b"k" {
                return Err("the client's byte did not arrive".into());
            }
            conn.close();
        }
        Ok(())
    });

    let client = backend.new_context(PROTOCOL_TLS_CLIENT)?; // verifies, checks host names
    client.load_verify_locations(None, None, Some(CaData::Pem(pki.ca_pem.clone())))?;
    let connect = |options: SocketOptions<AnyBackend>| -> Res<_> {
        let sock = ssl::create_connection(("127.0.0.1", port), Some(Duration::from_secs(10)))?;
        let mut conn = client.wrap_socket(sock, options)?;
        if conn.recv(1, 0)? != b"t" {
            return Err("the server's byte did not arrive".into());
        }
        conn.sendall(b"k", 0)?;
        Ok(conn)
    };
    let mut conn = connect(SocketOptions::client("localhost"))?;
    println!(
        "connected: {} {}",
        conn.version().unwrap_or("?"),
        conn.cipher().map_or_else(|| "?".to_string(), |c| c.name)
    );
    let served = conn.getpeercert_der()?.ok_or("no peer certificate")?;
    match sni {
        Some(reason) => {
            println!("sni: skipped (X16 unsupported: {reason})");
            if served != pki.first.2 {
                return Err("the server's certificate is not its context's".into());
            }
        }
        None => {
            let seen = seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
            if seen != [Some("localhost".to_string())] {
                return Err(format!("the servername callback saw {seen:?}").into());
            }
            if served != pki.second.2 {
                return Err("the swapped context's certificate was not served".into());
            }
            println!("sni: the callback saw \"localhost\" and the swapped certificate was served");
        }
    }

    match sessions {
        Some(reason) => println!("session: skipped (S14 unsupported: {reason})"),
        None => {
            let session = conn.session().ok_or("no session after the server's byte")?;
            conn.close();
            let again = connect(SocketOptions::client("localhost").session(session))?;
            if !again.session_reused() {
                return Err("the session was not resumed".into());
            }
            println!("session: resumed on a second connection");
        }
    }
    server.join().map_err(|_| "the server thread panicked")??;
    println!("ok");
    Ok(())
}

fn main() {
    let Some(name) = std::env::args().nth(1) else {
        eprintln!(
            "usage: runtime_choice BACKEND   (compiled in: {})",
            ssl::backend_names().join(", ")
        );
        std::process::exit(2);
    };
    if let Err(e) = run(&name) {
        eprintln!("runtime_choice {name}: {e}");
        std::process::exit(1);
    }
}
