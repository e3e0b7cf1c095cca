//! An HTTP transport's answer cut into lines and parsed: never a panic, and the same lines
//! however the body is split.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pusher_client::fuzzing::http_lines(data));
