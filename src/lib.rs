//! The Node.js binding of `pusher-client`. Only conversions live here: the protocol is in
//! `crates/pusher-client`, the pusher-js API surface in `lib/*.js`.
#![deny(missing_docs)]

mod authorizer;
mod batch;
mod batch_json;
mod cleanup;
mod delivery;
mod engine_defaults;
mod native_client;
mod runtime;
mod testing;

pub use batch::{
    BATCH_STRIDE, CHANNEL_REMOVED, CONNECTING_IN, ERROR, LOG, MESSAGE_NONE, MESSAGE_TEXT,
    MESSAGE_VALUE, STATE,
};
pub use delivery::BatchDelivery;
pub use engine_defaults::{engine_defaults, EngineDefaults};
pub use native_client::{set_logging, NativeClient, NativeOptions};
pub use testing::TestServer;
