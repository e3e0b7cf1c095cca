//! A scriptable Pusher Channels (protocol 7) WebSocket server on loopback, for
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
//! Every server-to-client `data` follows Pusher's double encoding: it is a JSON
//! string that holds JSON (`pusher:error` is the exception and carries an
//! object).
#![deny(missing_docs)]

pub mod auth;
mod connection;
pub mod encryption;
mod faults;
mod frames;
mod inspect;
mod mute;
mod options;
mod push;
mod raw;
mod server;
mod state;
mod tls;
mod wait;

pub use faults::HandshakeMode;
pub use inspect::{ConnectionInfo, Received, ReceivedFrame};
pub use options::{AppConfig, ServerOptions, DEFAULT_ENCRYPTION_MASTER_KEY};
pub use raw::UpgradeAnswer;
pub use server::TestServer;
pub use wait::WaitTimeout;
