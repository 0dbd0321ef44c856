//! Driving two Objects against each other over MemoryBIO pairs, for any pair
//! of backends (the client and server may come from different libraries).

use ssl_api::bio::{Bio, MemoryBio};
use ssl_api::{Backend, Context, Error, Object, Result, WrapOptions};

/// Moves every byte pending in `from` into `to`; returns how many moved.
pub fn transfer(from: &MemoryBio, to: &MemoryBio) -> usize {
    let bytes = from.read(None);
    if bytes.is_empty() {
        return 0;
    }
    // The receiving BIO only refuses after write_eof, which cases do on purpose
    // to simulate a dead transport: the bytes are then dropped, like a closed socket.
    to.write(&bytes).unwrap_or(0)
}

/// The result of both sides of one handshake.
#[derive(Debug)]
pub struct HandshakeOutcome {
    /// The client's final `do_handshake()` result.
    pub client: Result<()>,
    /// The server's final `do_handshake()` result.
    pub server: Result<()>,
}

impl HandshakeOutcome {
    /// Both sides succeeded.
    pub fn ok(&self) -> bool {
        self.client.is_ok() && self.server.is_ok()
    }

    /// Both succeeded, or the first error with the side it happened on.
    pub fn into_result(self) -> std::result::Result<(), String> {
        match (self.client, self.server) {
            (Ok(()), Ok(())) => Ok(()),
            (Err(e), _) => Err(format!("client: {} ({})", e, e.python_type())),
            (_, Err(e)) => Err(format!("server: {} ({})", e, e.python_type())),
        }
    }
}

fn settled(r: &Result<()>) -> bool {
    !matches!(r, Err(e) if e.is_want())
}

/// Runs both handshakes, moving bytes between the BIOs, until both sides are
/// done or failed, or nothing moves any more (bounded: 200 rounds).
pub fn drive_handshake<C: Object, S: Object>(client: &mut C, server: &mut S) -> HandshakeOutcome {
    let mut c_res: Result<()> = Err(Error::want_read());
    let mut s_res: Result<()> = Err(Error::want_read());
    for _ in 0..200 {
        if !settled(&c_res) {
            c_res = client.do_handshake();
        }
        let moved_c = transfer(
            client.outgoing().expect("made by wrap_bio"),
            server.incoming().expect("made by wrap_bio"),
        );
        if !settled(&s_res) {
            s_res = server.do_handshake();
        }
        let moved_s = transfer(
            server.outgoing().expect("made by wrap_bio"),
            client.incoming().expect("made by wrap_bio"),
        );
        if settled(&c_res) && settled(&s_res) {
            break;
        }
        if moved_c == 0
            && moved_s == 0
            && client.incoming().expect("made by wrap_bio").pending() == 0
            && server.incoming().expect("made by wrap_bio").pending() == 0
        {
            // Nothing in flight: a side that still wants to read never will.
            if !settled(&c_res) || !settled(&s_res) {
                // One more round lets a side that just received an alert see it.
                if !settled(&c_res) {
                    c_res = client.do_handshake();
                }
                if !settled(&s_res) {
                    s_res = server.do_handshake();
                }
                break;
            }
        }
    }
    HandshakeOutcome {
        client: c_res,
        server: s_res,
    }
}

/// Wraps a client Object of `CB` and a server Object of `SB` on fresh BIO pairs.
pub fn wrap_pair<CB: Backend, SB: Backend>(
    client_ctx: &CB::Context,
    server_ctx: &SB::Context,
    server_hostname: Option<&str>,
) -> Result<(CB::Object, SB::Object)> {
    let client = client_ctx.wrap_bio(
        MemoryBio::new(),
        MemoryBio::new(),
        WrapOptions {
            server_side: false,
            server_hostname: server_hostname.map(str::to_owned),
            session: None,
        },
    )?;
    let server = server_ctx.wrap_bio(MemoryBio::new(), MemoryBio::new(), WrapOptions::server())?;
    Ok((client, server))
}

/// Writes `data` on `from` and reads it all back on `to`, pumping the BIOs.
pub fn send_and_receive<A: Object, B: Object>(
    from: &mut A,
    to: &mut B,
    data: &[u8],
) -> Result<Vec<u8>> {
    let mut written = 0;
    let mut received = Vec::with_capacity(data.len());
    let mut buf = vec![0u8; 16384];
    for _ in 0..(data.len() / 1024 + 100) {
        if written < data.len() {
            let end = (written + 16384).min(data.len());
            written += from.write(&data[written..end])?;
        }
        transfer(
            from.outgoing().expect("made by wrap_bio"),
            to.incoming().expect("made by wrap_bio"),
        );
        loop {
            match to.read(&mut buf) {
                Ok(n) => received.extend_from_slice(&buf[..n]),
                Err(e) if e.is_want() => break,
                Err(e) => return Err(e),
            }
            if received.len() == data.len() {
                break;
            }
        }
        // Replies the reader produced (e.g. key updates) go back.
        transfer(
            to.outgoing().expect("made by wrap_bio"),
            from.incoming().expect("made by wrap_bio"),
        );
        if received.len() == data.len() && written == data.len() {
            return Ok(received);
        }
    }
    Err(Error::value(format!(
        "only {} of {} bytes arrived",
        received.len(),
        data.len()
    )))
}
