//! `cargo fuzz run url_guard`: see [`blog_avatars_fuzz::url_guard`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blog_avatars_fuzz::url_guard(data));
