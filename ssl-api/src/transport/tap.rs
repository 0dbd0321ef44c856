//! `_msg_callback` from the record layer: for a library with no message hook
//! of its own (rustls, native-tls), a [`Transport`] that passes every byte
//! through unchanged and reports to the context's [`MessageCallback`] what
//! the bytes show, in the shape OpenSSL's message callback has
//! ([`TlsMessage::from_openssl`]):
//!
//! - every record header (content type 256, as OpenSSL's `SSL3_RT_HEADER`);
//! - the messages of records sent in the clear: each handshake message
//!   (reassembled across records), each alert, the change_cipher_spec.
//!
//! What is encrypted cannot be seen here: once a direction has sent its
//! change_cipher_spec (TLS 1.2's Finished) and in TLS 1.3 after the hellos
//! (records of content type 23), only the record headers are reported. The
//! backends declare this in their capabilities. Reports are made after the
//! tap's own lock is released, so a callback may do anything.

use std::io;
use std::sync::{Arc, Mutex};

use super::{SharedTransport, Transport};
use crate::backend::{MessageCallback, TlsMessage};
use crate::bio::MemoryBio;

/// The TLS record header's length.
const HEADER_LEN: usize = 5;
/// The largest handshake message reassembled (larger ones are not reported:
/// memory stays bounded whatever the peer sends). Certificate chains are far
/// below it.
const MAX_HANDSHAKE_MESSAGE: usize = 256 * 1024;

const CHANGE_CIPHER_SPEC: u8 = 20;
const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
/// OpenSSL's `SSL3_RT_HEADER` pseudo content type.
const RECORD_HEADER: i32 = 256;

/// `transport` with `callback` watching it, or `transport` itself when there
/// is no callback (no cost then).
pub fn tapped(transport: SharedTransport, callback: Option<&MessageCallback>) -> SharedTransport {
    match callback {
        None => transport,
        Some(callback) => Arc::new(TappedTransport {
            inner: transport,
            callback: callback.clone(),
            incoming: Mutex::new(RecordReader::default()),
            outgoing: Mutex::new(RecordReader::default()),
        }),
    }
}

/// A transport whose records are reported to a message callback.
struct TappedTransport {
    inner: SharedTransport,
    callback: MessageCallback,
    incoming: Mutex<RecordReader>,
    outgoing: Mutex<RecordReader>,
}

impl TappedTransport {
    fn observe(&self, outgoing: bool, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let reader = if outgoing {
            &self.outgoing
        } else {
            &self.incoming
        };
        let found = reader.lock().expect("not poisoned").feed(bytes);
        for m in found {
            (self.callback)(&TlsMessage::from_openssl(
                outgoing,
                m.version,
                m.content_type,
                &m.data,
            ));
        }
    }
}

impl Transport for TappedTransport {
    fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.recv(buf)?;
        self.observe(false, &buf[..n]);
        Ok(n)
    }

    fn send(&self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let n = self.inner.send(bufs)?;
        for b in bufs {
            self.observe(true, b);
        }
        Ok(n)
    }

    fn at_eof(&self) -> bool {
        self.inner.at_eof()
    }

    fn recv_buffered(&self, take: &mut dyn FnMut(&[u8], bool) -> usize) -> bool {
        let mut taken = Vec::new();
        let lent = self.inner.recv_buffered(&mut |data, eof| {
            let used = take(data, eof).min(data.len());
            taken.extend_from_slice(&data[..used]);
            used
        });
        self.observe(false, &taken);
        lent
    }

    fn memory_bios(&self) -> Option<(&MemoryBio, &MemoryBio)> {
        self.inner.memory_bios()
    }
}

/// One message found in the byte stream, reported once the lock is released.
#[derive(Debug, PartialEq, Eq)]
struct Found {
    version: i32,
    content_type: i32,
    data: Vec<u8>,
}

/// The record parser of one direction.
#[derive(Debug, Default)]
struct RecordReader {
    header: Vec<u8>,
    /// Body bytes of the current record still to come.
    body_left: usize,
    /// The current record's body, when it is in the clear.
    body: Vec<u8>,
    /// This direction has sent its change_cipher_spec: what follows is encrypted.
    encrypted: bool,
    /// Handshake bytes not yet a whole message.
    handshake: Vec<u8>,
    /// A handshake message over the bound went by: no more handshake
    /// messages are reported in this direction.
    lost: bool,
}

impl RecordReader {
    fn feed(&mut self, mut bytes: &[u8]) -> Vec<Found> {
        let mut found = Vec::new();
        while !bytes.is_empty() {
            if self.header.len() < HEADER_LEN {
                let n = (HEADER_LEN - self.header.len()).min(bytes.len());
                self.header.extend_from_slice(&bytes[..n]);
                bytes = &bytes[n..];
                if self.header.len() == HEADER_LEN {
                    found.push(Found {
                        version: self.version(),
                        content_type: RECORD_HEADER,
                        data: self.header.clone(),
                    });
                    self.body_left =
                        usize::from(u16::from_be_bytes([self.header[3], self.header[4]]));
                    self.body.clear();
                    if self.body_left == 0 {
                        self.end_record(&mut found);
                    }
                }
                continue;
            }
            let n = self.body_left.min(bytes.len());
            if self.in_the_clear() {
                self.body.extend_from_slice(&bytes[..n]);
            }
            self.body_left -= n;
            bytes = &bytes[n..];
            if self.body_left == 0 {
                self.end_record(&mut found);
            }
        }
        found
    }

    fn version(&self) -> i32 {
        i32::from(u16::from_be_bytes([self.header[1], self.header[2]]))
    }

    fn content_type(&self) -> u8 {
        self.header[0]
    }

    /// Whether the current record's body can be read here.
    fn in_the_clear(&self) -> bool {
        !self.encrypted && matches!(self.content_type(), CHANGE_CIPHER_SPEC | ALERT | HANDSHAKE)
    }

    fn end_record(&mut self, found: &mut Vec<Found>) {
        let version = self.version();
        if self.in_the_clear() {
            match self.content_type() {
                CHANGE_CIPHER_SPEC => {
                    found.push(Found {
                        version,
                        content_type: i32::from(CHANGE_CIPHER_SPEC),
                        data: std::mem::take(&mut self.body),
                    });
                    self.encrypted = true;
                }
                ALERT => {
                    for alert in self.body.chunks(2) {
                        found.push(Found {
                            version,
                            content_type: i32::from(ALERT),
                            data: alert.to_vec(),
                        });
                    }
                }
                _ => self.handshake_messages(version, found),
            }
        }
        self.header.clear();
        self.body.clear();
    }

    fn handshake_messages(&mut self, version: i32, found: &mut Vec<Found>) {
        if self.lost {
            return;
        }
        self.handshake.extend_from_slice(&self.body);
        loop {
            let Some(&[_, a, b, c]) = self.handshake.get(..4) else {
                return;
            };
            let len = 4 + (usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c));
            if len > MAX_HANDSHAKE_MESSAGE {
                self.lost = true;
                self.handshake = Vec::new();
                return;
            }
            if self.handshake.len() < len {
                return;
            }
            let rest = self.handshake.split_off(len);
            found.push(Found {
                version,
                content_type: i32::from(HANDSHAKE),
                data: std::mem::replace(&mut self.handshake, rest),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(content_type: u8, body: &[u8]) -> Vec<u8> {
        let len = u16::try_from(body.len()).unwrap().to_be_bytes();
        let mut r = vec![content_type, 3, 3, len[0], len[1]];
        r.extend_from_slice(body);
        r
    }

    fn kinds(found: &[Found]) -> Vec<(i32, usize)> {
        found
            .iter()
            .map(|f| (f.content_type, f.data.len()))
            .collect()
    }

    #[test]
    fn handshake_messages_are_reassembled_across_records_and_calls() {
        // Two messages: one split over two records, the second in the same record.
        let m1 = [1u8, 0, 0, 6, 1, 2, 3, 4, 5, 6];
        let m2 = [2u8, 0, 0, 1, 9];
        let mut stream = record(HANDSHAKE, &m1[..7]);
        let mut second = m1[7..].to_vec();
        second.extend_from_slice(&m2);
        stream.extend(record(HANDSHAKE, &second));
        let mut reader = RecordReader::default();
        let mut found = Vec::new();
        for byte in stream.chunks(3) {
            found.extend(reader.feed(byte));
        }
        assert_eq!(
            kinds(&found),
            [(RECORD_HEADER, 5), (RECORD_HEADER, 5), (22, 10), (22, 5)]
        );
        assert_eq!(found[2].data, m1);
        assert_eq!(found[3].data, m2);
        assert_eq!(found[2].version, 0x0303);
    }

    #[test]
    fn after_change_cipher_spec_only_headers() {
        let mut stream = record(ALERT, &[1, 0]);
        stream.extend(record(CHANGE_CIPHER_SPEC, &[1]));
        stream.extend(record(HANDSHAKE, &[20, 0, 0, 1, 0]));
        stream.extend(record(ALERT, &[1, 0]));
        let found = RecordReader::default().feed(&stream);
        assert_eq!(
            kinds(&found),
            [
                (RECORD_HEADER, 5),
                (21, 2),
                (RECORD_HEADER, 5),
                (20, 1),
                (RECORD_HEADER, 5),
                (RECORD_HEADER, 5)
            ]
        );
    }

    #[test]
    fn application_data_and_oversized_messages_are_not_kept() {
        let mut reader = RecordReader::default();
        let found = reader.feed(&record(23, &[0u8; 100]));
        assert_eq!(kinds(&found), [(RECORD_HEADER, 5)]);
        assert!(reader.body.is_empty());
        // A handshake header announcing 16 MiB: nothing is buffered for it.
        let found = reader.feed(&record(HANDSHAKE, &[11, 0xff, 0xff, 0xff, 0]));
        assert_eq!(kinds(&found), [(RECORD_HEADER, 5)]);
        assert!(reader.lost && reader.handshake.is_empty());
    }

    #[test]
    fn the_tap_reports_both_directions_and_passes_bytes_through() {
        use crate::bio::Bio;
        use crate::transport::MemoryTransport;
        let (incoming, outgoing) = (MemoryBio::new(), MemoryBio::new());
        let seen: Arc<Mutex<Vec<(bool, i32, i32)>>> = Arc::default();
        let sink = seen.clone();
        let callback: MessageCallback = Arc::new(move |m: &TlsMessage<'_>| {
            sink.lock()
                .unwrap()
                .push((m.outgoing, m.content_type, m.msg_type));
        });
        let inner: SharedTransport =
            Arc::new(MemoryTransport::new(incoming.clone(), outgoing.clone()));
        let t = tapped(inner, Some(&callback));
        let hello = record(HANDSHAKE, &[1, 0, 0, 0]);
        assert_eq!(t.send(&[io::IoSlice::new(&hello)]).unwrap(), hello.len());
        assert_eq!(outgoing.read(None), hello);
        incoming.write(&record(HANDSHAKE, &[2, 0, 0, 0])).unwrap();
        let mut buf = [0u8; 64];
        assert_eq!(t.recv(&mut buf).unwrap(), 9);
        assert_eq!(
            *seen.lock().unwrap(),
            [
                (true, RECORD_HEADER, 22),
                (true, 22, 1),
                (false, RECORD_HEADER, 22),
                (false, 22, 2)
            ]
        );
        assert!(t.memory_bios().is_some());
    }
}
