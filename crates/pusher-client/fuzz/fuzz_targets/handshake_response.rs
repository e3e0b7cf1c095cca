//! The server's answer to the WebSocket upgrade request: refused with a handshake error, or accepted whole.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pusher_client::fuzzing::handshake_response(data));
