//! Server bytes, split into reads, to our WebSocket frame reader and to tungstenite's: they must agree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pusher_client::fuzzing::frame_reader(data));
