//! `MemoryBIO` (reference row O2): an in-memory byte pipe between a TLS Object
//! and whatever transport the user has. Memory only: sockets and streams are
//! other transports of [`crate::transport`].

use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::{Error, Result};

/// The BIO operations of Python's `MemoryBIO` (O2).
pub trait Bio {
    /// `pending`: bytes currently buffered.
    fn pending(&self) -> usize;
    /// `eof`: true once `write_eof()` was called and every byte has been read.
    fn eof(&self) -> bool;
    /// `read(n)`: up to `n` bytes (all of them for `None`, Python's `n=-1`);
    /// empty when nothing is buffered.
    fn read(&self, n: Option<usize>) -> Vec<u8>;
    /// `write(buf)`: appends `buf`, returns its length; an `SSLError` after `write_eof()`.
    fn write(&self, buf: &[u8]) -> Result<usize>;
    /// `write_eof()`: no more data will be written.
    fn write_eof(&self);
}

/// A byte queue: `data[head..end]` is buffered; `data[end..]` is spare,
/// already-initialised room that later writes reuse. Reads advance `head`;
/// the queue rewinds when it empties (a large write into an empty queue starts
/// at [`Queue::BULK_START`]), and compacts once the consumed front is both
/// large and at least half the buffered span, so each byte moves O(1) times.
/// The most room [`MemoryBio::write_with`] hands out at once (far beyond
/// any TLS record; a larger request is a caller's mistake, not an allocation
/// to attempt).
const MAX_ROOM: usize = 1 << 30;

#[derive(Default)]
pub(crate) struct Queue {
    data: Vec<u8>,
    head: usize,
    end: usize,
}

impl Queue {
    const COMPACT_AT: usize = 64 * 1024;
    /// Writes of at least a page into an empty queue start this far into
    /// its storage. TLS libraries keep records in ~16 KiB heap blocks, as
    /// this storage is, and such blocks tend to sit at nearly the same
    /// offset within a page, and a copy whose destination lies a few bytes
    /// past its source modulo 4 KiB stalls on false store-to-load
    /// dependencies (4K aliasing). Measured with rustls: the
    /// BIO and its buffers were 32 bytes apart modulo 4 KiB, and both
    /// copies per record ran slower than the direct baseline's.
    const BULK_START: usize = 2048;
    const PAGE: usize = 4096;

    pub(crate) fn len(&self) -> usize {
        self.end - self.head
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.data[self.head..self.end]
    }

    /// An empty queue about to take `len` bytes: where they start.
    fn place(&mut self, len: usize) {
        if self.is_empty() && len >= Self::PAGE {
            self.head = Self::BULK_START;
            self.end = Self::BULK_START;
        }
    }

    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        self.place(bytes.len());
        let need = self.end + bytes.len();
        if self.data.len() < need {
            self.data.resize(self.end, 0);
            self.data.extend_from_slice(bytes);
        } else {
            self.data[self.end..need].copy_from_slice(bytes);
        }
        self.end = need;
    }

    /// `len` bytes of room at the end for a producer to fill in place
    /// (then [`Queue::commit`] what it wrote).
    pub(crate) fn spare(&mut self, len: usize) -> &mut [u8] {
        self.place(len);
        let need = self.end + len;
        if self.data.len() < need {
            self.data.resize(need, 0);
        }
        &mut self.data[self.end..need]
    }

    pub(crate) fn commit(&mut self, n: usize) {
        self.end = (self.end + n).min(self.data.len());
    }

    pub(crate) fn consume(&mut self, n: usize) {
        self.head += n.min(self.len());
        if self.is_empty() {
            self.head = 0;
            self.end = 0;
        } else if self.head >= Self::COMPACT_AT && self.head * 2 >= self.end {
            self.data.copy_within(self.head..self.end, 0);
            self.end -= self.head;
            self.head = 0;
        }
    }
}

#[derive(Default)]
struct Inner {
    buf: Queue,
}

/// The shared pipe: the queue under its lock, a lock-free mirror of its
/// length, and the EOF flag, so that asking an empty BIO for bytes (what a
/// TLS library does after every record, to learn that it must wait) costs no
/// lock. Both change only under the lock, so a writer holding it sees them
/// exactly.
#[derive(Default)]
struct Pipe {
    state: Mutex<Inner>,
    buffered: AtomicUsize,
    eof_written: AtomicBool,
}

/// A locked pipe; dropping it publishes the queue's length to the mirror.
struct Locked<'a> {
    guard: MutexGuard<'a, Inner>,
    buffered: &'a AtomicUsize,
}

impl std::ops::Deref for Locked<'_> {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.guard
    }
}

impl std::ops::DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut Inner {
        &mut self.guard
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        self.buffered.store(self.guard.buf.len(), Ordering::Release);
    }
}

/// Python's `ssl.MemoryBIO` (O2). A shared handle: clones are the same pipe, so
/// the user and the TLS Object can both hold it (as in Python, where the
/// SSLObject keeps references to the two BIOs it was given).
///
/// ```
/// use ssl_api::bio::{Bio, MemoryBio};
/// let bio = MemoryBio::new();
/// assert_eq!(bio.write(b"abc").unwrap(), 3);
/// assert_eq!(bio.read(Some(2)), b"ab");
/// bio.write_eof();
/// assert!(!bio.eof()); // one byte is still buffered
/// assert_eq!(bio.read(None), b"c");
/// assert!(bio.eof());
/// assert!(bio.write(b"x").is_err());
/// ```
#[doc(alias = "MemoryBIO")]
#[derive(Clone, Default)]
pub struct MemoryBio {
    inner: Arc<Pipe>,
}

impl std::fmt::Debug for MemoryBio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.lock();
        f.debug_struct("MemoryBio")
            .field("pending", &inner.buf.len())
            .field("eof_written", &self.eof_written())
            .finish()
    }
}

impl MemoryBio {
    /// A new, empty BIO.
    pub fn new() -> Self {
        Self::default()
    }

    #[inline]
    fn lock(&self) -> Locked<'_> {
        // A panic while holding this lock cannot leave the queue inconsistent
        // (every mutation is a single call), so a poisoned lock is still usable.
        Locked {
            guard: self.inner.state.lock().unwrap_or_else(|e| e.into_inner()),
            buffered: &self.inner.buffered,
        }
    }

    /// The lock, for a write: Python's SSLError once `write_eof()` was called.
    fn lock_for_writing(&self) -> Result<Locked<'_>> {
        let inner = self.lock();
        if self.eof_written() {
            return Err(Error::ssl_message("cannot write() after write_eof()"));
        }
        Ok(inner)
    }

    /// Lock-free: whether nothing is buffered (a writer may add bytes at
    /// any moment, exactly as if it had taken the lock just after).
    #[inline]
    fn looks_empty(&self) -> bool {
        self.inner.buffered.load(Ordering::Acquire) == 0
    }

    /// True when `other` is the same pipe (not merely equal contents).
    pub fn same_as(&self, other: &MemoryBio) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Whether `write_eof()` has been called (even if bytes remain buffered).
    pub fn eof_written(&self) -> bool {
        self.inner.eof_written.load(Ordering::Acquire)
    }

    /// Up to `n` buffered bytes, left in the BIO (a Rust addition: backends
    /// use it to look at the first bytes of a connection, as OpenSSL does to
    /// recognise a plaintext HTTP request).
    pub fn peek(&self, n: usize) -> Vec<u8> {
        let inner = self.lock();
        let bytes = inner.buf.bytes();
        bytes[..n.min(bytes.len())].to_vec()
    }

    /// Moves up to `n` bytes (all for `None`) to the end of `out`, with two
    /// slice copies at most; returns how many.
    pub fn read_append(&self, n: Option<usize>, out: &mut Vec<u8>) -> usize {
        let mut inner = self.lock();
        let n = n.unwrap_or(usize::MAX).min(inner.buf.len());
        out.extend_from_slice(&inner.buf.bytes()[..n]);
        inner.buf.consume(n);
        n
    }

    /// Lends every buffered byte to `take` under one lock and removes as many
    /// as it reports used (a backend feeding its TLS library in one go, rather
    /// than one lock per small read). `take` gets the bytes and whether
    /// `write_eof()` was called.
    pub fn consume_with<R>(&self, take: impl FnOnce(&[u8], bool) -> (usize, R)) -> R {
        if self.looks_empty() {
            return take(&[], self.eof_written()).1;
        }
        let mut inner = self.lock();
        let (used, out) = take(inner.buf.bytes(), self.eof_written());
        inner.buf.consume(used);
        out
    }

    /// Moves up to `out.len()` bytes into `out`; returns how many.
    pub fn read_into(&self, out: &mut [u8]) -> usize {
        if self.looks_empty() {
            return 0;
        }
        let mut inner = self.lock();
        let n = out.len().min(inner.buf.len());
        out[..n].copy_from_slice(&inner.buf.bytes()[..n]);
        inner.buf.consume(n);
        n
    }

    /// Appends up to `max` bytes that `fill` writes straight into the BIO's
    /// storage (a transport receiving into it: no intermediate buffer, no
    /// copy); `fill` returns how many it wrote. An SSLError after
    /// `write_eof()`, as [`Bio::write`]; `fill`'s own error is passed on.
    pub fn write_with(
        &self,
        max: usize,
        fill: impl FnOnce(&mut [u8]) -> Result<usize>,
    ) -> Result<usize> {
        if max > MAX_ROOM {
            return Err(Error::value(format!(
                "write_with: {max} bytes of room is more than a MemoryBIO can hold"
            )));
        }
        let mut inner = self.lock_for_writing()?;
        let n = fill(inner.buf.spare(max))?.min(max);
        inner.buf.commit(n);
        Ok(n)
    }

    /// Appends `bufs` in order (all of them: a BIO always takes every byte)
    /// under one lock.
    pub(crate) fn write_slices(&self, bufs: &[io::IoSlice<'_>]) -> Result<usize> {
        let mut inner = self.lock_for_writing()?;
        let mut total = 0;
        for buf in bufs {
            inner.buf.extend(buf);
            total += buf.len();
        }
        Ok(total)
    }

    /// An `io::Read` + `io::Write` view for TLS libraries: reads report
    /// `WouldBlock` when empty (before `write_eof`) and end-of-file after it.
    pub fn io(&self) -> BioIo<'_> {
        BioIo(self)
    }
}

impl Bio for MemoryBio {
    fn pending(&self) -> usize {
        self.inner.buffered.load(Ordering::Acquire)
    }

    fn eof(&self) -> bool {
        // Lock-free and exact: after write_eof() nothing more can be
        // written, so once the queue is seen empty it stays empty.
        self.eof_written() && self.looks_empty()
    }

    fn read(&self, n: Option<usize>) -> Vec<u8> {
        let mut out = Vec::new();
        self.read_append(n, &mut out);
        out
    }

    fn write(&self, buf: &[u8]) -> Result<usize> {
        self.write_slices(&[io::IoSlice::new(buf)])
    }

    fn write_eof(&self) {
        let _locked = self.lock();
        self.inner.eof_written.store(true, Ordering::Release);
    }
}

/// `io::Read` / `io::Write` over a [`MemoryBio`], as TLS libraries want them.
#[derive(Debug)]
pub struct BioIo<'a>(&'a MemoryBio);

impl io::Read for BioIo<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let n = self.0.read_into(out);
        if n == 0 && !self.0.eof_written() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(n)
    }
}

impl io::Write for BioIo<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Bio::write(self.0, buf)
            .map_err(|e| io::Error::new(io::ErrorKind::BrokenPipe, e.to_string()))
    }

    /// Several buffers (rustls hands over every record it has queued) in
    /// one write, so a handshake flight leaves in one send, as the library's
    /// own socket path does; separate small sends could wait on Nagle's
    /// algorithm for the peer's delayed ACK.
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        self.0
            .write_slices(bufs)
            .map_err(|e| io::Error::new(io::ErrorKind::BrokenPipe, e.to_string()))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn pending_read_write_follow_python() {
        let b = MemoryBio::new();
        assert_eq!(b.pending(), 0);
        assert!(!b.eof());
        assert_eq!(b.read(None), b"");
        assert_eq!(b.write(b"abc").unwrap(), 3);
        assert_eq!(b.pending(), 3);
        assert_eq!(b.read(Some(2)), b"ab");
        assert_eq!(b.read(None), b"c");
        assert_eq!(b.read(Some(0)), b"");
        assert_eq!(b.write(b"").unwrap(), 0);
    }

    #[test]
    fn eof_rules() {
        let b = MemoryBio::new();
        b.write(b"xy").unwrap();
        b.write_eof();
        assert!(!b.eof(), "eof only once drained");
        assert_eq!(b.pending(), 2);
        let err = b.write(b"z").unwrap_err();
        assert_eq!(err.python_type(), "SSLError");
        assert_eq!(err.to_string(), "cannot write() after write_eof()");
        assert!(b.write(b"").is_err(), "even an empty write after write_eof");
        assert_eq!(b.read(None), b"xy");
        assert!(b.eof());
        b.write_eof(); // twice is fine, as in Python
        assert!(b.eof());
    }

    #[test]
    fn write_with_fills_in_place_and_keeps_order() {
        let b = MemoryBio::new();
        b.write(b"ab").unwrap();
        // The producer sees exactly `max` bytes of room after what is buffered.
        let n = b
            .write_with(8, |room| {
                assert_eq!(room.len(), 8);
                room[..3].copy_from_slice(b"cde");
                Ok(3)
            })
            .unwrap();
        assert_eq!((n, b.pending()), (3, 5));
        assert_eq!(b.read(Some(1)), b"a");
        // A producer's error is passed on and adds nothing.
        let err = b.write_with(4, |_| Err(Error::want_read())).unwrap_err();
        assert!(err.is_want());
        // More than `max` reported is clamped to `max`.
        assert_eq!(
            b.write_with(2, |room| {
                room.copy_from_slice(b"fg");
                Ok(9)
            })
            .unwrap(),
            2
        );
        assert_eq!(b.read(None), b"bcdefg");
        // Spare room left behind by earlier content is reused correctly.
        b.write(b"xy").unwrap();
        assert_eq!(b.read(None), b"xy");
        b.write_eof();
        assert!(b.write_with(1, |_| Ok(1)).is_err());
        assert!(b.eof());
    }

    #[test]
    fn page_sized_writes_keep_content_and_order() {
        let big: Vec<u8> = (0..9000u32).map(|i| (i % 251) as u8).collect();
        let b = MemoryBio::new();
        // A small write first (storage shorter than the bulk start), then
        // large ones into the empty queue, by copy and in place.
        b.write(b"hi").unwrap();
        assert_eq!(b.read(None), b"hi");
        for _ in 0..3 {
            b.write(&big).unwrap();
            b.write(b"tail").unwrap();
            let n = b
                .write_with(5000, |room| {
                    room.copy_from_slice(&big[..5000]);
                    Ok(5000)
                })
                .unwrap();
            assert_eq!(n, 5000);
            assert_eq!(b.pending(), 9000 + 4 + 5000);
            let got = b.read(None);
            assert_eq!(&got[..9000], &big[..]);
            assert_eq!(&got[9000..9004], b"tail");
            assert_eq!(&got[9004..], &big[..5000]);
            // In place into the empty queue, then partly read.
            b.write_with(6000, |room| {
                room.copy_from_slice(&big[..6000]);
                Ok(6000)
            })
            .unwrap();
            assert_eq!(b.read(Some(10)), &big[..10]);
            assert_eq!(b.read(None), &big[10..6000]);
        }
    }

    #[test]
    fn vectored_writes_take_every_buffer_in_order() {
        let b = MemoryBio::new();
        b.write(b"0").unwrap();
        let bufs = [
            io::IoSlice::new(b"ab"),
            io::IoSlice::new(b""),
            io::IoSlice::new(b"cd"),
            io::IoSlice::new(b"efg"),
        ];
        assert_eq!(b.io().write_vectored(&bufs).unwrap(), 7);
        assert_eq!(b.read(None), b"0abcdefg");
        b.write_eof();
        assert!(b.io().write_vectored(&bufs).is_err());
    }

    #[test]
    fn write_with_refuses_room_no_buffer_can_have() {
        let b = MemoryBio::new();
        b.write(b"x").unwrap();
        let err = b.write_with(usize::MAX, |_| Ok(0)).unwrap_err();
        assert_eq!(err.python_type(), "ValueError");
        assert_eq!(b.read(None), b"x");
    }

    #[test]
    fn large_streams_compact_and_keep_order() {
        let b = MemoryBio::new();
        let mut expected = Vec::new();
        let mut got = Vec::new();
        let mut out = vec![0u8; 7_001];
        for i in 0..200u32 {
            let chunk: Vec<u8> = (0..3_000u32).map(|j| (i * 31 + j) as u8).collect();
            b.write(&chunk).unwrap();
            expected.extend_from_slice(&chunk);
            if i % 3 == 0 {
                let n = b.read_into(&mut out);
                got.extend_from_slice(&out[..n]);
            }
        }
        got.extend(b.read(None));
        assert_eq!(got, expected);
    }

    #[test]
    fn handles_share_one_pipe() {
        let a = MemoryBio::new();
        let b = a.clone();
        a.write(b"hello").unwrap();
        assert_eq!(b.pending(), 5);
        assert!(a.same_as(&b));
        assert!(!a.same_as(&MemoryBio::new()));
        assert_eq!(b.read(Some(5)), b"hello");
        assert_eq!(a.pending(), 0);
    }

    #[test]
    fn io_view_reports_would_block_then_eof() {
        let b = MemoryBio::new();
        let mut buf = [0u8; 4];
        let err = b.io().read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        b.io().write_all(b"123456").unwrap();
        assert_eq!(b.io().read(&mut buf).unwrap(), 4);
        assert_eq!(&buf, b"1234");
        b.write_eof();
        assert_eq!(b.io().read(&mut buf).unwrap(), 2);
        assert_eq!(b.io().read(&mut buf).unwrap(), 0);
        assert!(b.io().write(b"x").is_err());
    }

    #[test]
    fn reads_and_writes_keep_order_across_compaction() {
        let b = MemoryBio::new();
        b.write(&[1u8; 10]).unwrap();
        b.read(Some(8));
        b.write(&[2u8; 20]).unwrap();
        let mut out = [0u8; 22];
        assert_eq!(b.read_into(&mut out), 22);
        assert_eq!(&out[..2], &[1, 1]);
        assert!(out[2..].iter().all(|&x| x == 2));
        // Large enough to compact the consumed front.
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        b.write(&data[..150_000]).unwrap();
        let mut got = b.read(Some(100_000));
        b.write(&data[150_000..]).unwrap();
        got.extend(b.read(None));
        assert_eq!(got, data);
        assert_eq!(b.pending(), 0);
    }
}
