//! A scriptable Pusher Channels (protocol 7) server on loopback, WebSocket and HTTP, for
//! tests and benchmarks.
//!
//! The server speaks enough of the protocol for a client to connect, subscribe
//! to public, private, presence, encrypted and cache channels, sign in (with
//! a watchlist) and send client events. Subscription counts are opt-in
//! ([`ServerOptions::subscription_count`]).
//! A test drives it from the outside: it pushes events, inspects what the
//! clients sent, and injects faults (close codes, dropped sockets, silence,
//! broken handshakes).
//!
//! # Quick start
//!
//! ```no_run
//! use std::time::Duration;
//! use pusher_test_server::{ServerOptions, TestServer};
//!
//! # async fn run() -> std::io::Result<()> {
//! let server = TestServer::start(ServerOptions::default()).await?;
//! let url = format!("ws://{}:{}/app/{}?protocol=7", server.host(), server.port(), server.app().key);
//! // ... point a client at `url` and subscribe it to "my-channel" ...
//! server
//!     .wait_for(|s| s.connections().iter().any(|c| c.subscriptions.contains(&"my-channel".to_owned())),
//!               Duration::from_secs(5))
//!     .await
//!     .expect("client subscribed");
//! server.trigger("my-channel", "my-event", r#"{"hello":"world"}"#);
//! server.stop().await;
//! # let _ = url;
//! # Ok(())
//! # }
//! ```
//!
//! # TLS
//!
//! With [`ServerOptions::tls`] the server speaks `wss://` on its port, with a
//! self-signed certificate made at start for `127.0.0.1` and `localhost`; a
//! client trusts [`TestServer::certificate_pem`] as its CA:
//!
//! ```no_run
//! use pusher_test_server::{ServerOptions, TestServer};
//!
//! # async fn run() -> std::io::Result<()> {
//! let server = TestServer::start(ServerOptions { tls: true, ..ServerOptions::default() }).await?;
//! let url = format!("wss://{}:{}/app/{}?protocol=7", server.host(), server.port(), server.app().key);
//! let ca: String = server.certificate_pem().expect("a TLS server has a certificate");
//! // ... a client connects to `url` trusting `ca` ...
//! # let _ = (url, ca);
//! # Ok(())
//! # }
//! ```
//!
//! # HTTP transports
//!
//! The same port (plain or TLS) also serves Pusher's HTTP fallback transports as pusher-js
//! 8.6.0 speaks them: `POST <httpPath>/app/<key>/<server>/<session>/xhr_streaming` (a
//! response that stays open), `.../xhr` (polling) and `.../xhr_send` (a JSON array of frame
//! texts). Each session is a connection like a WebSocket one, with
//! [`ConnectionInfo::transport`] saying which transport it uses. Lines are `o` (open, once
//! per session), `a[...]` (frames), `h` (heartbeat, every
//! [`ServerOptions::http_heartbeat`] of quiet) and `c[code,"reason"]` (close). A streaming
//! response takes nothing more once it passed pusher-js's 256 KiB limit; the next stream of
//! the session carries on where it stopped. A session ends when no receive request is open
//! for [`ServerOptions::http_disconnect_delay`], on [`TestServer::close`] (its `c` line) or
//! [`TestServer::drop_connections`] (its response cut), or when more than 64 MiB wait for a
//! client that does not read (dropped, as `drop_connections` does). Faults map as follows:
//! [`TestServer::send_ping`] writes `h`, [`TestServer::send_bytes`] writes its bytes into the
//! response as they are, [`TestServer::send_binary`] is dropped (HTTP has no binary frames);
//! handshake modes, silence and stalls apply as to WebSockets, except that `o` always goes
//! out. [`UpgradeAnswer`] only concerns WebSocket upgrades;
//! [`ServerOptions::http_transports`] turns the HTTP transports off, and
//! [`TestServer::http_requests`] lists every request that was no upgrade.
//!
//! Every server-to-client `data` follows Pusher's double encoding: it is a JSON
//! string that holds JSON (`pusher:error` is the exception and carries an
//! object).
#![deny(missing_docs)]

pub mod auth;
mod connection;
pub mod encryption;
mod faults;
mod frames;
mod http_frames;
mod http_link;
mod http_request;
mod http_session;
mod http_transport;
mod inspect;
mod mute;
mod options;
mod prefixed;
mod push;
mod raw;
mod server;
mod state;
mod tls;
mod wait;

pub use faults::HandshakeMode;
pub use inspect::{ConnectionInfo, HttpRequest, Received, ReceivedFrame, Transport};
pub use options::{AppConfig, ServerOptions, DEFAULT_ENCRYPTION_MASTER_KEY};
pub use raw::UpgradeAnswer;
pub use server::TestServer;
pub use wait::WaitTimeout;
