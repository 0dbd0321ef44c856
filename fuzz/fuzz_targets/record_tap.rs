//! The `_msg_callback` record tap (`ssl_api::transport::tapped`) fed a peer's
//! byte stream: the first byte picks the piece size of the reads and writes,
//! the rest is the stream. Every byte passes through unchanged in both
//! directions, and every report has the shape the tap promises (a record
//! header is 5 bytes, a handshake message carries its own 4-byte header and
//! length, an alert at most 2 bytes, a change_cipher_spec its body).
#![no_main]

use std::io::IoSlice;
use std::sync::{Arc, Mutex};

use ssl_api::bio::{Bio, MemoryBio};
use ssl_api::transport::{tapped, MemoryTransport, SharedTransport};
use ssl_api::{MessageCallback, TlsMessage};

fn check(m: &TlsMessage<'_>) {
    match m.content_type {
        256 => assert_eq!(m.data.len(), 5, "record header"),
        22 => {
            let d = m.data;
            assert!(d.len() >= 4, "handshake message without its header");
            let len = (usize::from(d[1]) << 16) | (usize::from(d[2]) << 8) | usize::from(d[3]);
            assert_eq!(d.len(), 4 + len, "handshake message length");
            assert_eq!(m.msg_type, i32::from(d[0]));
        }
        21 => assert!(!m.data.is_empty() && m.data.len() <= 2, "alert"),
        20 => assert_eq!(m.msg_type, 0x0101),
        other => panic!("content type {other} reported"),
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&piece, stream)) = data.split_first() else {
        return;
    };
    let piece = usize::from(piece % 64) + 1;
    let reports = Arc::new(Mutex::new(0usize));
    let counter = reports.clone();
    let callback: MessageCallback = Arc::new(move |m: &TlsMessage<'_>| {
        check(m);
        *counter.lock().unwrap() += 1;
    });
    let (incoming, outgoing) = (MemoryBio::new(), MemoryBio::new());
    let inner: SharedTransport = Arc::new(MemoryTransport::new(incoming.clone(), outgoing.clone()));
    let t = tapped(inner, Some(&callback));
    // In: the stream arrives in pieces, is read in pieces of another size.
    let mut read = Vec::with_capacity(stream.len());
    let mut buf = vec![0u8; piece * 3];
    for chunk in stream.chunks(piece) {
        incoming.write(chunk).unwrap();
        while let Ok(n) = t.recv(&mut buf) {
            if n == 0 {
                break;
            }
            read.extend_from_slice(&buf[..n]);
        }
    }
    assert_eq!(read, stream, "incoming bytes changed");
    // Out: the same stream written as vectored pieces.
    let slices: Vec<IoSlice<'_>> = stream.chunks(piece).map(IoSlice::new).collect();
    assert_eq!(t.send(&slices).unwrap(), stream.len());
    assert_eq!(outgoing.read(None), stream, "outgoing bytes changed");
    drop(reports);
});
