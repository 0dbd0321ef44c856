//! A verifying client on the default backend: connects, checks the server's
//! certificate and host name (against the system's CAs, or CAFILE), prints
//! what the handshake agreed and the first line of an HTTP answer.
//!
//!     cargo run --example client -- HOST PORT [CAFILE]
//!     cargo run --example client -- example.org 443

use std::path::Path;
use std::time::Duration;

use ssl::{ContextExt, Purpose, SocketOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (host, port, cafile) = match &args[..] {
        [host, port] => (host, port, None),
        [host, port, cafile] => (host, port, Some(Path::new(cafile))),
        _ => {
            eprintln!("usage: client HOST PORT [CAFILE]");
            std::process::exit(2);
        }
    };
    let Ok(port) = port.parse::<u16>() else {
        eprintln!("client: PORT must be a number, not {port:?}");
        std::process::exit(2);
    };
    if let Err(e) = run(host, port, cafile) {
        eprintln!("client: {e}");
        std::process::exit(1);
    }
}

fn run(host: &str, port: u16, cafile: Option<&Path>) -> ssl::Result<()> {
    // ssl.create_default_context(cafile=...): CERT_REQUIRED and check_hostname;
    // without a CAFILE, the system's trusted CAs (load_default_certs).
    let ctx = ssl::create_default_context_with(Purpose::SERVER_AUTH, cafile, None, None)?;
    let sock = ssl::create_connection((host, port), Some(Duration::from_secs(10)))?;
    let mut conn = ctx.wrap_socket(sock, SocketOptions::client(host))?;
    println!(
        "{} {} on {}",
        conn.version().unwrap_or("?"),
        conn.cipher().map_or_else(|| "?".to_string(), |c| c.name),
        <ssl::DefaultBackend as ssl::Backend>::NAME
    );
    if let Some(cert) = conn.getpeercert()? {
        println!("peer certificate: {}", cert.repr());
    }
    conn.sendall(
        format!("HEAD / HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        0,
    )?;
    let answer = conn.recv(4096, 0)?;
    let first_line = answer.split(|&b| b == b'\n').next().unwrap_or_default();
    println!("answer: {}", String::from_utf8_lossy(first_line).trim_end());
    conn.close();
    Ok(())
}
