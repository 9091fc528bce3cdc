//! The CPU pool: image decoding and encoding, on as many threads as there are cores.
//!
//! The identities are resolved on the network pool ([`super::resolve`]), whose threads mostly
//! wait. A thread there that needs an image processed hands it to this pool and blocks until it
//! is done. Blocking, not waiting the rayon way: a rayon worker that waits for another pool runs
//! jobs of its own pool meanwhile, so a network thread would start another identity (a request,
//! then maybe its own image, and so on) on top of its stack. And a pool of its own, because a
//! worker of another rayon pool cannot reach rayon's global pool: `rayon::scope` called there
//! runs on the network pool, 32 image jobs on 2 cores.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::LazyLock;
use std::sync::mpsc::sync_channel;

use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::process::{DecodeLimits, EncodeOptions, ProcessError, Rendition, SquareImage};

/// Process-wide, like rayon's global pool it stands in for (`serve` rebuilds many times).
static POOL: LazyLock<ThreadPool> = LazyLock::new(|| {
    ThreadPoolBuilder::new()
        .thread_name(|i| format!("blog-avatars-cpu-{i}"))
        .build()
        // As rayon's global pool does when it cannot start its threads.
        .expect("cannot start the image threads")
});

/// [`crate::process::process`] on the CPU pool; the calling thread waits, doing nothing else.
pub(crate) fn process(
    bytes: &[u8],
    pixel_sizes: &[u32],
    options: &EncodeOptions,
    limits: &DecodeLimits,
) -> Result<Vec<Rendition>, ProcessError> {
    // The job must own its inputs (`spawn` outlives this frame as far as the types know); a copy
    // of the source bytes is small next to decoding them.
    let (bytes, sizes, options, limits) = (bytes.to_vec(), pixel_sizes.to_vec(), *options, *limits);
    on_pool(move || crate::process::process(&bytes, &sizes, &options, &limits))
}

/// [`crate::process::process_square`] of a generated image's pixels on the CPU pool: no PNG is
/// encoded only to be decoded again.
pub(crate) fn process_drawn(
    drawing: image::RgbImage,
    pixel_sizes: &[u32],
    options: &EncodeOptions,
) -> Result<Vec<Rendition>, ProcessError> {
    let (sizes, options) = (pixel_sizes.to_vec(), *options);
    on_pool(move || {
        // RGB to RGBA as a decoded PNG is converted, so the pixels are the same.
        let square = SquareImage::from_rgba(image::DynamicImage::from(drawing).into_rgba8())
            .ok_or_else(|| ProcessError::Decode("the image has no pixels".into()))?;
        crate::process::process_square(&square, &sizes, &options)
    })
}

/// Runs `job` on the CPU pool and returns its result, blocking the calling thread meanwhile (on
/// the pool already: runs it right here).
fn on_pool<R: Send + 'static>(job: impl FnOnce() -> R + Send + 'static) -> R {
    if POOL.current_thread_index().is_some() {
        return job();
    }
    let (done, result) = sync_channel(1);
    POOL.spawn(move || {
        // Sent whatever happens: the caller is waiting for it.
        let _ = done.send(catch_unwind(AssertUnwindSafe(job)));
    });
    match result.recv() {
        Ok(Ok(value)) => value,
        // A panic in the job surfaces in the caller, as it did under `rayon::scope`.
        Ok(Err(panic)) => resume_unwind(panic),
        Err(_) => unreachable!("the pool runs every job it is given"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    #[test]
    fn images_run_on_the_cpu_pool_and_the_waiting_thread_runs_nothing_else() {
        let network = ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let stolen = Arc::new(AtomicBool::new(false));
        let (ran_on, saw_stolen) = network.install(|| {
            // Queued on the network pool's only thread, which is about to wait for the CPU pool:
            // a rayon-style wait would run it meanwhile, and it would release the CPU job early.
            let (release, released) = sync_channel::<()>(1);
            let flag = Arc::clone(&stolen);
            rayon::spawn(move || {
                flag.store(true, Ordering::SeqCst);
                let _ = release.send(());
            });
            let flag = Arc::clone(&stolen);
            on_pool(move || {
                let _ = released.recv_timeout(Duration::from_millis(300));
                let name = std::thread::current().name().map(str::to_owned);
                (name, flag.load(Ordering::SeqCst))
            })
        });
        assert!(
            ran_on
                .as_deref()
                .is_some_and(|n| n.starts_with("blog-avatars-cpu-")),
            "{ran_on:?}"
        );
        assert!(!saw_stolen, "the waiting network thread ran another job");
    }

    #[test]
    fn a_panic_in_the_job_reaches_the_caller() {
        let caught = std::panic::catch_unwind(|| on_pool(|| panic!("boom")));
        assert!(caught.is_err());
    }

    #[test]
    fn a_drawn_identicon_renders_the_same_files_as_its_png() {
        let options = EncodeOptions::default();
        let limits = DecodeLimits::default();
        for (seed, px) in [("ada@example.org", 160), ("12345678", 97), ("octocat", 40)] {
            let sizes = [40, 80, 160, px];
            let png = crate::resolve::identicon::identicon_png(seed, px);
            let decoded = process(&png, &sizes, &options, &limits).unwrap();
            let drawing = crate::resolve::identicon::identicon(seed, px);
            let drawn = process_drawn(drawing, &sizes, &options).unwrap();
            assert_eq!(drawn, decoded, "{seed} at {px} px");
        }
        let empty = process_drawn(image::RgbImage::new(0, 0), &[40], &options);
        assert!(matches!(empty, Err(ProcessError::Decode(_))), "{empty:?}");
    }

    #[test]
    fn processes_an_image() {
        let mut png = Vec::new();
        image::RgbImage::from_pixel(64, 64, image::Rgb([200, 30, 30]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let options = EncodeOptions::default();
        let renditions = process(&png, &[32], &options, &DecodeLimits::default()).unwrap();
        assert_eq!(renditions.len(), 1);
        assert_eq!(renditions[0].px, 32);
    }
}
