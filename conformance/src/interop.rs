//! The cross-backend interop matrix: every compiled-in backend as client
//! against every compiled-in backend as server, over MemoryBIO pairs, through
//! the object-safe layer (`ssl_api::dynamic`) so that any pair can be chosen
//! at run time.

use ssl_api::dynamic::DynBackend;
use ssl_api::{Context, MemoryBio, Object, WrapOptions, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER};

use crate::harness::{drive_handshake, send_and_receive};
use crate::pki::Pki;

/// Every backend compiled into this build, as run-time handles (the
/// facade's registry).
pub fn dyn_backends() -> Vec<&'static dyn DynBackend> {
    ssl::backends()
}

fn echo<A: Object, B: Object>(from: &mut A, to: &mut B, data: &[u8]) -> Result<(), String> {
    let got = send_and_receive(from, to, data).map_err(|e| e.to_string())?;
    if got != data {
        return Err("echoed bytes differ".into());
    }
    Ok(())
}

/// Client backend `client` against server backend `server`: a verified
/// handshake (hostname checked), echo both ways, the same version and cipher
/// on both sides, the server's certificate on the client, ALPN when both
/// support it. `Ok` holds a one-line summary.
pub fn run_pair(
    client: &dyn DynBackend,
    server: &dyn DynBackend,
    pki: &Pki,
) -> Result<String, String> {
    let sctx = server
        .new_context(PROTOCOL_TLS_SERVER)
        .map_err(|e| e.to_string())?;
    sctx.load_cert_chain(&pki.server.cert, Some(&pki.server.key), None)
        .map_err(|e| format!("server load_cert_chain: {e}"))?;
    let cctx = client
        .new_context(PROTOCOL_TLS_CLIENT)
        .map_err(|e| e.to_string())?;
    cctx.load_verify_locations(Some(&pki.ca), None, None)
        .map_err(|e| format!("client load_verify_locations: {e}"))?;
    let alpn = client.capabilities().has_alpn && server.capabilities().has_alpn;
    if alpn {
        sctx.set_alpn_protocols(&["h2", "http/1.1"])
            .map_err(|e| e.to_string())?;
        cctx.set_alpn_protocols(&["http/1.1", "h2"])
            .map_err(|e| e.to_string())?;
    }
    let mut c = cctx
        .wrap_bio(
            MemoryBio::new(),
            MemoryBio::new(),
            WrapOptions::client("localhost"),
        )
        .map_err(|e| e.to_string())?;
    let mut s = sctx
        .wrap_bio(MemoryBio::new(), MemoryBio::new(), WrapOptions::server())
        .map_err(|e| e.to_string())?;
    drive_handshake(&mut c, &mut s).into_result()?;
    echo(&mut c, &mut s, b"hello from the client")?;
    echo(&mut s, &mut c, b"hello from the server")?;
    let (cv, sv) = (c.version(), s.version());
    if cv != sv {
        return Err(format!("versions differ: client {cv:?}, server {sv:?}"));
    }
    let (cc, sc) = (c.cipher(), s.cipher());
    if cc.as_ref().map(|t| &t.name) != sc.as_ref().map(|t| &t.name) {
        return Err(format!("ciphers differ: client {cc:?}, server {sc:?}"));
    }
    let der = c.getpeercert_der().map_err(|e| e.to_string())?;
    if der.as_deref() != Some(&pki.server.der[..]) {
        return Err("the client did not get the server's certificate".into());
    }
    let selected = c.selected_alpn_protocol();
    if alpn && (selected.as_deref() != Some("h2") || s.selected_alpn_protocol() != selected) {
        return Err(format!(
            "ALPN: client {selected:?}, server {:?}",
            s.selected_alpn_protocol()
        ));
    }
    Ok(format!(
        "{} {}{}",
        cv.unwrap_or("?"),
        cc.map(|t| t.name).unwrap_or_default(),
        selected.map(|p| format!(" alpn={p}")).unwrap_or_default()
    ))
}

/// The whole matrix: `(client, server, result)` for every ordered pair.
pub fn matrix() -> Vec<(&'static str, &'static str, Result<String, String>)> {
    let backends = dyn_backends();
    let mut out = Vec::new();
    for c in &backends {
        for s in &backends {
            let pki = Pki::generate();
            out.push((c.name(), s.name(), run_pair(*c, *s, &pki)));
        }
    }
    out
}
