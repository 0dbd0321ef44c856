//! [`Link`]: a TLS Object's transport over a byte stream ([`Endpoint`]):
//! record-exact reads, an output queue, and the waiting rules of the call in
//! progress. Written once for every endpoint and every backend.
//!
//! The path of a record:
//! - **in**: the library asks [`Transport::recv`]; the Link asks the endpoint
//!   for no more than the rest of the current record's header or body (the
//!   way OpenSSL reads without read-ahead), straight into the library's own
//!   buffer. Nothing past the peer's close_notify is ever taken from the
//!   stream, so plain text that follows an `unwrap()` (STARTTLS) stays there.
//!   A header reaches the library as soon as it arrives: a record too large
//!   to be real fails at once, with the library's own reason.
//! - **out**: the library's [`Transport::send`] goes to the endpoint at once
//!   (without waiting) unless output is queued or held; what the endpoint
//!   does not take is queued, and the driver sends it ([`Link::flush`]).
//!   During the handshake the driver holds output back, so each flight leaves
//!   in one piece (records sent one by one can wait on Nagle's algorithm for
//!   the peer's delayed ACK).
//!
//! Waiting: the driver sets the call's [`Wait`] before each call; the Link
//! waits inside the library's read as that says (a blocking read waits in
//! the kernel, as a library reading its own socket does). Before it waits
//! for the peer, output of ours goes out, after a look (without waiting) at
//! whether the peer's next record is already here: the library then answers
//! a whole flight at once. An error met on the way (reset, timeout) is kept
//! for the driver and the library sees `WouldBlock`, so the connection stays
//! usable after a timeout, as in Python.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::endpoint::{Endpoint, Wait};
use super::Transport;
use crate::bio::Queue;

/// The largest record body read together with its header for a library
/// that reads in small pieces: TLS 1.3's limit (2^14 + 256, RFC 8446 §5.2),
/// which bulk records of every cipher stay within. A header announcing more
/// reaches the library alone, at once, for it to judge (OpenSSL and rustls
/// refuse 2^14 + 2048 and more in a handshake record), with no wait for a
/// body that may never come; a real larger record still arrives, in a
/// second read.
const WHOLE_RECORD_MAX: usize = (1 << 14) + 256;

/// Which way an error was met.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Receiving the peer's bytes.
    In,
    /// Sending ours.
    Out,
}

/// Where the reader is in the TLS record stream: it asks for no more than
/// the rest of the current header or body.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct RecordFramer {
    header: [u8; 5],
    have: usize,
    body_left: usize,
}

impl RecordFramer {
    /// Bytes to request next: the rest of the header, or of the body.
    pub(crate) fn want(&self) -> usize {
        if self.body_left > 0 {
            self.body_left
        } else {
            5 - self.have
        }
    }

    /// Accounts for `bytes` (at most [`Self::want`] of them) having arrived.
    pub(crate) fn consumed(&mut self, bytes: &[u8]) {
        if self.body_left > 0 {
            self.body_left -= bytes.len().min(self.body_left);
            return;
        }
        let n = bytes.len().min(5 - self.have);
        self.header[self.have..self.have + n].copy_from_slice(&bytes[..n]);
        self.have += n;
        if self.have == 5 {
            self.body_left = usize::from(u16::from_be_bytes([self.header[3], self.header[4]]));
            self.have = 0;
        }
    }
}

/// Whether `bytes` are whole ChangeCipherSpec records (content type 20) and
/// nothing else.
fn only_change_cipher_spec(mut bytes: &[u8]) -> bool {
    while !bytes.is_empty() {
        if bytes.len() < 5 || bytes[0] != 20 {
            return false;
        }
        let len = 5 + usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
        if bytes.len() < len {
            return false;
        }
        bytes = &bytes[len..];
    }
    true
}

struct LinkState {
    framer: RecordFramer,
    /// Whole records read ahead of a library that reads in small pieces
    /// ([`Transport::recv_buffered`]).
    inbuf: Queue,
    out: Queue,
    hold: bool,
    wait: Wait,
    eof: bool,
    error: Option<(Direction, io::Error)>,
    received: u64,
}

/// A TLS Object's [`Transport`] over an [`Endpoint`]; see the module docs.
/// [`crate::stream::SslStream`] is its driver.
pub struct Link<E> {
    endpoint: E,
    state: Mutex<LinkState>,
    /// Mirrors `state.eof` for [`Transport::at_eof`] without a lock.
    eof: AtomicBool,
}

impl<E> std::fmt::Debug for Link<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.lock();
        f.debug_struct("Link")
            .field("queued", &st.out.len())
            .field("hold", &st.hold)
            .field("wait", &st.wait)
            .field("eof", &st.eof)
            .finish_non_exhaustive()
    }
}

impl<E> Link<E> {
    /// A Link over `endpoint`, blocking until told otherwise.
    pub fn new(endpoint: E) -> Self {
        Link {
            endpoint,
            state: Mutex::new(LinkState {
                framer: RecordFramer::default(),
                inbuf: Queue::default(),
                out: Queue::default(),
                hold: false,
                wait: Wait::Forever,
                eof: false,
                error: None,
                received: 0,
            }),
            eof: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, LinkState> {
        // Every update under this lock is complete before it is released:
        // still usable after a panic elsewhere.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &E {
        &self.endpoint
    }

    /// Gives the endpoint back.
    pub fn into_endpoint(self) -> E {
        self.endpoint
    }

    /// How the calls from now on may wait (the driver sets it per call: a
    /// timeout is a total for the whole call).
    pub fn set_wait(&self, wait: Wait) {
        self.lock().wait = wait;
    }

    /// Holds the library's output in the queue (true during a handshake)
    /// instead of sending it as it is written.
    pub fn hold_output(&self, hold: bool) {
        self.lock().hold = hold;
    }

    /// Bytes of ours queued and not sent yet.
    pub fn pending_output(&self) -> usize {
        self.lock().out.len()
    }

    /// The peer's stream ended.
    pub fn eof_seen(&self) -> bool {
        self.eof.load(Ordering::Acquire)
    }

    /// Bytes received so far (the driver tells progress from a library that
    /// asks for more without having read).
    pub fn received(&self) -> u64 {
        self.lock().received
    }

    /// The error the library's I/O met, for the driver to raise.
    pub fn take_error(&self) -> Option<(Direction, io::Error)> {
        self.lock().error.take()
    }
}

impl<E: Endpoint> Link<E> {
    /// Sends everything queued, waiting as the call may: `WouldBlock` (non-
    /// blocking) or `TimedOut` when it cannot; an error an earlier send met
    /// comes first.
    pub fn flush(&self) -> io::Result<()> {
        let mut st = self.lock();
        if matches!(st.error, Some((Direction::Out, _))) {
            if let Some((_, e)) = st.error.take() {
                return Err(e);
            }
        }
        let wait = st.wait;
        self.flush_locked(&mut st, wait)
    }

    /// Sends what the endpoint takes now, without waiting; errors are left
    /// for a later flush to meet.
    pub fn flush_now(&self) {
        if !self.endpoint.chooses_waits() {
            return;
        }
        let mut st = self.lock();
        let _ = self.flush_locked(&mut st, Wait::Never);
    }

    fn flush_locked(&self, st: &mut LinkState, wait: Wait) -> io::Result<()> {
        while !st.out.is_empty() {
            let n = self
                .endpoint
                .send(&[io::IoSlice::new(st.out.bytes())], wait)?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            st.out.consume(n);
        }
        Ok(())
    }

    /// Plain bytes from the stream (before the TLS layer or after
    /// `unwrap()`), waiting as the call may.
    pub fn plain_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut st = self.lock();
        if let Some(n) = Self::take_buffered(&mut st, buf) {
            return Ok(n);
        }
        let wait = st.wait;
        drop(st);
        self.endpoint.recv(buf, wait)
    }

    /// Plain bytes to the stream (queued TLS output first).
    pub fn plain_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.flush()?;
        let wait = self.lock().wait;
        self.endpoint.send(&[io::IoSlice::new(buf)], wait)
    }

    /// `got` bytes arrived in `buf` (0: the end of the stream).
    fn arrived(&self, st: &mut LinkState, buf: &[u8], got: usize) -> usize {
        if got == 0 {
            st.eof = true;
            self.eof.store(true, Ordering::Release);
        } else {
            st.framer.consumed(&buf[..got]);
            st.received += got as u64;
        }
        got
    }

    /// Bytes read ahead into the input buffer, first.
    fn take_buffered(st: &mut LinkState, buf: &mut [u8]) -> Option<usize> {
        if st.inbuf.is_empty() {
            return None;
        }
        let n = buf.len().min(st.inbuf.len());
        buf[..n].copy_from_slice(&st.inbuf.bytes()[..n]);
        st.inbuf.consume(n);
        Some(n)
    }

    /// Keeps `e` for the driver; the library sees `WouldBlock`.
    fn keep(st: &mut LinkState, dir: Direction, e: io::Error) -> io::Error {
        if e.kind() != io::ErrorKind::WouldBlock || st.wait != Wait::Never {
            st.error = Some((dir, e));
        }
        io::ErrorKind::WouldBlock.into()
    }
}

impl<E: Endpoint> Link<E> {
    /// Receives into `buf` (at most the rest of the current header or
    /// body): the look at the peer's next record and our output's flush when
    /// output waits, then the call's wait. Errors are kept for the driver.
    fn fill(&self, st: &mut LinkState, buf: &mut [u8]) -> io::Result<usize> {
        if st.eof {
            return Ok(0);
        }
        if st.error.is_some() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(st.framer.want());
        let buf = &mut buf[..n];
        // Output of ours that a peer may be waiting for leaves before we wait
        // for the peer. A queue of ChangeCipherSpec records alone is never
        // waited for (TLS 1.3 peers ignore it; in TLS 1.2 the Finished
        // follows it in the same flight): it stays, so that the flight
        // leaves whole (rustls writes its compatibility CCS as soon as it
        // reads the ServerHello, before it reads the rest of the flight).
        if !st.out.is_empty() && !only_change_cipher_spec(st.out.bytes()) {
            // The peer's next record may already be here: the library
            // answers its whole flight at once. Otherwise ours leaves first.
            if self.endpoint.chooses_waits() {
                match self.endpoint.recv(buf, Wait::Never) {
                    Ok(got) => return Ok(self.arrived(st, buf, got)),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(Self::keep(st, Direction::In, e)),
                }
            }
            let wait = st.wait;
            if let Err(e) = self.flush_locked(st, wait) {
                return Err(Self::keep(st, Direction::Out, e));
            }
        }
        let wait = st.wait;
        match self.endpoint.recv(buf, wait) {
            Ok(got) => Ok(self.arrived(st, buf, got)),
            Err(e) => Err(Self::keep(st, Direction::In, e)),
        }
    }

    /// Reads the rest of the current header into the input buffer and, once
    /// a header is complete, its body in the same call (the library gets
    /// the whole record at once, in two reads) unless the header announces
    /// more than [`WHOLE_RECORD_MAX`]: that header goes to the library at once.
    fn fill_record(&self, st: &mut LinkState) {
        let mut inbuf = std::mem::take(&mut st.inbuf);
        loop {
            let reading_header = st.framer.body_left == 0;
            let want = st.framer.want();
            match self.fill(st, inbuf.spare(want)) {
                Ok(n) => inbuf.commit(n),
                Err(_) => {
                    inbuf.commit(0);
                    break;
                }
            }
            let body_due = reading_header && st.framer.have == 0 && st.framer.body_left > 0;
            if !body_due || st.framer.body_left > WHOLE_RECORD_MAX || st.eof {
                break;
            }
        }
        st.inbuf = inbuf;
    }
}

impl<E: Endpoint> Transport for Link<E> {
    fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut st = self.lock();
        if let Some(n) = Self::take_buffered(&mut st, buf) {
            return Ok(n);
        }
        self.fill(&mut st, buf)
    }

    fn recv_buffered(&self, take: &mut dyn FnMut(&[u8], bool) -> usize) -> bool {
        let mut st = self.lock();
        if st.inbuf.is_empty() {
            self.fill_record(&mut st);
        }
        let used = take(st.inbuf.bytes(), st.eof);
        st.inbuf.consume(used);
        true
    }

    fn send(&self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let mut st = self.lock();
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        let mut sent = 0;
        if st.out.is_empty() && !st.hold && st.error.is_none() {
            let wait = if self.endpoint.chooses_waits() {
                Wait::Never
            } else {
                st.wait
            };
            match self.endpoint.send(bufs, wait) {
                Ok(n) => sent = n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && wait == Wait::Never => {}
                Err(e) => {
                    Self::keep(&mut st, Direction::Out, e);
                }
            }
        }
        let mut offset = 0;
        for buf in bufs {
            let skip = sent.saturating_sub(offset).min(buf.len());
            if skip < buf.len() {
                st.out.extend(&buf[skip..]);
            }
            offset += buf.len();
        }
        Ok(total)
    }

    fn at_eof(&self) -> bool {
        self.eof.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::IoStream;
    use std::collections::VecDeque;

    #[test]
    fn framer_follows_headers_and_bodies() {
        let mut f = RecordFramer::default();
        assert_eq!(f.want(), 5);
        f.consumed(&[0x17, 0x03]);
        assert_eq!(f.want(), 3);
        f.consumed(&[0x03, 0x00, 0x04]);
        assert_eq!(f.want(), 4);
        f.consumed(&[1, 2, 3]);
        assert_eq!(f.want(), 1);
        f.consumed(&[4]);
        assert_eq!(f.want(), 5);
        // A zero-length record goes straight to the next header.
        f.consumed(&[0x17, 0x03, 0x03, 0x00, 0x00]);
        assert_eq!(f.want(), 5);
    }

    /// A stream double: reads from a script, records writes, can refuse
    /// writes (WouldBlock) to test the queue.
    #[derive(Default)]
    struct Double {
        input: VecDeque<u8>,
        written: Vec<u8>,
        refuse_writes: bool,
        reads: usize,
    }

    impl io::Read for Double {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.reads += 1;
            let n = buf.len().min(self.input.len());
            for b in buf.iter_mut().take(n) {
                *b = self.input.pop_front().unwrap_or(0);
            }
            Ok(n)
        }
    }

    impl io::Write for Double {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.refuse_writes {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            self.written.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn reads_stop_at_record_boundaries_and_leave_the_rest() {
        let mut d = Double::default();
        // One 3-byte record, then plain text that must stay in the stream.
        d.input.extend([0x15, 3, 3, 0, 3, 9, 9, 9]);
        d.input.extend(b"PLAIN");
        let link = Link::new(IoStream::new(d));
        let mut buf = [0u8; 64];
        assert_eq!(link.recv(&mut buf).unwrap(), 5, "the header alone");
        assert_eq!(link.recv(&mut buf).unwrap(), 3, "then exactly the body");
        assert_eq!(link.received(), 8);
        // After the record, the plain text is read only as plain text.
        let mut plain = [0u8; 16];
        assert_eq!(link.plain_recv(&mut plain).unwrap(), 5);
        assert_eq!(&plain[..5], b"PLAIN");
        // The end of the stream reads as EOF from then on.
        assert_eq!(link.recv(&mut buf).unwrap(), 0);
        assert!(link.eof_seen() && link.at_eof());
        assert_eq!(link.recv(&mut buf).unwrap(), 0);
    }

    #[test]
    fn held_output_leaves_whole_before_the_link_waits() {
        let mut d = Double::default();
        d.input.extend([0x16, 3, 3, 0, 1, 7]);
        let link = Link::new(IoStream::new(d));
        link.hold_output(true);
        let bufs = [io::IoSlice::new(b"ab"), io::IoSlice::new(b"cd")];
        assert_eq!(link.send(&bufs).unwrap(), 4);
        assert_eq!(link.send(&[io::IoSlice::new(b"e")]).unwrap(), 1);
        assert_eq!(link.pending_output(), 5);
        assert!(link.endpoint().lock().written.is_empty());
        // A read that may wait sends the flight first, in one piece.
        let mut buf = [0u8; 8];
        assert_eq!(link.recv(&mut buf).unwrap(), 5);
        assert_eq!(link.endpoint().lock().written, b"abcde");
        assert_eq!(link.pending_output(), 0);
        // Not held: written through at once.
        link.hold_output(false);
        link.send(&[io::IoSlice::new(b"fg")]).unwrap();
        assert_eq!(link.endpoint().lock().written, b"abcdefg");
    }

    #[test]
    fn a_lone_change_cipher_spec_waits_for_the_rest_of_its_flight() {
        let ccs = [20u8, 3, 3, 0, 1, 1];
        assert!(only_change_cipher_spec(&ccs));
        assert!(only_change_cipher_spec(&[ccs, ccs].concat()));
        assert!(!only_change_cipher_spec(&[20, 3, 3, 0, 2, 1]), "cut short");
        assert!(!only_change_cipher_spec(
            &[&ccs[..], &[23, 3, 3, 0, 1, 0]].concat()
        ));
        let mut d = Double::default();
        d.input.extend([0x16, 3, 3, 0, 1, 7]);
        let link = Link::new(IoStream::new(d));
        link.hold_output(true);
        link.send(&[io::IoSlice::new(&ccs)]).unwrap();
        let mut buf = [0u8; 8];
        // The peer's next record is read first; the CCS is still queued.
        assert_eq!(link.recv(&mut buf).unwrap(), 5);
        assert_eq!(link.pending_output(), 6);
        assert!(link.endpoint().lock().written.is_empty());
        // With more behind it (the Finished), it leaves before the Link waits.
        link.send(&[io::IoSlice::new(&[22, 3, 3, 0, 1, 9])])
            .unwrap();
        assert_eq!(link.recv(&mut buf).unwrap(), 1);
        assert_eq!(link.endpoint().lock().written.len(), 12);
    }

    #[test]
    fn refused_output_is_queued_in_order_and_errors_wait_for_the_driver() {
        let d = Double {
            refuse_writes: true,
            ..Double::default()
        };
        let link = Link::new(IoStream::new(d));
        // A blocking stream that refuses (its own timeout expired): the
        // library is told nothing, the bytes wait in the queue, the error
        // waits for the driver.
        assert_eq!(link.send(&[io::IoSlice::new(b"xyz")]).unwrap(), 3);
        assert_eq!(link.pending_output(), 3);
        let (dir, e) = link.take_error().unwrap();
        assert_eq!((dir, e.kind()), (Direction::Out, io::ErrorKind::TimedOut));
        link.send(&[io::IoSlice::new(b"w")]).unwrap();
        assert_eq!(link.pending_output(), 4, "behind the queue");
        assert_eq!(link.flush().unwrap_err().kind(), io::ErrorKind::TimedOut);
        link.endpoint().lock().refuse_writes = false;
        link.flush().unwrap();
        assert_eq!(link.endpoint().lock().written, b"xyzw");
    }
}
