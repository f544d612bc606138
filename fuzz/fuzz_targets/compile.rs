#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| xince_fuzz::compile(data));
