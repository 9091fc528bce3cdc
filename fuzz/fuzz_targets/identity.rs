//! `cargo fuzz run identity`: see [`blog_avatars_fuzz::identity`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blog_avatars_fuzz::identity(data));
