//! Test certificates, generated fresh in every run with rcgen (never fetched):
//! a CA, a server certificate for `localhost` / 127.0.0.1 / ::1, a client
//! certificate, and the odd ones failure cases need (expired, self-signed,
//! wrong name, other CA). Files are written to a temporary directory because
//! `load_cert_chain` and `load_verify_locations` take paths, as in Python.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, RevocationReason, RevokedCertParams,
    SerialNumber,
};

/// A certificate with its key, as PEM files.
#[derive(Clone, Debug)]
pub struct Identity {
    /// The certificate chain file (leaf first).
    pub cert: PathBuf,
    /// The private key file (PKCS#8 PEM).
    pub key: PathBuf,
    /// The leaf certificate's DER.
    pub der: Vec<u8>,
}

/// Everything a case needs, in one temporary directory that lives as long as this.
pub struct Pki {
    dir: tempfile::TempDir,
    /// The CA file that signed `server` and `client`.
    pub ca: PathBuf,
    /// A different CA, that signed nothing here.
    pub other_ca: PathBuf,
    /// Server certificate for `localhost`, `127.0.0.1`, `::1` (signed by `ca`).
    pub server: Identity,
    /// Client certificate (signed by `ca`, clientAuth).
    pub client: Identity,
    /// Server certificate for `wrong.example` only (signed by `ca`).
    pub wrong_name: Identity,
    /// Server certificate valid in the past only (signed by `ca`).
    pub expired: Identity,
    /// Self-signed server certificate for `localhost` (its own CA).
    pub self_signed: Identity,
    /// Server certificate for `localhost` that `crl` revokes (signed by `ca`).
    pub revoked: Identity,
    /// Server certificate with commonName `localhost` and no subjectAltName.
    pub cn_only: Identity,
    /// A CRL of `ca` revoking `revoked`.
    pub crl: PathBuf,
    /// A CRL of `ca` revoking nothing.
    pub empty_crl: PathBuf,
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("static params");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, cn);
    p.distinguished_name
        .push(DnType::OrganizationName, "ssl-rs conformance");
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p
}

fn leaf_params(cn: &str, names: &[&str], client: bool) -> CertificateParams {
    let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .expect("valid names");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.extended_key_usages = vec![if client {
        ExtendedKeyUsagePurpose::ClientAuth
    } else {
        ExtendedKeyUsagePurpose::ServerAuth
    }];
    p
}

impl Pki {
    /// Generates the whole set (ECDSA P-256 keys).
    pub fn generate() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let ca_key = KeyPair::generate().expect("key");
        let ca_cert = ca_params("Conformance CA")
            .self_signed(&ca_key)
            .expect("ca");
        let other_key = KeyPair::generate().expect("key");
        let other_cert = ca_params("Other CA").self_signed(&other_key).expect("ca");
        let ca = write(dir.path(), "ca.pem", &ca_cert.pem());
        let other_ca = write(dir.path(), "other-ca.pem", &other_cert.pem());

        let issue = |name: &str, params: CertificateParams, self_signed: bool| -> Identity {
            let key = KeyPair::generate().expect("key");
            let cert = if self_signed {
                params.self_signed(&key).expect("cert")
            } else {
                params.signed_by(&key, &ca_cert, &ca_key).expect("cert")
            };
            Identity {
                cert: write(dir.path(), &format!("{name}.pem"), &cert.pem()),
                key: write(dir.path(), &format!("{name}.key"), &key.serialize_pem()),
                der: cert.der().to_vec(),
            }
        };
        let server = issue(
            "server",
            leaf_params("localhost", &["localhost", "127.0.0.1", "::1"], false),
            false,
        );
        let client = issue("client", leaf_params("client", &[], true), false);
        let wrong_name = issue(
            "wrong-name",
            leaf_params("wrong.example", &["wrong.example"], false),
            false,
        );
        let mut expired_params = leaf_params("localhost", &["localhost"], false);
        expired_params.not_before = rcgen::date_time_ymd(2001, 1, 1);
        expired_params.not_after = rcgen::date_time_ymd(2002, 1, 1);
        let expired = issue("expired", expired_params, false);
        let mut revoked_params = leaf_params("localhost", &["localhost"], false);
        revoked_params.serial_number = Some(SerialNumber::from(vec![0x0b, 0xad]));
        let revoked = issue("revoked", revoked_params, false);
        let crl_with = |revoked_certs: Vec<RevokedCertParams>, number: u64| {
            CertificateRevocationListParams {
                this_update: rcgen::date_time_ymd(2020, 1, 1),
                next_update: rcgen::date_time_ymd(2099, 1, 1),
                crl_number: SerialNumber::from(number),
                issuing_distribution_point: None,
                revoked_certs,
                key_identifier_method: rcgen::KeyIdMethod::Sha256,
            }
            .signed_by(&ca_cert, &ca_key)
            .expect("crl")
            .pem()
            .expect("crl pem")
        };
        let crl = write(
            dir.path(),
            "crl.pem",
            &crl_with(
                vec![RevokedCertParams {
                    serial_number: SerialNumber::from(vec![0x0b, 0xad]),
                    revocation_time: rcgen::date_time_ymd(2021, 1, 1),
                    reason_code: Some(RevocationReason::KeyCompromise),
                    invalidity_date: None,
                }],
                1,
            ),
        );
        let cn_only = issue("cn-only", leaf_params("localhost", &[], false), false);
        let empty_crl = write(dir.path(), "empty-crl.pem", &crl_with(Vec::new(), 2));
        let self_signed = issue(
            "self-signed",
            leaf_params("localhost", &["localhost"], false),
            true,
        );
        Pki {
            dir,
            ca,
            other_ca,
            server,
            client,
            wrong_name,
            expired,
            self_signed,
            revoked,
            cn_only,
            crl,
            empty_crl,
        }
    }

    /// The directory holding the files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` to a new file in the directory.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        write(self.dir.path(), name, contents)
    }
}

impl Pki {
    /// The server key encrypted as PKCS#8 (PBES2, AES-256-CBC) with `password`,
    /// written by the `openssl` command-line tool (an external judge, as CPython
    /// users make such keys).
    pub fn encrypted_server_key(&self, password: &str) -> Result<PathBuf, String> {
        let out = self.dir.path().join("server-encrypted.key");
        let status = std::process::Command::new("openssl")
            .args(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in"])
            .arg(&self.server.key)
            .arg("-out")
            .arg(&out)
            .arg("-passout")
            .arg(format!("pass:{password}"))
            .status()
            .map_err(|e| format!("cannot run openssl: {e}"))?;
        if !status.success() {
            return Err(format!("openssl pkcs8 failed: {status}"));
        }
        Ok(out)
    }
}

/// Key file formats `load_cert_chain` must read (X7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyForm {
    /// `RSA PRIVATE KEY` (PKCS#1), RSA-2048.
    RsaPkcs1,
    /// `EC PRIVATE KEY` (SEC1), P-256.
    EcSec1,
    /// OpenSSL's legacy encrypted PEM (`Proc-Type: 4,ENCRYPTED`, AES-256-CBC), RSA.
    RsaLegacyEncrypted,
}

impl Pki {
    /// A self-signed `localhost` certificate and its key in `form`, made by the
    /// `openssl` tool (the password of the encrypted form is `secret`).
    pub fn openssl_identity(&self, form: KeyForm) -> Result<Identity, String> {
        let run = |args: &[&str]| run_openssl(self.dir.path(), args);
        let tag = format!("{form:?}");
        let (cert, key0, key) = (
            format!("{tag}.crt"),
            format!("{tag}.p8"),
            format!("{tag}.key"),
        );
        let newkey = match form {
            KeyForm::EcSec1 => "ec",
            _ => "rsa:2048",
        };
        let mut req = vec!["req", "-x509", "-newkey", newkey];
        if form == KeyForm::EcSec1 {
            req.extend(["-pkeyopt", "ec_paramgen_curve:P-256"]);
        }
        req.extend([
            "-nodes",
            "-keyout",
            &key0,
            "-out",
            &cert,
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ]);
        run(&req)?;
        match form {
            KeyForm::RsaPkcs1 => run(&["rsa", "-in", &key0, "-traditional", "-out", &key])?,
            KeyForm::EcSec1 => run(&["ec", "-in", &key0, "-out", &key])?,
            KeyForm::RsaLegacyEncrypted => run(&[
                "rsa",
                "-in",
                &key0,
                "-traditional",
                "-aes256",
                "-passout",
                "pass:secret",
                "-out",
                &key,
            ])?,
        }
        let pem =
            std::fs::read_to_string(self.dir.path().join(&cert)).map_err(|e| e.to_string())?;
        let der = ssl_api::pem_cert_to_der_cert(&pem).map_err(|e| e.to_string())?;
        Ok(Identity {
            cert: self.dir.path().join(cert),
            key: self.dir.path().join(key),
            der,
        })
    }

    /// An RSA-2048 server certificate for `localhost` (self-signed; trust it
    /// as its own CA) and its key: the DHE suites need an RSA certificate.
    pub fn rsa_server(&self) -> Result<Identity, String> {
        self.openssl_identity(KeyForm::RsaPkcs1)
    }

    /// RFC 7919 ffdhe2048 parameters as a `DH PARAMETERS` PEM file (X17),
    /// written by the `openssl` tool.
    pub fn dh_params(&self) -> Result<PathBuf, String> {
        run_openssl(
            self.dir.path(),
            &[
                "genpkey",
                "-genparam",
                "-algorithm",
                "DH",
                "-pkeyopt",
                "group:ffdhe2048",
                "-out",
                "dh.pem",
            ],
        )?;
        Ok(self.dir.path().join("dh.pem"))
    }

    /// A hashed CA directory (`capath`) holding `ca` as `<subject hash>.0`,
    /// named by the `openssl` tool as `c_rehash` would.
    pub fn hashed_ca_dir(&self) -> Result<PathBuf, String> {
        let out = std::process::Command::new("openssl")
            .args(["x509", "-subject_hash", "-noout", "-in"])
            .arg(&self.ca)
            .output()
            .map_err(|e| format!("cannot run openssl: {e}"))?;
        let hash = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !out.status.success() || hash.len() != 8 {
            return Err(format!("openssl x509 -subject_hash gave {hash:?}"));
        }
        let dir = self.dir.path().join("capath");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        std::fs::copy(&self.ca, dir.join(format!("{hash}.0"))).map_err(|e| e.to_string())?;
        Ok(dir)
    }
}

/// Runs the `openssl` tool in `dir`; its stderr becomes the error.
fn run_openssl(dir: &Path, args: &[&str]) -> Result<(), String> {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run openssl: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write test file");
    path
}

/// The key-derivation parameters of a PBES2 `ENCRYPTED PRIVATE KEY` (X7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KdfParams {
    /// PBKDF2 with this iteration count.
    Pbkdf2 {
        /// The iteration count.
        iterations: u64,
    },
    /// scrypt with cost `n`, block size `r`, parallelization `p`.
    Scrypt {
        /// N (a power of two).
        n: u64,
        /// r.
        r: u64,
        /// p.
        p: u64,
    },
}

impl Pki {
    /// The server key encrypted (PBES2, AES-256-CBC, password `secret`) by
    /// the `openssl` tool with its default KDF parameters: scrypt N=16384,
    /// r=8, p=1 when `scrypt`, else PBKDF2-HMAC-SHA256 with 2048 iterations.
    pub fn encrypted_server_key_with(&self, scrypt: bool) -> Result<PathBuf, String> {
        let name = if scrypt { "scrypt.p8" } else { "pbkdf2.p8" };
        let key = self.server.key.to_string_lossy().into_owned();
        let mut args = vec!["pkcs8", "-topk8", "-v2", "aes-256-cbc"];
        if scrypt {
            args.push("-scrypt");
        }
        args.extend(["-in", &key, "-out", name, "-passout", "pass:secret"]);
        run_openssl(self.dir.path(), &args)?;
        Ok(self.dir.path().join(name))
    }

    /// A copy of the PBES2 key file `key` with its KDF's numbers replaced by
    /// `params` (the same KDF; salt, cipher and ciphertext unchanged): the
    /// hostile keys no tool writes, since the tool would have to derive them.
    /// Written to the file `name` in the directory.
    pub fn with_kdf_params(
        &self,
        key: &Path,
        params: KdfParams,
        name: &str,
    ) -> Result<PathBuf, String> {
        let text = std::fs::read(key).map_err(|e| format!("read {key:?}: {e}"))?;
        let block = pem::parse(text).map_err(|e| format!("PEM: {e}"))?;
        let mut tree = Der::parse(block.contents()).ok_or("the key's DER does not parse")?;
        // EncryptedPrivateKeyInfo.{algorithm}.{parameters}.{kdf}.{parameters}
        let kdf = [0, 1, 0, 1]
            .iter()
            .try_fold(&mut tree, |node, &i| node.child(i))
            .ok_or("no PBES2 KDF parameters")?;
        // The INTEGERs after the salt: the iteration count, or N, r, p.
        let values = match params {
            KdfParams::Pbkdf2 { iterations } => vec![iterations],
            KdfParams::Scrypt { n, r, p } => vec![n, r, p],
        };
        let Der::Cons(_, fields) = kdf else {
            return Err("KDF parameters are not a SEQUENCE".into());
        };
        let ints = fields
            .iter_mut()
            .filter(|f| matches!(f, Der::Prim(0x02, _)))
            .take(values.len());
        let mut replaced = 0;
        for (field, v) in ints.zip(&values) {
            let mut bytes = v.to_be_bytes().to_vec();
            while bytes.len() > 1 && bytes[0] == 0 && bytes[1] < 0x80 {
                bytes.remove(0);
            }
            if bytes[0] >= 0x80 {
                bytes.insert(0, 0);
            }
            *field = Der::Prim(0x02, bytes);
            replaced += 1;
        }
        if replaced != values.len() {
            return Err(format!(
                "the KDF has {replaced} INTEGERs, not {}",
                values.len()
            ));
        }
        let pem = pem::encode(&pem::Pem::new("ENCRYPTED PRIVATE KEY", tree.encode()));
        Ok(write(self.dir.path(), name, &pem))
    }
}

/// A DER tree, just enough to change INTEGERs inside nested SEQUENCEs.
enum Der {
    Prim(u8, Vec<u8>),
    Cons(u8, Vec<Der>),
}

impl Der {
    fn parse(input: &[u8]) -> Option<Der> {
        let (node, rest) = Self::parse_one(input)?;
        rest.is_empty().then_some(node)
    }

    fn parse_one(input: &[u8]) -> Option<(Der, &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            let (len, tail) = (rest.get(..n)?, &rest[n..]);
            rest = tail;
            len.iter().fold(0, |acc, &b| (acc << 8) | usize::from(b))
        };
        let (body, rest) = (rest.get(..len)?, &rest[len..]);
        if tag & 0x20 == 0 {
            return Some((Der::Prim(tag, body.to_vec()), rest));
        }
        let mut children = Vec::new();
        let mut body = body;
        while !body.is_empty() {
            let (child, tail) = Self::parse_one(body)?;
            children.push(child);
            body = tail;
        }
        Some((Der::Cons(tag, children), rest))
    }

    fn child(&mut self, i: usize) -> Option<&mut Der> {
        match self {
            Der::Cons(_, c) => c.get_mut(i),
            Der::Prim(..) => None,
        }
    }

    fn encode(&self) -> Vec<u8> {
        let (tag, body) = match self {
            Der::Prim(tag, body) => (*tag, body.clone()),
            Der::Cons(tag, children) => (*tag, children.iter().flat_map(Der::encode).collect()),
        };
        let mut out = vec![tag];
        if body.len() < 0x80 {
            out.push(body.len() as u8);
        } else {
            let len = body.len().to_be_bytes();
            let len = &len[len.iter().position(|&b| b != 0).unwrap_or(len.len() - 1)..];
            out.push(0x80 | len.len() as u8);
            out.extend_from_slice(len);
        }
        out.extend(body);
        out
    }
}

/// A server identity issued through an intermediate CA, in memory: a root,
/// an intermediate it signed, and a `localhost` leaf the intermediate signed.
pub struct ChainedIdentity {
    /// The root certificate (PEM), the only one a client should trust.
    pub root_pem: String,
    /// The leaf then the intermediate, PEM.
    pub chain_pem: String,
    /// The leaf then the intermediate, concatenated DER.
    pub chain_der: Vec<u8>,
    /// The leaf's key, PKCS#8 PEM.
    pub key_pem: String,
}

impl ChainedIdentity {
    /// Generates the three certificates and the leaf key (ECDSA P-256).
    pub fn generate() -> Result<Self, String> {
        let e = |e: rcgen::Error| e.to_string();
        let root_key = KeyPair::generate().map_err(e)?;
        let root = ca_params("Chain Root").self_signed(&root_key).map_err(e)?;
        let mid_key = KeyPair::generate().map_err(e)?;
        let mid = ca_params("Chain Intermediate")
            .signed_by(&mid_key, &root, &root_key)
            .map_err(e)?;
        let leaf_key = KeyPair::generate().map_err(e)?;
        let leaf = leaf_params("localhost", &["localhost"], false)
            .signed_by(&leaf_key, &mid, &mid_key)
            .map_err(e)?;
        Ok(ChainedIdentity {
            root_pem: root.pem(),
            chain_pem: format!("{}{}", leaf.pem(), mid.pem()),
            chain_der: [leaf.der().as_ref(), mid.der().as_ref()].concat(),
            key_pem: leaf_key.serialize_pem(),
        })
    }
}
