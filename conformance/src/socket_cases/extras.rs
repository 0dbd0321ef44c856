//! The rest of `SSLSocket`'s surface: `makefile()`, `sendfile()`, what the
//! Object knows (attributes, session reuse), and handshake flights that
//! leave whole.

use std::io::{BufRead, Read, Seek, Write};
use std::thread;

use ssl_api::constants::*;
use ssl_api::{Backend, Context, Error, SocketOptions};

use super::{common_name_is, connect_client, e2s, joined, recv_exact, serve_one};
use crate::carriers::Carrier;
use crate::cases::{client_ctx, server_ctx, CaseResult, Outcome};
use crate::net::{accept_plain, connect_plain, listener, pattern, IO_TIMEOUT};
use crate::pki::Pki;

crate::over_carriers!(
    /// S1: `makefile()`: line reading and buffered writing, both ways.
    makefile_lines => socket_makefile_lines, borrowed_makefile_lines, stream_makefile_lines
);

fn makefile_lines<B: Backend, C: Carrier>(pki: &Pki) -> CaseResult {
    let (l, port) = listener(false)?;
    let server = server_ctx::<B>(pki)?;
    let client = client_ctx::<B>(pki)?;
    thread::scope(|scope| {
        let srv = scope.spawn(|| {
            serve_one::<B, C, _>(&l, &server, |mut c| {
                // Lines split across writes and several lines in one write.
                c.sendall(b"first li", 0).map_err(e2s)?;
                c.sendall(b"ne\nsecond line\nthird", 0).map_err(e2s)?;
                c.sendall(b" line\n", 0).map_err(e2s)?;
                let mut f = c.makefile();
                let mut got = Vec::new();
                for _ in 0..2 {
                    got.push(f.readline().map_err(e2s)?);
                }
                ensure!(
                    got == [b"alpha\n".to_vec(), b"beta\n".to_vec()],
                    "server lines {got:?}"
                );
                f.write_all(b"bye\n").map_err(|e| e.to_string())?;
                f.flush().map_err(|e| e.to_string())?;
                Ok(())
            })
        });
        let mut s = connect_client::<B, C>(&client, port)?;
        let mut f = s.makefile();
        let mut lines = Vec::new();
        for _ in 0..3 {
            let mut line = String::new();
            f.read_line(&mut line).map_err(|e| e.to_string())?;
            lines.push(line);
        }
        ensure!(
            lines == ["first line\n", "second line\n", "third line\n"],
            "client lines {lines:?}"
        );
        f.write_all(b"alpha\nbe").map_err(|e| e.to_string())?;
        f.write_all(b"ta\n").map_err(|e| e.to_string())?;
        // Reading flushes what was written first.
        ensure!(f.readline().map_err(e2s)? == b"bye\n", "bye");
        drop(f);
        joined(srv)?;
        Ok(Outcome::Pass)
    })
}

crate::over_carriers!(
    /// S1: `sendfile()` of a file larger than one TLS record, from an offset,
    /// whole and with a count; the file is left after the last byte sent.
    sendfile => socket_sendfile, borrowed_sendfile, stream_sendfile
);

fn sendfile<B: Backend, C: Carrier>(pki: &Pki) -> CaseResult {
    const LEN: usize = 100 * 1024 + 17;
    let data = pattern(LEN);
    let path = pki.dir().join("sendfile.bin");
    std::fs::write(&path, &data).map_err(|e| e.to_string())?;
    let (l, port) = listener(false)?;
    let server = server_ctx::<B>(pki)?;
    let client = client_ctx::<B>(pki)?;
    let expect_len = (LEN - 10) + 20_000;
    thread::scope(|scope| {
        let srv = scope.spawn(|| {
            serve_one::<B, C, _>(&l, &server, |mut c| {
                let mut got = Vec::new();
                let mut buf = vec![0u8; 32 * 1024];
                while got.len() < expect_len {
                    let n = c.recv_into(&mut buf, None, 0).map_err(e2s)?;
                    ensure!(n > 0, "EOF after {}", got.len());
                    got.extend_from_slice(&buf[..n]);
                }
                Ok(got)
            })
        });
        let mut s = connect_client::<B, C>(&client, port)?;
        let mut file = std::fs::File::open(&path).map_err(|e| e.to_string())?;
        match s.sendfile(&mut file, 0, Some(0)) {
            Err(Error::Value(m)) => ensure!(m == "count must be a positive integer (got 0)", "{m}"),
            other => return Err(format!("count=0: {other:?}")),
        }
        let n = s.sendfile_file(&mut file, 10, None).map_err(e2s)?;
        ensure!(n == (LEN - 10) as u64, "sent {n}");
        let pos = file.stream_position().map_err(|e| e.to_string())?;
        ensure!(pos == LEN as u64, "file position {pos}");
        let n = s.sendfile(&mut file, 5, Some(20_000)).map_err(e2s)?;
        ensure!(n == 20_000, "sent {n} with count");
        ensure!(
            file.stream_position().map_err(|e| e.to_string())? == 20_005,
            "position after count"
        );
        let got = joined(srv)?;
        ensure!(got[..LEN - 10] == data[10..], "whole-file bytes differ");
        ensure!(got[LEN - 10..] == data[5..20_005], "counted bytes differ");
        Ok(Outcome::Pass)
    })
}

crate::over_carriers!(
    /// S4/S5/S9/S11/S12/S13/S14: what the Object knows, through the socket:
    /// peer certificates both ways, cipher, version, ALPN, context, and a session
    /// resumed by a second socket.
    attributes_and_session_reuse => socket_attributes_and_session_reuse, borrowed_attributes_and_session_reuse, stream_attributes_and_session_reuse
);

fn attributes_and_session_reuse<B: Backend, C: Carrier>(pki: &Pki) -> CaseResult {
    // The case needs a client-certificate request on the server and sessions.
    for id in ["X4", "S14"] {
        if let Some(reason) = B::capabilities().unsupported_reason(id) {
            return Ok(Outcome::NotSupported(format!("{id}: {reason}")));
        }
    }
    let (l, port) = listener(false)?;
    let server = server_ctx::<B>(pki)?;
    server
        .load_verify_locations(Some(&pki.ca), None, None)
        .map_err(e2s)?;
    server.set_verify_mode(CERT_REQUIRED).map_err(e2s)?;
    let client = client_ctx::<B>(pki)?;
    client
        .load_cert_chain(&pki.client.cert, Some(&pki.client.key), None)
        .map_err(e2s)?;
    let caps = B::capabilities();
    if caps.has_alpn {
        server
            .set_alpn_protocols(&["h2", "http/1.1"])
            .map_err(e2s)?;
        client
            .set_alpn_protocols(&["http/1.1", "h2"])
            .map_err(e2s)?;
    }
    thread::scope(|scope| {
        let srv = scope.spawn(|| -> Result<Vec<(Option<String>, bool, bool)>, String> {
            let mut seen = Vec::new();
            for _ in 0..2 {
                seen.push(serve_one::<B, C, _>(&l, &server, |mut c| {
                    let peer = c.getpeercert().map_err(e2s)?.ok_or("no client cert")?;
                    ensure!(
                        common_name_is(&peer, "client"),
                        "client cert {:?}",
                        peer.subject()
                    );
                    ensure!(
                        c.server_side() && c.server_hostname().is_none(),
                        "server attrs"
                    );
                    c.sendall(b"hi", 0).map_err(e2s)?;
                    let _ = c.recv(1, 0);
                    Ok((
                        c.selected_alpn_protocol(),
                        c.session_reused(),
                        c.shared_ciphers().is_some(),
                    ))
                })?);
            }
            Ok(seen)
        });
        let mut s = connect_client::<B, C>(&client, port)?;
        ensure!(
            !s.server_side() && s.server_hostname() == Some("localhost"),
            "client attrs"
        );
        ensure!(s.context().protocol() == PROTOCOL_TLS_CLIENT, "context()");
        ensure!(recv_exact(&mut s, 2)? == b"hi", "hi");
        let version = s.version().ok_or("no version")?;
        let cipher = s.cipher().ok_or("no cipher")?;
        ensure!(
            cipher.protocol == version || version == "TLSv1.3",
            "cipher {cipher:?} vs {version}"
        );
        ensure!(cipher.bits >= 128, "cipher bits {}", cipher.bits);
        let der = s.getpeercert_der().map_err(e2s)?.ok_or("no DER")?;
        ensure!(der == pki.server.der, "peer DER differs");
        if caps.has_alpn {
            ensure!(
                s.selected_alpn_protocol().as_deref() == Some("h2"),
                "ALPN {:?}",
                s.selected_alpn_protocol()
            );
        }
        ensure!(s.compression().is_none(), "compression");
        ensure!(!s.session_reused(), "first connection reused");
        let session = s.session().ok_or("no session")?;
        s.sendall(b".", 0).map_err(e2s)?;
        drop(s);
        let mut s2 = C::wrap::<B>(
            &client,
            connect_plain(false, port)?,
            SocketOptions::client("localhost").session(session),
        )
        .map_err(e2s)?;
        ensure!(recv_exact(&mut s2, 2)? == b"hi", "hi again");
        ensure!(s2.session_reused(), "the session was not reused");
        s2.sendall(b".", 0).map_err(e2s)?;
        drop(s2);
        let seen = joined(srv)?;
        ensure!(seen[1].1, "server did not see a resumption");
        ensure!(seen[0].2, "server shared_ciphers() is None");
        if caps.has_alpn {
            ensure!(
                seen[0].0.as_deref() == Some("h2"),
                "server ALPN {:?}",
                seen[0].0
            );
        }
        Ok(Outcome::Pass)
    })
}

/// The peer's side of [`socket_handshake_flights_leave_whole`] (and its twins): an Object of
/// the same backend over MemoryBIOs on a plain socket, which sends each of
/// its flights in one write and checks that each flight it receives came in
/// one piece: the first bytes that arrive after its own flight are enough
/// for it to reply (or to finish).
struct FlightPeer<O> {
    sock: ssl_api::socket2::Socket,
    obj: O,
    incoming: ssl_api::MemoryBio,
    outgoing: ssl_api::MemoryBio,
}

impl<O: ssl_api::Object> FlightPeer<O> {
    fn send_flight(&mut self) -> Result<(), String> {
        let flight = ssl_api::Bio::read(&self.outgoing, None);
        (&self.sock)
            .write_all(&flight)
            .map_err(|e| format!("peer: send: {e}"))
    }

    /// Reads one piece from the socket into the Object; its byte count.
    fn receive_piece(&mut self) -> Result<usize, String> {
        let mut buf = vec![0u8; 64 << 10];
        let n = (&self.sock)
            .read(&mut buf)
            .map_err(|e| format!("peer: recv: {e}"))?;
        ensure!(n > 0, "peer: EOF during the handshake");
        ssl_api::Bio::write(&self.incoming, &buf[..n]).map_err(e2s)?;
        Ok(n)
    }

    /// Steps the handshake: `Ok(true)` when done, `Ok(false)` when it waits
    /// for the peer.
    fn step(&mut self) -> Result<bool, String> {
        match self.obj.do_handshake() {
            Ok(()) => Ok(true),
            Err(e) if e.is_want() => Ok(false),
            Err(e) => Err(format!("peer: handshake: {}", e2s(e))),
        }
    }

    /// After the handshake: reads until the other side closes (a reset when
    /// it leaves our tickets unread), so that nothing it sends meets a
    /// closed socket.
    fn drain(&mut self) -> Result<(), String> {
        let mut buf = [0u8; 4096];
        loop {
            match (&self.sock).read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Ok(()),
                Err(e) => return Err(format!("peer: drain: {e}")),
            }
        }
    }

    /// The other side's flight, which must come in one piece, and our reply.
    fn answer_flight(&mut self, whose: &str) -> Result<bool, String> {
        let n = self.receive_piece()?;
        let done = self.step()?;
        ensure!(
            done || ssl_api::Bio::pending(&self.outgoing) > 0,
            "the {whose}'s handshake flight came in pieces: its first {n} bytes were not all of it"
        );
        self.send_flight()?;
        Ok(done)
    }
}

crate::over_carriers!(
    /// S1, S3: `SSLSocket` sends each handshake flight in one piece, client and
    /// server, as the library does on its own socket. Flights sent record by
    /// record can wait on Nagle's algorithm for the peer's delayed ACK (~40 ms
    /// a handshake, seen with rustls's server flight and its client's CCS and
    /// Finished). The peer sends its own flights whole, so that a socket that
    /// replied before reading all of the flight it has is caught too. TCP may
    /// merge pieces sent close together, so a fault shows often, not always;
    /// flights sent whole always pass.
    handshake_flights_leave_whole => socket_handshake_flights_leave_whole, borrowed_handshake_flights_leave_whole, stream_handshake_flights_leave_whole
);

fn handshake_flights_leave_whole<B: Backend, C: Carrier>(pki: &Pki) -> CaseResult {
    let client = client_ctx::<B>(pki)?;
    let server = server_ctx::<B>(pki)?;
    let peer_of = |sock: ssl_api::socket2::Socket,
                   ctx: &B::Context,
                   options: ssl_api::WrapOptions<B>|
     -> Result<FlightPeer<B::Object>, String> {
        sock.set_read_timeout(Some(IO_TIMEOUT))
            .and_then(|()| sock.set_write_timeout(Some(IO_TIMEOUT)))
            .map_err(|e| e.to_string())?;
        let (incoming, outgoing) = (ssl_api::MemoryBio::new(), ssl_api::MemoryBio::new());
        let obj = ctx
            .wrap_bio(incoming.clone(), outgoing.clone(), options)
            .map_err(e2s)?;
        Ok(FlightPeer {
            sock,
            obj,
            incoming,
            outgoing,
        })
    };

    // Our client against a peer server.
    let (l, port) = listener(false)?;
    thread::scope(|scope| {
        let peer = scope.spawn(|| -> Result<(), String> {
            let mut p = peer_of(accept_plain(&l)?, &server, ssl_api::WrapOptions::server())?;
            // The ClientHello, however it arrives: not what this case judges.
            while !p.step()? && ssl_api::Bio::pending(&p.outgoing) == 0 {
                p.receive_piece()?;
            }
            p.send_flight()?;
            while !p.answer_flight("client")? {}
            p.drain()
        });
        let c = C::wrap::<B>(
            &client,
            connect_plain(false, port)?,
            SocketOptions::client("localhost"),
        )
        .map_err(|e| format!("client handshake: {}", e2s(e)));
        drop(c);
        joined(peer)
    })?;

    // Our server against a peer client.
    let (l, port) = listener(false)?;
    thread::scope(|scope| {
        let peer = scope.spawn(|| -> Result<(), String> {
            let mut p = peer_of(
                connect_plain(false, port)?,
                &client,
                ssl_api::WrapOptions::client("localhost"),
            )?;
            ensure!(
                !p.step()?,
                "peer: a client handshake done before the server spoke"
            );
            p.send_flight()?;
            while !p.answer_flight("server")? {}
            p.drain()
        });
        let s = C::wrap::<B>(&server, accept_plain(&l)?, SocketOptions::server())
            .map_err(|e| format!("server handshake: {}", e2s(e)));
        drop(s);
        joined(peer)
    })?;
    Ok(Outcome::Pass)
}
