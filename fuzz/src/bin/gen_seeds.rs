//! Writes the seed corpus of every fuzz target, from a fresh test PKI
//! (`conformance::pki::Pki`) and real connections recorded between every
//! pair of backends over MemoryBIOs.
//!
//! `gen-seeds [DIR]` writes `DIR/<target>/<seed>` (default: `corpus/` beside
//! this crate's `Cargo.toml`, where `cargo fuzz run` looks). Existing files
//! are kept: seeds are added, never removed.

use std::path::{Path, PathBuf};

use conformance::pki::Pki;
use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::symm::Cipher;
use ssl_api::cert::keys::pem_certificates;
use ssl_api::Backend;
use ssl_fuzz::{mode_byte, record, Contexts, VARIANT_CLIENT_CERT, VARIANT_TLS12};

struct Corpus {
    root: PathBuf,
    written: usize,
}

impl Corpus {
    /// Adds `bytes` to `target`'s corpus under a name derived from its content.
    fn add(&mut self, target: &str, bytes: &[u8]) {
        let dir = self.root.join(target);
        std::fs::create_dir_all(&dir).expect("corpus directory");
        // FNV-1a: a stable name, so the same seed is written once.
        let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        std::fs::write(dir.join(format!("seed-{hash:016x}")), bytes).expect("seed file");
        self.written += 1;
    }

    fn add_prefixed(&mut self, target: &str, prefix: &[u8], bytes: &[u8]) {
        self.add(target, &[prefix, bytes].concat());
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn certificates(pki: &Pki, corpus: &mut Corpus) {
    let ids = [
        &pki.server,
        &pki.client,
        &pki.wrong_name,
        &pki.expired,
        &pki.self_signed,
        &pki.revoked,
        &pki.cn_only,
    ];
    let ca_pem = read(&pki.ca);
    let other_pem = read(&pki.other_ca);
    let crl_pem = read(&pki.crl);
    let ca_der = pem_certificates(&ca_pem).remove(0);
    let other_der = pem_certificates(&other_pem).remove(0);
    for der in ids.iter().map(|i| &i.der).chain([&ca_der, &other_der]) {
        corpus.add("cert_decode", der);
        corpus.add("pem_der", der);
        corpus.add("pem_der", ssl_api::der_cert_to_pem_cert(der).as_bytes());
    }
    corpus.add("pem_der", &read(&pki.server.cert));
    corpus.add("pem_der", &[ca_der.as_slice(), &other_der].concat());

    for (der, names) in [
        (
            &pki.server.der,
            &["localhost", "LOCALHOST", "127.0.0.1", "::1", "x.localhost"][..],
        ),
        (&pki.cn_only.der, &["localhost", "other"][..]),
        (&pki.wrong_name.der, &["wrong.example", "localhost"][..]),
    ] {
        for name in names {
            let len = u8::try_from(name.len()).expect("short name");
            corpus.add("hostname", &[&[0, len], name.as_bytes(), der].concat());
        }
    }
    for junk in [
        &b"\x01localhost\x00\x02*.example.com"[..],
        b"\x01\x7f\x00\x00\x01",
    ] {
        corpus.add("hostname", junk);
    }

    corpus.add_prefixed("cadata", &[0], &ca_pem);
    corpus.add_prefixed(
        "cadata",
        &[0],
        &[&ca_pem[..], &other_pem, &crl_pem].concat(),
    );
    corpus.add_prefixed("cadata", &[0], &crl_pem);
    corpus.add_prefixed("cadata", &[1], &ca_der);
    corpus.add_prefixed("cadata", &[1], &[ca_der.as_slice(), &other_der].concat());
}

fn keys(pki: &Pki, corpus: &mut Corpus) {
    // [password kind][password length][password][PEM]
    let mut add = |kind: u8, password: &[u8], pem: &[u8]| {
        let len = u8::try_from(password.len()).expect("short password");
        corpus.add("private_key", &[&[kind, len], password, pem].concat());
    };
    add(0, b"", &read(&pki.server.key));
    add(1, b"ignored", &read(&pki.client.key));
    let ec = EcKey::generate(&EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("P-256"))
        .expect("EC key");
    let rsa = Rsa::generate(1024).expect("RSA key");
    add(0, b"", &ec.private_key_to_pem().expect("SEC1 PEM"));
    add(0, b"", &rsa.private_key_to_pem().expect("PKCS#1 PEM"));
    for cipher in [
        Cipher::aes_128_cbc(),
        Cipher::aes_256_cbc(),
        Cipher::des_ede3_cbc(),
    ] {
        let legacy = ec
            .private_key_to_pem_passphrase(cipher, b"secret")
            .expect("legacy encrypted PEM");
        add(1, b"secret", &legacy);
        add(2, b"wrong", &legacy);
        add(4, b"", &legacy);
    }
    add(
        3,
        b"secret",
        &rsa.private_key_to_pem_passphrase(Cipher::aes_192_cbc(), b"secret")
            .expect("legacy encrypted PEM"),
    );
    let pkey = PKey::from_ec_key(ec).expect("PKey");
    let pkcs8 = pkey
        .private_key_to_pem_pkcs8_passphrase(Cipher::aes_256_cbc(), b"secret")
        .expect("encrypted PKCS#8");
    add(2, b"secret", &pkcs8);
    add(0, b"", &pkcs8);
    add(1, &[b'x'; 200], &pkcs8);
}

fn strings(corpus: &mut Corpus) {
    for t in [
        "Jan  5 09:34:43 2018 GMT",
        "May  9 00:00:00 2007 GMT",
        "Feb 29 12:00:00 2024 gmt",
        "jan 1 0:0:0 1970 GMT",
        "Dec 31 23:59:61 9999 GMT",
        "Jan  5 09:34:43 0000 GMT",
        "Jan 05 09:34:43 2018 GMT trailing",
    ] {
        corpus.add_prefixed("cert_time", &[0], t.as_bytes());
    }
    corpus.add("cert_time", &[1, 3, 5, 9, 34, 43, 7, 226]);
    for (side, s) in [
        (0, "DEFAULT"),
        (0, "HIGH:!aNULL:!eNULL:!MD5"),
        (0, "ECDHE+AESGCM:ECDHE+CHACHA20"),
        (1, "ALL:@SECLEVEL=0"),
        (1, "ECDHE-ECDSA-AES128-GCM-SHA256:!ECDSA"),
        (0, "kRSA:-AES:+3DES:@STRENGTH"),
        (1, "AES256-SHA"),
        (0, "!ALL"),
        (0, "RC4-MD5"),
        (1, "TLS_AES_128_GCM_SHA256"),
    ] {
        corpus.add_prefixed("cipher_string", &[side], s.as_bytes());
    }
    // A few operation sequences for the model check (arbitrary's encoding).
    for ops in [
        &b"\x00\x05hello\x02\x01\x03\x00\x07\x00"[..],
        b"\x01\xff\x40\x06\x00\x10\x05\xff\x00\x04\x20\x00",
        b"\x00\x03abc\x07\x00\x02\x00\x00\x00",
    ] {
        corpus.add("memory_bio", ops);
    }
}

/// Records connections between clients of `C` and servers of `S`: TLS 1.3,
/// TLS 1.2 and a client certificate.
fn flights<C: Backend, S: Backend>(cc: &Contexts<C>, sc: &Contexts<S>, corpus: &mut Corpus) {
    for (cv, sv) in [
        (0, 0),
        (VARIANT_TLS12, VARIANT_TLS12),
        (3, VARIANT_CLIENT_CERT),
    ] {
        if !sc.server_supported[usize::from(sv)] {
            continue;
        }
        let f = record::<C, S>(&cc.clients[usize::from(cv)], &sc.servers[usize::from(sv)]);
        assert!(
            f.established,
            "{} client {cv} -> {} server {sv}: no handshake",
            C::NAME,
            S::NAME
        );
        let client_target = format!("object_{}_client", C::NAME);
        let server_target = format!("object_{}_server", S::NAME);
        for (chunk, eof, write, unwrap) in [(0, false, true, true), (2, true, false, false)] {
            let m = mode_byte(cv, chunk, eof, write, unwrap);
            corpus.add_prefixed(&client_target, &[m], &f.to_client);
            let m = mode_byte(sv, chunk, eof, write, unwrap);
            corpus.add_prefixed(&server_target, &[m], &f.to_server);
        }
        // The record tap reads the same streams, in pieces of 1 and 17 bytes.
        for piece in [0, 16] {
            corpus.add_prefixed("record_tap", &[piece], &f.to_client);
            corpus.add_prefixed("record_tap", &[piece], &f.to_server);
        }
    }
}

fn main() {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"));
    let mut corpus = Corpus { root, written: 0 };
    let pki = Pki::generate();
    certificates(&pki, &mut corpus);
    keys(&pki, &mut corpus);
    strings(&mut corpus);

    use backend_native::Native;
    use backend_openssl::OpenSsl;
    use backend_rustls::Rustls;
    let (r, o, n) = (
        Contexts::<Rustls>::new(&pki),
        Contexts::<OpenSsl>::new(&pki),
        Contexts::<Native>::new(&pki),
    );
    flights(&r, &r, &mut corpus);
    flights(&r, &o, &mut corpus);
    flights(&r, &n, &mut corpus);
    flights(&o, &r, &mut corpus);
    flights(&o, &o, &mut corpus);
    flights(&o, &n, &mut corpus);
    flights(&n, &r, &mut corpus);
    flights(&n, &o, &mut corpus);
    flights(&n, &n, &mut corpus);
    println!(
        "gen-seeds: {} seeds in {}",
        corpus.written,
        corpus.root.display()
    );
}
