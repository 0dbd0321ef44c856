//! The cross-backend interop matrix: every compiled-in backend as client
//! against every compiled-in backend as server, over MemoryBIO pairs, through
//! the object-safe layer (`ssl_api::dynamic`) so that any pair can be chosen
//! at run time.

use ssl_api::dynamic::{DynBackend, DynBackendOf, DynObject};
use ssl_api::{Bio, MemoryBio, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER};

use crate::pki::Pki;

/// Every backend compiled into this build, as run-time handles.
pub fn dyn_backends() -> Vec<&'static dyn DynBackend> {
    vec![
        #[cfg(feature = "rustls")]
        &DynBackendOf::<backend_rustls::Rustls>::HANDLE,
        #[cfg(feature = "openssl")]
        &DynBackendOf::<backend_openssl::OpenSsl>::HANDLE,
        #[cfg(feature = "native")]
        &DynBackendOf::<backend_native::Native>::HANDLE,
    ]
}

/// The dyn twin of the harness: moves bytes until both handshakes settle.
fn drive(c: &mut dyn DynObject, s: &mut dyn DynObject) -> Result<(), String> {
    let mut c_done = false;
    let mut s_done = false;
    for _ in 0..100 {
        if !c_done {
            match c.do_handshake() {
                Ok(()) => c_done = true,
                Err(e) if e.is_want() => {}
                Err(e) => return Err(format!("client: {e}")),
            }
        }
        s.incoming()
            .expect("made by wrap_bio")
            .write(&c.outgoing().expect("made by wrap_bio").read(None))
            .map_err(|e| e.to_string())?;
        if !s_done {
            match s.do_handshake() {
                Ok(()) => s_done = true,
                Err(e) if e.is_want() => {}
                Err(e) => return Err(format!("server: {e}")),
            }
        }
        c.incoming()
            .expect("made by wrap_bio")
            .write(&s.outgoing().expect("made by wrap_bio").read(None))
            .map_err(|e| e.to_string())?;
        if c_done && s_done {
            return Ok(());
        }
    }
    Err("the handshake did not finish".into())
}

fn echo(from: &mut dyn DynObject, to: &mut dyn DynObject, data: &[u8]) -> Result<(), String> {
    from.write(data).map_err(|e| format!("write: {e}"))?;
    to.incoming()
        .expect("made by wrap_bio")
        .write(&from.outgoing().expect("made by wrap_bio").read(None))
        .map_err(|e| e.to_string())?;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while got.len() < data.len() {
        match to.read(&mut buf) {
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => return Err(format!("read after {} bytes: {e}", got.len())),
        }
    }
    from.incoming()
        .expect("made by wrap_bio")
        .write(&to.outgoing().expect("made by wrap_bio").read(None))
        .map_err(|e| e.to_string())?;
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
            false,
            Some("localhost"),
            None,
        )
        .map_err(|e| e.to_string())?;
    let mut s = sctx
        .wrap_bio(MemoryBio::new(), MemoryBio::new(), true, None, None)
        .map_err(|e| e.to_string())?;
    drive(c.as_mut(), s.as_mut())?;
    echo(c.as_mut(), s.as_mut(), b"hello from the client")?;
    echo(s.as_mut(), c.as_mut(), b"hello from the server")?;
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
