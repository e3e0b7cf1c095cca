//! The engine's defaults, exported so that JS reads them instead of keeping copies.

use napi_derive::napi;
use pusher_client::defaults;

/// pusher-js's defaults as the engine holds them (`pusher.config` shows them).
#[napi(object)]
pub struct EngineDefaults {
    /// Port for `ws://`.
    pub ws_port: u32,
    /// Port for `wss://`.
    pub wss_port: u32,
    /// Milliseconds of silence before a ping.
    pub activity_timeout: f64,
    /// Milliseconds to wait for a pong.
    pub pong_timeout: f64,
    /// Milliseconds without a connection before `unavailable`.
    pub unavailable_timeout: f64,
    /// Largest frame accepted, in bytes.
    pub max_message_size: f64,
}

/// The engine's defaults for the options JS may leave unset.
#[napi]
pub fn engine_defaults() -> EngineDefaults {
    EngineDefaults {
        ws_port: defaults::WS_PORT.into(),
        wss_port: defaults::WSS_PORT.into(),
        activity_timeout: defaults::ACTIVITY_TIMEOUT_MS as f64,
        pong_timeout: defaults::PONG_TIMEOUT_MS as f64,
        unavailable_timeout: defaults::UNAVAILABLE_TIMEOUT_MS as f64,
        max_message_size: defaults::MAX_MESSAGE_SIZE as f64,
    }
}
