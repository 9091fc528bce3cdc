//! `cargo fuzz run image`: see [`blog_avatars_fuzz::decode_image`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blog_avatars_fuzz::decode_image(data));
