//! `cargo fuzz run rewrite_html`: see [`blog_avatars_fuzz::rewrite_html`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blog_avatars_fuzz::rewrite_html(data));
