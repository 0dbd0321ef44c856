//! MemoryBIO model check: random sequences of write / read / read_into /
//! peek / write_with / consume_with / write_eof / pending / eof against a
//! plain `VecDeque` and an EOF flag.
#![no_main]

use std::collections::VecDeque;

use arbitrary::Arbitrary;
use ssl_api::bio::{Bio, MemoryBio};

#[derive(Arbitrary, Debug)]
enum Op {
    Write(Vec<u8>),
    /// A write of `len` copies of `byte` (large writes without large inputs).
    WriteRepeated {
        byte: u8,
        len: u16,
    },
    Read(Option<u16>),
    ReadInto(u16),
    Peek(u16),
    /// `write_with(max, fill)`, the filler writing `fill` bytes of `byte`.
    WriteWith {
        max: u16,
        fill: u16,
        byte: u8,
    },
    ConsumeWith(u16),
    WriteEof,
}

libfuzzer_sys::fuzz_target!(|ops: Vec<Op>| {
    let bio = MemoryBio::new();
    let mut model: VecDeque<u8> = VecDeque::new();
    let mut eof = false;
    for op in ops {
        match op {
            Op::Write(bytes) => write(&bio, &mut model, eof, &bytes),
            Op::WriteRepeated { byte, len } => {
                write(&bio, &mut model, eof, &vec![byte; usize::from(len) * 16])
            }
            Op::Read(n) => {
                let n = n.map(usize::from);
                let want = n.unwrap_or(usize::MAX).min(model.len());
                let got = bio.read(n);
                let expected: Vec<u8> = model.drain(..want).collect();
                assert_eq!(got, expected, "read({n:?})");
            }
            Op::ReadInto(n) => {
                let mut out = vec![0u8; usize::from(n)];
                let got = bio.read_into(&mut out);
                let expected: Vec<u8> = model.drain(..out.len().min(model.len())).collect();
                assert_eq!(&out[..got], &expected[..], "read_into({n})");
            }
            Op::Peek(n) => {
                let expected: Vec<u8> = model.iter().take(usize::from(n)).copied().collect();
                assert_eq!(bio.peek(usize::from(n)), expected, "peek({n})");
            }
            Op::WriteWith { max, fill, byte } => {
                let (max, fill) = (usize::from(max), usize::from(fill));
                let r = bio.write_with(max, |room| {
                    assert_eq!(room.len(), max, "room offered");
                    let k = fill.min(room.len());
                    room[..k].fill(byte);
                    Ok(k)
                });
                if eof {
                    assert!(r.is_err(), "write_with after write_eof");
                } else {
                    let k = r.expect("write_with before write_eof");
                    assert_eq!(k, fill.min(max));
                    model.extend(std::iter::repeat_n(byte, k));
                }
            }
            Op::ConsumeWith(n) => {
                let snapshot: Vec<u8> = model.iter().copied().collect();
                let used = bio.consume_with(|bytes, seen_eof| {
                    assert_eq!(bytes, &snapshot[..], "consume_with's bytes");
                    assert_eq!(seen_eof, eof, "consume_with's EOF flag");
                    let used = usize::from(n).min(bytes.len());
                    (used, used)
                });
                model.drain(..used);
            }
            Op::WriteEof => {
                bio.write_eof();
                eof = true;
            }
        }
        assert_eq!(bio.pending(), model.len(), "pending");
        assert_eq!(bio.eof_written(), eof, "eof_written");
        assert_eq!(bio.eof(), eof && model.is_empty(), "eof");
    }
});

fn write(bio: &MemoryBio, model: &mut VecDeque<u8>, eof: bool, bytes: &[u8]) {
    match bio.write(bytes) {
        Ok(n) => {
            assert!(!eof, "write accepted after write_eof");
            assert_eq!(n, bytes.len(), "write takes every byte");
            model.extend(bytes);
        }
        Err(e) => {
            assert!(eof, "write refused before write_eof: {e}");
        }
    }
}
