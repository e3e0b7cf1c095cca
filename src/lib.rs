//! The Node.js binding of `pusher-client`: everything that knows napi, and no protocol logic
//! (that is `crates/pusher-client`; the pusher-js API surface is `lib/*.js`).
//!
//! It holds:
//! - the JS-facing handles: `NativeClient` (`native_client.rs`, options in, commands out) and
//!   `TestServer` (`testing.rs`);
//! - event delivery: batches encoded on the engine thread (`batch.rs`, `batch_json.rs`, whose
//!   layout constants JS reads from here) and carried to the JS thread by one threadsafe
//!   function per JS environment (`delivery.rs`), with its back-pressure bound;
//! - pusher-js's shapes of the engine's errors (`pusher_js_error.rs`);
//! - the bridges to JS functions: the engine's authorizer calling JS handlers and the HTTP
//!   endpoint (`authorizer.rs`), and `wsHeaders` asked at every attempt (`ws_headers.rs`);
//! - what JS asks of the engine: its defaults (`engine_defaults.rs`) and channel kinds
//!   (`channel_kind.rs`);
//! - process plumbing: the shared tokio runtime (`runtime.rs`), stopping clients when a JS
//!   environment goes away (`cleanup.rs`), and the test-only panic hooks (`test_hooks.rs`).
#![deny(missing_docs)]

mod authorizer;
mod batch;
mod batch_buffers;
mod batch_json;
mod channel_kind;
mod cleanup;
mod delivery;
mod engine_defaults;
mod native_client;
mod pusher_js_error;
mod runtime;
mod test_hooks;
mod testing;
mod ws_headers;

pub use batch::{
    BATCH_STRIDE, CHANNEL_REMOVED, CONNECTING_IN, ERROR, LOG, MESSAGE_NONE, MESSAGE_TEXT,
    MESSAGE_VALUE, STATE,
};
pub use channel_kind::channel_kind;
pub use delivery::BatchDelivery;
pub use engine_defaults::{engine_defaults, EngineDefaults};
pub use native_client::{set_logging, NativeClient, NativeOptions};
#[doc(hidden)]
pub use test_hooks::arm_panic;
pub use testing::TestServer;
