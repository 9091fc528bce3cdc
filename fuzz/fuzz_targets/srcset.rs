//! `cargo fuzz run srcset`: see [`blog_avatars_fuzz::srcset`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blog_avatars_fuzz::srcset(data));
