//! `SSLSocket.makefile()` (S1): buffered reading and writing over a stream.

use std::io::{self, BufRead, Read, Write};

use super::SslStream;
use crate::backend::Backend;
use crate::error::Result;
use crate::transport::Endpoint;

/// The `makefile()` buffer size (`io.DEFAULT_BUFFER_SIZE`).
const FILE_BUFFER: usize = 8192;

/// What `SSLSocket.makefile('rwb')` gives (S1): buffered reading (with
/// [`BufRead::read_line`] / [`SocketFile::readline`]) and buffered writing
/// over one socket. Written bytes go out on [`Write::flush`] and on drop.
pub struct SocketFile<'a, B: Backend, E: Endpoint = socket2::Socket> {
    sock: &'a mut SslStream<B, E>,
    rbuf: Box<[u8]>,
    rpos: usize,
    rlen: usize,
    wbuf: Vec<u8>,
}

impl<'a, B: Backend, E: Endpoint> SocketFile<'a, B, E> {
    pub(crate) fn new(sock: &'a mut SslStream<B, E>) -> Self {
        SocketFile {
            sock,
            rbuf: vec![0u8; FILE_BUFFER].into_boxed_slice(),
            rpos: 0,
            rlen: 0,
            wbuf: Vec::with_capacity(FILE_BUFFER),
        }
    }

    /// `readline()`: bytes up to and including the next `\n` (empty at EOF).
    pub fn readline(&mut self) -> Result<Vec<u8>> {
        let mut line = Vec::new();
        self.read_until(b'\n', &mut line)?;
        Ok(line)
    }

    /// The socket underneath.
    pub fn socket(&mut self) -> &mut SslStream<B, E> {
        self.sock
    }
}

impl<B: Backend, E: Endpoint> Read for SocketFile<'_, B, E> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.rpos == self.rlen && out.len() >= self.rbuf.len() {
            return Read::read(self.sock, out);
        }
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<B: Backend, E: Endpoint> BufRead for SocketFile<'_, B, E> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.rpos == self.rlen {
            // Written bytes go out before we wait for an answer.
            Write::flush(self)?;
            self.rlen = Read::read(self.sock, &mut self.rbuf)?;
            self.rpos = 0;
        }
        Ok(&self.rbuf[self.rpos..self.rlen])
    }

    fn consume(&mut self, amt: usize) {
        self.rpos = (self.rpos + amt).min(self.rlen);
    }
}

impl<B: Backend, E: Endpoint> Write for SocketFile<'_, B, E> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.wbuf.len() + data.len() > FILE_BUFFER {
            Write::flush(self)?;
        }
        if data.len() >= FILE_BUFFER {
            self.sock.sendall(data, 0)?;
        } else {
            self.wbuf.extend_from_slice(data);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.wbuf.is_empty() {
            let data = std::mem::take(&mut self.wbuf);
            self.sock.sendall(&data, 0)?;
        }
        Ok(())
    }
}

impl<B: Backend, E: Endpoint> Drop for SocketFile<'_, B, E> {
    fn drop(&mut self) {
        let _ = Write::flush(self);
    }
}
