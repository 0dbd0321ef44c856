//! `keylog_filename` (X23+): NSS key log lines appended to the named file, as
//! OpenSSL's keylog callback in CPython writes them.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

/// Appends `LABEL client_random secret` lines to a file.
#[derive(Debug)]
pub(crate) struct FileKeyLog {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileKeyLog {
    pub fn new(path: PathBuf) -> Self {
        FileKeyLog {
            path,
            lock: Mutex::new(()),
        }
    }
}

impl rustls::KeyLog for FileKeyLog {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let line = format!(
            "{label} {} {}\n",
            ssl_api::pyvalue::hex_lower(client_random),
            ssl_api::pyvalue::hex_lower(secret)
        );
        // A key log is best-effort diagnostics, as in OpenSSL: a write failure
        // must not break the connection.
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
        {
            let _ = f.write_all(line.as_bytes());
        }
    }
}
