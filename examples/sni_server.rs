//! A server on the default backend whose servername callback (X16) picks the
//! certificate by the name the client asks for: `other.localhost` gets the
//! second context (its own certificate), any other name the first. The
//! certificates (a CA and two server certificates) are made with rcgen into a
//! temporary directory, printed so that a client can trust the CA.
//!
//!     cargo run --example sni_server -- [PORT] [CONNECTIONS]
//!     python3 -c 'import ssl,socket; c=ssl.create_default_context(cafile="CA");
//!       s=c.wrap_socket(socket.create_connection(("localhost",PORT)),
//!       server_hostname="other.localhost"); print(s.recv(100))'
//!
//! Each connection is greeted, then closed; the callback prints the name
//! each client asked for. PORT 0 (the default) picks a free port;
//! CONNECTIONS (default: no limit) ends the server after that many.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ssl::{
    Context, ContextExt, SSLContext, ServernameCallback, SocketOptions, PROTOCOL_TLS_SERVER,
};

type Res<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

const OTHER_NAME: &str = "other.localhost";

/// Writes a CA and two server certificates (for `localhost` and
/// `other.localhost`) with their keys into `dir`; gives the file names.
fn certificates(dir: &Path) -> Res<(PathBuf, [(PathBuf, PathBuf); 2])> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "sni_server CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = ca.self_signed(&ca_key)?;
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.pem())?;
    let leaf = |name: &str| -> Res<(PathBuf, PathBuf)> {
        let key = KeyPair::generate()?;
        let mut p = CertificateParams::new(vec![name.to_string()])?;
        p.distinguished_name.push(DnType::CommonName, name);
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = p.signed_by(&key, &ca, &ca_key)?;
        let (cert_file, key_file) = (
            dir.join(format!("{name}.pem")),
            dir.join(format!("{name}.key")),
        );
        std::fs::write(&cert_file, cert.pem())?;
        std::fs::write(&key_file, key.serialize_pem())?;
        Ok((cert_file, key_file))
    };
    Ok((ca_file, [leaf("localhost")?, leaf(OTHER_NAME)?]))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let port: u16 = args
        .next()
        .map_or(Ok(0), |p| p.parse())
        .unwrap_or_else(|_| {
            eprintln!("usage: sni_server [PORT] [CONNECTIONS]");
            std::process::exit(2);
        });
    let limit: Option<usize> = args.next().map(|n| {
        n.parse().unwrap_or_else(|_| {
            eprintln!("usage: sni_server [PORT] [CONNECTIONS]");
            std::process::exit(2);
        })
    });
    if let Err(e) = run(port, limit) {
        eprintln!("sni_server: {e}");
        std::process::exit(1);
    }
}

fn run(port: u16, limit: Option<usize>) -> Res<()> {
    let dir = tempfile::tempdir()?;
    let (ca_file, [(cert, key), (other_cert, other_key)]) = certificates(dir.path())?;
    let first = SSLContext::new(PROTOCOL_TLS_SERVER)?;
    first.load_cert_chain(&cert, Some(&key), None)?;
    let second = SSLContext::new(PROTOCOL_TLS_SERVER)?;
    second.load_cert_chain(&other_cert, Some(&other_key), None)?;

    if let Some(reason) = first.capabilities().unsupported_reason("X16") {
        return Err(format!(
            "the {} backend has no servername callback (X16): {reason}",
            first.backend_name()
        )
        .into());
    }
    let callback: ServernameCallback<ssl::DefaultBackend> = Arc::new(move |req| {
        println!("servername callback: {:?}", req.server_name);
        // Python's `sslsocket.context = other`: the handshake goes on with
        // the other context's certificate.
        if req.server_name.as_deref() == Some(OTHER_NAME) {
            println!("  swapping to the context of {OTHER_NAME}");
            req.context = second.clone();
        }
        Ok(None)
    });
    first.set_servername_callback(Some(callback))?;

    let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
    println!(
        "listening on {} ({} backend); CA: {}",
        listener.local_addr()?,
        first.backend_name(),
        ca_file.display()
    );
    let mut served = 0;
    while limit.is_none_or(|n| served < n) {
        let (sock, peer) = listener.accept()?;
        served += 1;
        sock.set_read_timeout(Some(Duration::from_secs(10)))?;
        // One connection's failure (a client that does not trust the CA, ...)
        // is reported; the server goes on.
        let answer = (|| -> ssl::Result<String> {
            let mut conn = first.wrap_socket(sock, SocketOptions::server())?;
            let line = format!("hello over {}\n", conn.version().unwrap_or("TLS"));
            conn.sendall(line.as_bytes(), 0)?;
            conn.close();
            Ok(line)
        })();
        match answer {
            Ok(line) => print!("{peer}: {line}"),
            Err(e) => println!("{peer}: {e}"),
        }
    }
    Ok(())
}
