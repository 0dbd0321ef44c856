//! The transport seam (DESIGN §3): what a TLS Object reads its peer's records
//! from and writes its own records to.
//!
//! OpenSSL's own shape is the model: an `SSL` talks to a BIO, and a BIO is
//! memory, a socket or anything else. Here every backend's Object does its
//! record I/O through one trait, [`Transport`]:
//!
//! - [`MemoryTransport`]: two [`MemoryBio`]s, Python's `SSLObject`
//!   (`wrap_bio`); memory only.
//! - [`Link`]: a byte stream ([`Endpoint`]: an owned socket, a borrowed
//!   descriptor ([`BorrowedSocket`], Unix), any `Read + Write` stream
//!   ([`IoStream`])) with record-exact reads, an output queue and the waiting
//!   rules of the current call; [`crate::stream::SslStream`] drives it and gives
//!   Python's `SSLSocket` semantics over it.
//!
//! Each direction has one route: the library's reads come from the transport
//! into the library's own buffer, its writes go from its own buffer to the
//! transport (a [`Link`] queues what the endpoint cannot take yet).

use std::io;
use std::sync::Arc;

use crate::bio::{Bio, MemoryBio};

pub(crate) mod endpoint;
pub(crate) mod link;
mod socket;
pub mod tap;

#[cfg(unix)]
pub use endpoint::BorrowedSocket;
pub use endpoint::{Endpoint, IoStream, Wait};
pub use link::{Direction, Link};
pub use tap::tapped;

/// What every backend's Object reads its peer's TLS records from and writes
/// its own to (the seam). Shared between the Object and its driver, hence
/// `&self` and `Send + Sync`.
///
/// A transport never fails the library for a reason the library cannot
/// recover from on its own: an error met on the way (a reset, a timeout)
/// is kept by the transport for its driver to raise, and the library sees
/// `WouldBlock` (a timeout must leave the connection usable, as in Python).
pub trait Transport: Send + Sync {
    /// Reads up to `buf.len()` bytes of the peer's records: `Ok(n)` with
    /// `n > 0`, `Ok(0)` at the end of the stream, `WouldBlock` when none can
    /// be had now. Never past the current record, where the transport has a
    /// stream behind it (what follows a close_notify stays there).
    fn recv(&self, buf: &mut [u8]) -> io::Result<usize>;

    /// Takes every byte of `bufs`, in order, and returns their total length;
    /// what cannot leave now is queued. An error only when the transport can
    /// take nothing more (a MemoryBIO after `write_eof()`).
    fn send(&self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize>;

    /// The incoming stream has ended and nothing of it is left to read.
    fn at_eof(&self) -> bool;

    /// Lends the incoming bytes already buffered here to `take` in place (a
    /// library fed in one go instead of one call per small read); `take`
    /// gets them and whether the stream has ended, and returns how many it
    /// used. `false` when the transport keeps no such buffer (then read
    /// with [`Transport::recv`]).
    fn recv_buffered(&self, take: &mut dyn FnMut(&[u8], bool) -> usize) -> bool {
        let _ = take;
        false
    }

    /// The incoming and outgoing MemoryBIOs, for a transport that is a pair of them.
    fn memory_bios(&self) -> Option<(&MemoryBio, &MemoryBio)> {
        None
    }
}

/// A transport as the Object and its driver share it.
pub type SharedTransport = Arc<dyn Transport>;

/// `io::Read` + `io::Write` over a [`Transport`], as TLS libraries want them:
/// reads report `WouldBlock` when nothing is there, several buffers written
/// together (rustls's queued records) reach the transport in one call, so a
/// handshake flight leaves whole.
#[derive(Clone)]
pub struct TransportIo(SharedTransport);

impl TransportIo {
    /// The view over `transport`.
    pub fn new(transport: SharedTransport) -> Self {
        TransportIo(transport)
    }

    /// The transport.
    pub fn transport(&self) -> &SharedTransport {
        &self.0
    }
}

impl std::fmt::Debug for TransportIo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TransportIo")
    }
}

impl io::Read for TransportIo {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        self.0.recv(out)
    }
}

impl io::Write for TransportIo {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.send(&[io::IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        self.0.send(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Python's `SSLObject` transport: the incoming and the outgoing
/// [`MemoryBio`] (O2) that the user moves bytes through (X20 `wrap_bio`).
#[derive(Clone, Debug)]
pub struct MemoryTransport {
    incoming: MemoryBio,
    outgoing: MemoryBio,
}

impl MemoryTransport {
    /// The transport over two BIOs (shared handles: the user keeps clones).
    pub fn new(incoming: MemoryBio, outgoing: MemoryBio) -> Self {
        MemoryTransport { incoming, outgoing }
    }
}

impl Transport for MemoryTransport {
    fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.incoming.read_into(buf);
        if n == 0 && !buf.is_empty() && !self.incoming.eof_written() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(n)
    }

    fn send(&self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        self.outgoing
            .write_slices(bufs)
            .map_err(|e| io::Error::new(io::ErrorKind::BrokenPipe, e))
    }

    fn at_eof(&self) -> bool {
        Bio::eof(&self.incoming)
    }

    fn recv_buffered(&self, take: &mut dyn FnMut(&[u8], bool) -> usize) -> bool {
        self.incoming
            .consume_with(|data, eof_written| (take(data, eof_written), ()));
        true
    }

    fn memory_bios(&self) -> Option<(&MemoryBio, &MemoryBio)> {
        Some((&self.incoming, &self.outgoing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn memory_transport_reads_would_block_then_eof() {
        let (i, o) = (MemoryBio::new(), MemoryBio::new());
        let t: SharedTransport = Arc::new(MemoryTransport::new(i.clone(), o.clone()));
        let mut io = TransportIo::new(t.clone());
        let mut buf = [0u8; 4];
        assert_eq!(
            io.read(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        i.write(b"123456").unwrap();
        assert_eq!(io.read(&mut buf).unwrap(), 4);
        assert!(!t.at_eof());
        i.write_eof();
        assert_eq!(io.read(&mut buf).unwrap(), 2);
        assert_eq!(io.read(&mut buf).unwrap(), 0);
        assert!(t.at_eof());
        let bufs = [io::IoSlice::new(b"ab"), io::IoSlice::new(b"cd")];
        assert_eq!(io.write_vectored(&bufs).unwrap(), 4);
        assert_eq!(o.read(None), b"abcd");
        o.write_eof();
        assert!(io.write(b"x").is_err());
        let (bi, bo) = t.memory_bios().unwrap();
        assert!(bi.same_as(&i) && bo.same_as(&o));
    }

    #[test]
    fn memory_transport_lends_buffered_bytes() {
        let i = MemoryBio::new();
        let t = MemoryTransport::new(i.clone(), MemoryBio::new());
        i.write(b"hello").unwrap();
        let mut seen = Vec::new();
        assert!(t.recv_buffered(&mut |data, eof| {
            assert!(!eof);
            seen.extend_from_slice(data);
            2
        }));
        assert_eq!(seen, b"hello");
        assert_eq!(i.read(None), b"llo");
    }
}
