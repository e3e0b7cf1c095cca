//! Reaching the server: TCP (directly, or through an HTTP proxy's `CONNECT` tunnel), then TLS
//! for `wss://`. Each failure carries its [`Failure`] kind.

use crate::error::{ConnectionError, Failure};
use crate::proxy::Proxy;
use crate::transport::Transport;
use crate::ws_handshake::Target;
use rustls_pki_types::ServerName;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Opens the byte stream to `target`: through `proxy` unless its `NO_PROXY` rules exempt the
/// host, under TLS when the target is `wss://`.
///
/// It has no timeout of its own: the whole attempt (this, the upgrade and the first frame)
/// is bounded by the attempt timeout of [`crate::ClientOptions::attempt_timeout`].
pub(crate) async fn dial(
    target: &Target,
    tls: Arc<rustls::ClientConfig>,
    proxy: Option<&Proxy>,
) -> Result<Transport, ConnectionError> {
    let (host, port) = (target.host.as_str(), target.port);
    let tcp = match proxy.filter(|p| p.applies_to(host)) {
        Some(p) => p.connect(host, port).await?,
        None => TcpStream::connect((host, port)).await.map_err(|e| {
            ConnectionError::socket(
                Failure::Connect,
                format!("cannot connect to {host}:{port}: {e}"),
            )
        })?,
    };
    let _ = tcp.set_nodelay(true);
    if !target.tls {
        return Ok(Transport::Plain(tcp));
    }
    let tls_error = |message: String| ConnectionError::socket(Failure::Tls, message);
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| tls_error(format!("invalid TLS server name {host}: {e}")))?;
    let stream = TlsConnector::from(tls)
        .connect(name, tcp)
        .await
        .map_err(|e| tls_error(format!("TLS handshake with {host}:{port} failed: {e}")))?;
    Ok(Transport::Tls(Box::new(stream)))
}
