//! The Node.js binding of `pusher-client`. Only conversions live here: the protocol is in
//! `crates/pusher-client`, the pusher-js API surface in `lib/*.js`.
#![deny(missing_docs)]

mod authorizer;
mod batch;
mod batch_json;
mod cleanup;
mod delivery;
mod native_client;
mod runtime;
mod test_hooks;
mod testing;

pub use delivery::BatchDelivery;
pub use native_client::{set_logging, NativeClient, NativeOptions};
#[doc(hidden)]
pub use test_hooks::arm_panic;
pub use testing::TestServer;
