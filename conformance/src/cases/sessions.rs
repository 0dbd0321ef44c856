//! Shared cases on sessions: resumption, session_stats and SSLSession's attributes.

use ssl_api::constants::*;
use ssl_api::{Backend, Context, Object, Session};

use super::{client_ctx, e2s, server_ctx, CaseResult, Outcome};
use crate::harness::{drive_handshake, send_and_receive, wrap_pair};
use crate::pki::Pki;

/// A client Object offering `session` to resume, and a server Object.
fn resume_pair<B: Backend>(
    client: &B::Context,
    server: &B::Context,
    session: B::Session,
) -> Result<(B::Object, B::Object), String> {
    let options = ssl_api::WrapOptions {
        server_side: false,
        server_hostname: Some("localhost".into()),
        session: Some(session),
    };
    let c = client
        .wrap_bio(
            ssl_api::MemoryBio::new(),
            ssl_api::MemoryBio::new(),
            options,
        )
        .map_err(e2s)?;
    let s = server
        .wrap_bio(
            ssl_api::MemoryBio::new(),
            ssl_api::MemoryBio::new(),
            ssl_api::WrapOptions::server(),
        )
        .map_err(e2s)?;
    Ok((c, s))
}

/// S14/N1: a saved session resumes on a second connection (`session_reused`).
pub fn session_resumption<B: Backend>(pki: &Pki) -> CaseResult {
    for max in [TlsVersion::TLSv1_3, TlsVersion::TLSv1_2] {
        let client = client_ctx::<B>(pki)?;
        client.set_maximum_version(max).map_err(e2s)?;
        let server = server_ctx::<B>(pki)?;
        let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
        drive_handshake(&mut c, &mut s).into_result()?;
        // TLS 1.3 tickets arrive after the handshake, with the first data.
        send_and_receive(&mut s, &mut c, b"hello").map_err(e2s)?;
        ensure!(!c.session_reused(), "{max:?}: first connection reused");
        if c.session().is_none() {
            if let Some(reason) = B::capabilities().unsupported_reason("S14") {
                return Ok(Outcome::NotSupported(reason.into()));
            }
        }
        let session = c
            .session()
            .ok_or(format!("{max:?}: no session after handshake"))?;
        let (mut c2, mut s2) = resume_pair::<B>(&client, &server, session)?;
        drive_handshake(&mut c2, &mut s2).into_result()?;
        ensure!(c2.session_reused(), "{max:?}: client did not resume");
        ensure!(s2.session_reused(), "{max:?}: server did not resume");
    }
    Ok(Outcome::Pass)
}

/// X21/N1: session_stats counts handshakes and resumptions; SSLSession's
/// attributes after a TLS 1.3 ticket.
pub fn session_stats_and_attributes<B: Backend>(pki: &Pki) -> CaseResult {
    let client = client_ctx::<B>(pki)?;
    let server = server_ctx::<B>(pki)?;
    let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
    drive_handshake(&mut c, &mut s).into_result()?;
    send_and_receive(&mut s, &mut c, b"ticket please").map_err(e2s)?;
    let cs = client.session_stats().map_err(e2s)?;
    let ss = server.session_stats().map_err(e2s)?;
    ensure!(
        cs.connect == 1 && cs.connect_good == 1 && cs.accept == 0,
        "client stats {cs:?}"
    );
    ensure!(
        ss.accept == 1 && ss.accept_good == 1 && ss.connect == 0 && ss.hits == 0,
        "server stats {ss:?}"
    );
    if c.session().is_none() {
        if let Some(reason) = B::capabilities().unsupported_reason("S14") {
            return Ok(Outcome::NotSupported(reason.into()));
        }
    }
    let session = c.session().ok_or("no session")?;
    ensure!(session.has_ticket(), "TLS 1.3 session without ticket");
    ensure!(!session.id().is_empty(), "empty session id");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    ensure!(
        (session.time() - now).abs() < 600,
        "session time {}",
        session.time()
    );
    ensure!(c.session() == Some(session.clone()), "equality by id");
    let (mut c2, mut s2) = resume_pair::<B>(&client, &server, session)?;
    drive_handshake(&mut c2, &mut s2).into_result()?;
    ensure!(s2.session_reused(), "not resumed");
    let ss = server.session_stats().map_err(e2s)?;
    ensure!(
        ss.accept == 2 && ss.accept_good == 2 && ss.hits == 1,
        "server stats after resumption {ss:?}"
    );
    if B::capabilities().unsupported_reason("N1").is_none() {
        let s = c2.session().ok_or("no session")?;
        ensure!(
            s.timeout() > 0 && s.ticket_lifetime_hint() > 0,
            "timeout / ticket_lifetime_hint are 0"
        );
    }
    Ok(Outcome::Pass)
}

/// X23+ `num_tickets`: 2 by default on a server, a ValueError on a client
/// context; with 0 a TLS 1.3 client gets no ticket to resume with, with 1 it
/// gets one.
pub fn num_tickets<B: Backend>(pki: &Pki) -> CaseResult {
    let client = client_ctx::<B>(pki)?;
    match client.set_num_tickets(1) {
        Err(ssl_api::Error::Value(m)) => {
            ensure!(m == "SSLContext is not a server context.", "client: {m:?}")
        }
        other => {
            return Err(format!(
                "client context: expected ValueError, got {other:?}"
            ))
        }
    }
    for n in [0usize, 1] {
        let server = server_ctx::<B>(pki)?;
        ensure!(
            server.num_tickets() == 2,
            "default {}",
            server.num_tickets()
        );
        match server.set_num_tickets(n) {
            Ok(()) => {}
            Err(e @ ssl_api::Error::NotImplemented { .. }) => {
                return Ok(Outcome::NotSupported(e.to_string()))
            }
            Err(e) => return Err(e2s(e)),
        }
        ensure!(
            server.num_tickets() == n,
            "set {n}, read {}",
            server.num_tickets()
        );
        let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
        drive_handshake(&mut c, &mut s).into_result()?;
        send_and_receive(&mut s, &mut c, b"tickets?").map_err(e2s)?;
        let ticket = c.session().is_some_and(|s| s.has_ticket());
        if n == 0 {
            ensure!(!ticket, "a ticket with num_tickets = 0");
        } else if !ticket {
            if let Some(reason) = B::capabilities().unsupported_reason("S14") {
                return Ok(Outcome::NotSupported(reason.into()));
            }
            return Err(format!("no ticket with num_tickets = {n}"));
        }
    }
    Ok(Outcome::Pass)
}

/// S14: one TLS 1.2 session resumes any number of connections, each closed
/// without a TLS shutdown (CPython's test_session resumes one session three
/// times; OpenSSL marks a session not resumable when a connection holding it
/// is freed unshut, so the caller's session must not be the one it holds).
/// TLS 1.2 only: a TLS 1.3 ticket may be single-use (rustls's server takes
/// each one out of its store, as RFC 8446 section 8.1 recommends).
pub fn one_session_resumes_many<B: Backend>(pki: &Pki) -> CaseResult {
    for max in [TlsVersion::TLSv1_2] {
        let client = client_ctx::<B>(pki)?;
        client.set_maximum_version(max).map_err(e2s)?;
        let server = server_ctx::<B>(pki)?;
        let (mut c, mut s) = wrap_pair::<B, B>(&client, &server, Some("localhost")).map_err(e2s)?;
        drive_handshake(&mut c, &mut s).into_result()?;
        send_and_receive(&mut s, &mut c, b"ticket").map_err(e2s)?;
        let Some(session) = c.session() else {
            if let Some(reason) = B::capabilities().unsupported_reason("S14") {
                return Ok(Outcome::NotSupported(reason.into()));
            }
            return Err(format!("{max:?}: no session"));
        };
        drop((c, s));
        for round in 1..=3 {
            let (mut c2, mut s2) = resume_pair::<B>(&client, &server, session.clone())?;
            drive_handshake(&mut c2, &mut s2).into_result()?;
            send_and_receive(&mut s2, &mut c2, b"again").map_err(e2s)?;
            ensure!(c2.session_reused(), "{max:?}: round {round} did not resume");
            // Dropped without unwrap(): no close_notify.
        }
    }
    Ok(Outcome::Pass)
}
