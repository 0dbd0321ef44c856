//! The decoder's unit tests: times, serials, OIDs, UTF-8 messages, and garbage
//! input that must fail without panicking.

use asn1_rs::Class;

use super::decode_cert;
use super::der::{check_oid, integer, Tlv, T_INTEGER};
use super::oid::{oid_dotted, oid_text, OPENSSL_OBJECTS};
use super::serial::serial_text;
use super::times::time_text;
use super::utf8::py_utf8;
use super::R;

fn tm(utc: bool, s: &str) -> String {
    time_text(utc, s.as_bytes())
}

#[test]
fn times_like_openssl() {
    assert_eq!(tm(true, "180105093443Z"), "Jan  5 09:34:43 2018 GMT");
    assert_eq!(tm(true, "500101000000Z"), "Jan  1 00:00:00 1950 GMT");
    assert_eq!(tm(true, "491231235959Z"), "Dec 31 23:59:59 2049 GMT");
    assert_eq!(tm(true, "1801050934Z"), "Jan  5 09:34:00 2018 GMT");
    assert_eq!(tm(true, "180105093443+0100"), "Jan  5 08:34:43 2018 GMT");
    assert_eq!(tm(true, "180229000000Z"), "Bad time value");
    assert_eq!(
        tm(false, "20180105093443.123Z"),
        "Jan  5 09:34:43.123 2018 GMT"
    );
    assert_eq!(
        tm(false, "20180105093443.123+0130"),
        "Jan  5 08:04:43.123 2018 GMT"
    );
    assert_eq!(tm(false, "20180105093443+1300"), "Bad time value");
    assert_eq!(tm(false, "19000101000000+0100"), "Bad time value");
    assert_eq!(tm(false, "00000101000000Z"), "Jan  1 00:00:00 0 GMT");
    assert_eq!(tm(false, "20180105093443."), "Bad time value");
    assert_eq!(tm(false, ""), "Bad time value");
    assert_eq!(tm(false, "99991231230000+0100"), "Dec 31 22:00:00 9999 GMT");
    assert_eq!(tm(false, "20181231233000-0100"), "Jan  1 00:30:00 2019 GMT");
}

fn serial(der: &[u8]) -> R<String> {
    let t = Tlv {
        class: Class::Universal,
        constructed: false,
        tag: T_INTEGER,
        data: der,
    };
    integer(&t).map(|(n, m)| serial_text(n, &m))
}

#[test]
fn serials_like_openssl() {
    assert_eq!(serial(&[0]).unwrap(), "00");
    assert_eq!(serial(&[0x7f]).unwrap(), "7F");
    assert_eq!(serial(&[0, 0x80]).unwrap(), "80");
    assert_eq!(serial(&[1, 0]).unwrap(), "0100");
    assert_eq!(serial(&[0xff]).unwrap(), "-01");
    assert_eq!(serial(&[0x80]).unwrap(), "-80");
    assert_eq!(serial(&[0xff, 0x7f]).unwrap(), "-81");
    assert_eq!(serial(&[0xff, 0, 0]).unwrap(), "-010000");
    assert!(serial(&[0, 1]).is_err());
    assert!(serial(&[0xff, 0x80]).is_err());
    assert!(serial(&[]).is_err());
    let long: Vec<u8> = (1..=36).collect();
    let s = serial(&long).unwrap();
    assert_eq!(s.len(), 72);
    assert!(s.ends_with("23\\\n"));
}

#[test]
fn oids_like_openssl() {
    assert_eq!(oid_text(&[0x55, 0x04, 0x03]), "commonName");
    assert_eq!(oid_dotted(&[0x2a, 0x03, 0x04]), "1.2.3.4");
    assert_eq!(oid_dotted(&[0x88, 0x37, 0x01]), "2.999.1");
    assert_eq!(
        oid_dotted(&[0x2a, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]),
        "1.2.2361183241434822606848"
    );
    assert!(check_oid(&[0x2a, 0x80, 0x01]).is_err());
    assert!(check_oid(&[0x2a, 0x81]).is_err());
    assert!(OPENSSL_OBJECTS.windows(2).all(|w| w[0].0 < w[1].0));
}

#[test]
fn python_utf8_messages() {
    let msg = |b: &[u8]| py_utf8(b).unwrap_err().to_string();
    assert_eq!(
        msg(b"a\xe9b"),
        "'utf-8' codec can't decode byte 0xe9 in position 1: invalid continuation byte"
    );
    assert_eq!(
        msg(b"\xf0\x9f\x98"),
        "'utf-8' codec can't decode bytes in position 0-2: unexpected end of data"
    );
    assert_eq!(
        msg(b"ab\xf0\x9f\x41"),
        "'utf-8' codec can't decode bytes in position 2-3: invalid continuation byte"
    );
    assert_eq!(
        msg(b"\x80"),
        "'utf-8' codec can't decode byte 0x80 in position 0: invalid start byte"
    );
}

#[test]
fn garbage_never_panics() {
    let mut inputs: Vec<Vec<u8>> = vec![
        vec![],
        vec![0x30],
        vec![0x30, 0x80],
        vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
        vec![0x30, 0x03, 0x02, 0x01],
        vec![0xff; 64],
    ];
    // Every prefix and a byte flip at every position of a small certificate.
    fn tlv(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
        let data = parts.concat();
        let mut out = vec![tag, data.len() as u8];
        out.extend(data);
        out
    }
    let alg = tlv(0x30, &[&[0x06, 0x01, 0x2a]]);
    let tbs = tlv(
        0x30,
        &[
            &tlv(0xa0, &[&[0x02, 0x01, 0x02]]),
            &[0x02, 0x01, 0x05],
            &alg,
            &[0x30, 0x00],
            &tlv(
                0x30,
                &[
                    &tlv(0x17, &[b"180105093443Z"]),
                    &tlv(0x17, &[b"280105093443Z"]),
                ],
            ),
            &[0x30, 0x00],
            &tlv(0x30, &[&alg, &[0x03, 0x02, 0x00, 0x01]]),
        ],
    );
    let cert = tlv(0x30, &[&tbs, &alg, &[0x03, 0x02, 0x00, 0x01]]);
    let rec = decode_cert(&cert).unwrap();
    assert_eq!(
        rec.repr(),
        "{'subject': (), 'issuer': (), 'version': 3, 'serialNumber': '05', \
         'notBefore': 'Jan  5 09:34:43 2018 GMT', 'notAfter': 'Jan  5 09:34:43 2028 GMT'}"
    );
    for i in 0..cert.len() {
        inputs.push(cert[..i].to_vec());
        let mut flipped = cert.to_vec();
        flipped[i] ^= 0xff;
        inputs.push(flipped);
    }
    for input in inputs {
        let _ = decode_cert(&input);
    }
    // Truncations must be errors, never panics or partial records.
    for i in 0..cert.len() {
        assert!(decode_cert(&cert[..i]).is_err());
    }
}
