//! The Pusher Channels protocol engine (protocol 7), in pure Rust.
//!
//! [`Client`] connects to a Pusher-protocol server and reports everything that happens as
//! batches of [`Event`]s to an [`EventSink`]. The protocol itself is [`Machine`], a state
//! machine with no I/O; the socket loop drives it.
//!
//! ```no_run
//! use pusher_client::{Batch, Client, ClientOptions, Event};
//! # async fn demo() {
//! let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Batch>();
//! let client = Client::new(ClientOptions::new("app-key").cluster("eu"));
//! client.subscribe("my-channel");
//! client.connect(Box::new(tx));
//! while let Some(batch) = rx.recv().await {
//!     for event in batch.events {
//!         if let Event::Message(m) = event {
//!             println!("{} on {:?}", m.event, m.channel);
//!         }
//!     }
//! }
//! # }
//! ```
#![deny(missing_docs)]

pub mod auth;
mod auth_batch;
mod backlog;
mod channel_kind;
mod channels;
mod client;
mod commands;
mod connection;
pub mod crypto;
mod dial;
pub mod error;
mod event;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod handshake_headers;
mod http_client;
mod http_frames;
mod http_socket;
pub mod json_check;
#[cfg(test)]
mod mutations;
mod options;
pub mod policy;
pub mod proxy;
pub mod pusher_frame;
mod pusher_frame_scan;
mod socket;
mod state;
pub mod tls;
mod transport;
mod transport_plan;
pub mod transports;
mod websocket;
mod ws_codec;
#[cfg(any(test, feature = "fuzzing"))]
mod ws_diff;
mod ws_error;
mod ws_frame;
mod ws_handshake;

pub use backlog::Backlog;
pub use channel_kind::ChannelKind;
pub use client::{Client, WeakClient};
pub use commands::MAX_QUEUED_SEND_BYTES;
pub use error::{ConnectionError, ConnectionErrorKind, Failure};
pub use event::{Batch, ConnectionState, Event, EventSink, Message};
pub use options::{defaults, ClientOptions, VERSION};
pub use pusher_frame::Data;
pub use state::{Action, Input, Machine};
pub use transports::{HttpEndpoint, Transports};
pub use ws_error::{WebSocketError, WebSocketErrorKind};
