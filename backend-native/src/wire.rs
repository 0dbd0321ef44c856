//! What native-tls does not report but the handshake says in plaintext: the
//! negotiated protocol version and cipher suite (S5 `cipher()`, S11
//! `version()`), read from the ServerHello as it passes through the
//! MemoryBIOs. The ServerHello is never encrypted (TLS 1.2 and 1.3 alike), so
//! this works the same over OpenSSL, schannel and Security.framework.

/// The version and suite a ServerHello selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Negotiated {
    /// The wire version (0x0303 TLS 1.2, 0x0304 TLS 1.3, ...).
    pub version: u16,
    /// The IANA cipher suite number.
    pub suite: u16,
}

impl Negotiated {
    /// Python's `version()` string.
    pub fn version_name(self) -> Option<&'static str> {
        Some(match self.version {
            0x0300 => "SSLv3",
            0x0301 => "TLSv1",
            0x0302 => "TLSv1.1",
            0x0303 => "TLSv1.2",
            0x0304 => "TLSv1.3",
            _ => return None,
        })
    }

    /// Python's `cipher()` triple `(OpenSSL name, protocol, secret bits)`.
    pub fn cipher(self) -> Option<ssl_api::CipherTriple> {
        let (_, name, protocol, bits) = SUITES.iter().find(|s| s.0 == self.suite)?;
        Some(ssl_api::CipherTriple {
            name: (*name).to_owned(),
            protocol: (*protocol).to_owned(),
            bits: *bits,
        })
    }
}

/// `(IANA number, OpenSSL name, protocol that defined it, secret bits)` of the
/// suites the three platform libraries negotiate.
const SUITES: &[(u16, &str, &str, u32)] = &[
    (0x1301, "TLS_AES_128_GCM_SHA256", "TLSv1.3", 128),
    (0x1302, "TLS_AES_256_GCM_SHA384", "TLSv1.3", 256),
    (0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLSv1.3", 256),
    (0xc02b, "ECDHE-ECDSA-AES128-GCM-SHA256", "TLSv1.2", 128),
    (0xc02c, "ECDHE-ECDSA-AES256-GCM-SHA384", "TLSv1.2", 256),
    (0xc02f, "ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2", 128),
    (0xc030, "ECDHE-RSA-AES256-GCM-SHA384", "TLSv1.2", 256),
    (0xcca8, "ECDHE-RSA-CHACHA20-POLY1305", "TLSv1.2", 256),
    (0xcca9, "ECDHE-ECDSA-CHACHA20-POLY1305", "TLSv1.2", 256),
    (0xccaa, "DHE-RSA-CHACHA20-POLY1305", "TLSv1.2", 256),
    (0x009e, "DHE-RSA-AES128-GCM-SHA256", "TLSv1.2", 128),
    (0x009f, "DHE-RSA-AES256-GCM-SHA384", "TLSv1.2", 256),
    (0x009c, "AES128-GCM-SHA256", "TLSv1.2", 128),
    (0x009d, "AES256-GCM-SHA384", "TLSv1.2", 256),
    (0xc023, "ECDHE-ECDSA-AES128-SHA256", "TLSv1.2", 128),
    (0xc024, "ECDHE-ECDSA-AES256-SHA384", "TLSv1.2", 256),
    (0xc027, "ECDHE-RSA-AES128-SHA256", "TLSv1.2", 128),
    (0xc028, "ECDHE-RSA-AES256-SHA384", "TLSv1.2", 256),
    (0xc009, "ECDHE-ECDSA-AES128-SHA", "TLSv1", 128),
    (0xc00a, "ECDHE-ECDSA-AES256-SHA", "TLSv1", 256),
    (0xc013, "ECDHE-RSA-AES128-SHA", "TLSv1", 128),
    (0xc014, "ECDHE-RSA-AES256-SHA", "TLSv1", 256),
    (0x003c, "AES128-SHA256", "TLSv1.2", 128),
    (0x003d, "AES256-SHA256", "TLSv1.2", 256),
    (0x002f, "AES128-SHA", "SSLv3", 128),
    (0x0035, "AES256-SHA", "SSLv3", 256),
];

/// Collects the server-to-client TLS records until the ServerHello is complete.
#[derive(Debug, Default)]
pub(crate) struct HelloSnoop {
    records: Vec<u8>,
    handshake: Vec<u8>,
    found: Option<Negotiated>,
    gave_up: bool,
}

/// Stop looking after this many bytes (a ServerHello is far smaller).
const LIMIT: usize = 64 * 1024;

impl HelloSnoop {
    /// What the ServerHello said, once it has passed.
    pub fn negotiated(&self) -> Option<Negotiated> {
        self.found
    }

    /// Feeds bytes the server sent.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.found.is_some() || self.gave_up {
            return;
        }
        self.records.extend_from_slice(bytes);
        loop {
            if self.records.len() < 5 {
                break;
            }
            let len = usize::from(u16::from_be_bytes([self.records[3], self.records[4]]));
            if self.records.len() < 5 + len {
                break;
            }
            let content_type = self.records[0];
            if content_type != 22 {
                // Anything but a plaintext handshake record before the
                // ServerHello: not a TLS server we can read (or an alert).
                self.gave_up = true;
                return;
            }
            self.handshake.extend_from_slice(&self.records[5..5 + len]);
            self.records.drain(..5 + len);
            if let Some(n) = parse_server_hello(&self.handshake) {
                self.found = Some(n);
                self.records = Vec::new();
                self.handshake = Vec::new();
                return;
            }
        }
        if self.records.len() + self.handshake.len() > LIMIT {
            self.gave_up = true;
        }
    }
}

/// Parses a complete ServerHello at the start of `hs` (handshake messages).
fn parse_server_hello(hs: &[u8]) -> Option<Negotiated> {
    if hs.len() < 4 || hs[0] != 2 {
        return None;
    }
    let len = (usize::from(hs[1]) << 16) | (usize::from(hs[2]) << 8) | usize::from(hs[3]);
    let body = hs.get(4..4 + len)?;
    let legacy_version = u16::from_be_bytes([*body.first()?, *body.get(1)?]);
    let mut rest = body.get(2 + 32..)?; // version, random
    let sid_len = usize::from(*rest.first()?);
    rest = rest.get(1 + sid_len..)?;
    let suite = u16::from_be_bytes([*rest.first()?, *rest.get(1)?]);
    rest = rest.get(3..)?; // suite, compression method
    let mut version = legacy_version;
    if rest.len() >= 2 {
        let ext_len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        let mut exts = rest.get(2..2 + ext_len)?;
        while exts.len() >= 4 {
            let ty = u16::from_be_bytes([exts[0], exts[1]]);
            let l = usize::from(u16::from_be_bytes([exts[2], exts[3]]));
            let data = exts.get(4..4 + l)?;
            if ty == 0x002b && data.len() == 2 {
                version = u16::from_be_bytes([data[0], data[1]]);
            }
            exts = &exts[4 + l..];
        }
    }
    Some(Negotiated { version, suite })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello(version_ext: Option<u16>, suite: u16) -> Vec<u8> {
        let mut body = vec![0x03, 0x03];
        body.extend([7u8; 32]);
        body.push(0); // empty session id
        body.extend(suite.to_be_bytes());
        body.push(0);
        if let Some(v) = version_ext {
            let ext = [0x00, 0x2b, 0x00, 0x02, (v >> 8) as u8, v as u8];
            body.extend((ext.len() as u16).to_be_bytes());
            body.extend(ext);
        }
        let mut hs = vec![2, 0, (body.len() >> 8) as u8, body.len() as u8];
        hs.extend(body);
        let mut rec = vec![22, 3, 3, (hs.len() >> 8) as u8, hs.len() as u8];
        rec.extend(hs);
        rec
    }

    #[test]
    fn reads_tls13_from_supported_versions_across_fragments() {
        let rec = hello(Some(0x0304), 0x1302);
        let mut s = HelloSnoop::default();
        for b in rec.chunks(3) {
            s.feed(b);
        }
        let n = s.negotiated().unwrap();
        assert_eq!(n.version_name(), Some("TLSv1.3"));
        assert_eq!(n.cipher().unwrap().name, "TLS_AES_256_GCM_SHA384");
    }

    #[test]
    fn reads_tls12_from_legacy_version() {
        let mut s = HelloSnoop::default();
        s.feed(&hello(None, 0xcca9));
        let n = s.negotiated().unwrap();
        assert_eq!(n.version_name(), Some("TLSv1.2"));
        let c = n.cipher().unwrap();
        assert_eq!(
            (c.name.as_str(), c.bits),
            ("ECDHE-ECDSA-CHACHA20-POLY1305", 256)
        );
    }

    #[test]
    fn gives_up_on_alerts_and_plaintext() {
        let mut s = HelloSnoop::default();
        s.feed(&[21, 3, 3, 0, 2, 2, 40]);
        s.feed(&hello(None, 0x1301));
        assert_eq!(s.negotiated(), None);
    }
}
