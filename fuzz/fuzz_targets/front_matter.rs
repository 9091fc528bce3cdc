//! `cargo fuzz run front_matter`: see [`blog_avatars_fuzz::front_matter`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blog_avatars_fuzz::front_matter(data));
