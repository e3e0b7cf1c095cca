//! A text frame through the Pusher frame parser and the connection's state machine: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pusher_client::fuzzing::pusher_frame(data));
