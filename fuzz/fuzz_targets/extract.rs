//! Text → segment, extract and resolve with the bundled knowledge, and the record's invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| govkg_fuzz::extract(data));
