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

impl Pki {
    /// An RSA-2048 server certificate for `localhost` (self-signed; trust it
    /// as its own CA) and its key, written by the `openssl` tool: the DHE
    /// suites need an RSA certificate (rcgen generates ECDSA keys here).
    pub fn rsa_server(&self) -> Result<Identity, String> {
        let cert = self.dir.path().join("rsa-server.pem");
        let key = self.dir.path().join("rsa-server.key");
        run_openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            path_str(&key)?,
            "-out",
            path_str(&cert)?,
            "-days",
            "30",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])?;
        let pem = std::fs::read_to_string(&cert).map_err(|e| e.to_string())?;
        let der = ::pem::parse(pem)
            .map_err(|e| e.to_string())?
            .into_contents();
        Ok(Identity { cert, key, der })
    }

    /// RFC 7919 ffdhe2048 parameters as a `DH PARAMETERS` PEM file (X17).
    pub fn dh_params(&self) -> Result<PathBuf, String> {
        let out = self.dir.path().join("dh.pem");
        run_openssl(&[
            "genpkey",
            "-genparam",
            "-algorithm",
            "DH",
            "-pkeyopt",
            "group:ffdhe2048",
            "-out",
            path_str(&out)?,
        ])?;
        Ok(out)
    }
}

fn path_str(p: &Path) -> Result<&str, String> {
    p.to_str()
        .ok_or_else(|| format!("non-UTF-8 path {}", p.display()))
}

fn run_openssl(args: &[&str]) -> Result<(), String> {
    let out = std::process::Command::new("openssl")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run openssl: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "openssl {} failed: {}",
            args.first().unwrap_or(&""),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write test file");
    path
}
