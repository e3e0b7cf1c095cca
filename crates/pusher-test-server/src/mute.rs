//! A stream wrapper that can swallow everything written to it.
//!
//! A silent connection keeps reading (so a client's close is noticed) but
//! must not answer, not even with the pongs tungstenite queues on its own.
//! While muted, writes report success and go nowhere. The connection task
//! flips the flag only between whole frames.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// `S`, with writes dropped while `muted` is set.
pub(crate) struct MuteStream<S> {
    inner: S,
    muted: Arc<AtomicBool>,
}

impl<S> MuteStream<S> {
    /// Wraps `inner`; `muted` is the switch.
    pub fn new(inner: S, muted: Arc<AtomicBool>) -> Self {
        Self { inner, muted }
    }

    /// The wrapped stream.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    fn is_muted(&self) -> bool {
        self.muted.load(Ordering::SeqCst)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for MuteStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for MuteStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.is_muted() {
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.is_muted() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn muted_writes_vanish() {
        let (near, mut far) = tokio::io::duplex(64);
        let muted = Arc::new(AtomicBool::new(true));
        let mut stream = MuteStream::new(near, muted.clone());
        stream.write_all(b"lost").await.unwrap();
        muted.store(false, Ordering::SeqCst);
        stream.write_all(b"kept").await.unwrap();
        let mut buf = [0u8; 4];
        far.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"kept");
    }
}
