//! Bytes → govkg's reader: the first byte picks the file's extension (govkg_fuzz::READ_EXTENSIONS).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| govkg_fuzz::read(data));
