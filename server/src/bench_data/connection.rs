//! A keep-alive HTTP/1.1 client just big enough to load the server: it sends GETs and
//! reads `Content-Length` or chunked bodies, so the bench measures the server, not a client library.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
    body: Vec<u8>,
}

impl Connection {
    pub async fn open(addr: std::net::SocketAddr) -> anyhow::Result<Connection> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection { stream, buf: Vec::with_capacity(256 * 1024), body: Vec::new() })
    }

    /// Sends the request and returns the status and body length.
    pub async fn get(&mut self, request: &[u8]) -> anyhow::Result<(u16, usize)> {
        self.stream.write_all(request).await?;
        self.buf.clear();
        let head_end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            self.read_more().await?;
        };
        let head = std::str::from_utf8(&self.buf[..head_end])?.to_ascii_lowercase();
        let status: u16 =
            head.get(9..12).and_then(|s| s.parse().ok()).ok_or_else(|| anyhow::anyhow!("no status"))?;
        let length: Option<usize> =
            head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok());
        self.body.clear();
        match length {
            Some(length) => {
                while self.buf.len() < head_end + length {
                    self.read_more().await?;
                }
                self.body.extend_from_slice(&self.buf[head_end..head_end + length]);
            }
            // Server-rendered pages stream: `Transfer-Encoding: chunked`.
            None => self.read_chunks(head_end).await?,
        }
        Ok((status, self.body.len()))
    }

    /// The body of the last response.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    async fn read_chunks(&mut self, mut at: usize) -> anyhow::Result<()> {
        loop {
            let line_end = loop {
                if let Some(i) = self.buf[at..].windows(2).position(|w| w == b"\r\n") {
                    break at + i;
                }
                self.read_more().await?;
            };
            let size_text = std::str::from_utf8(&self.buf[at..line_end])?;
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)?;
            let data = line_end + 2;
            while self.buf.len() < data + size + 2 {
                self.read_more().await?;
            }
            self.body.extend_from_slice(&self.buf[data..data + size]);
            at = data + size + 2;
            if size == 0 {
                return Ok(());
            }
        }
    }

    async fn read_more(&mut self) -> anyhow::Result<()> {
        let mut chunk = [0u8; 64 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        anyhow::ensure!(n > 0, "the server closed the connection");
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}
