//! The channel kind by name, as the engine decides it, for `lib/channels.js`.

use napi_derive::napi;
use pusher_client::ChannelKind;

/// `public`, `private`, `presence` or `encrypted`: which channel class `name` gets.
#[napi(catch_unwind)]
pub fn channel_kind(name: String) -> &'static str {
    ChannelKind::of(&name).as_str()
}
