//! One memory budget for all decoding in the process.
//!
//! A decode may need a few hundred MB (the limits allow 8192 × 8192 pixels), and decodes run on
//! every core of the build and on every request of `serve`: a cap per decode alone lets memory
//! grow with the thread count. Each decode therefore reserves its estimated peak (known from
//! the header, before anything is allocated) from one process-wide budget, waiting while others
//! hold it; an image that needs more than the whole budget is refused at once.

use std::sync::{Condvar, Mutex, MutexGuard};

use super::ProcessError;

/// The process-wide budget: 512 MiB, two of the largest decodes the default limits allow.
pub const DEFAULT_DECODE_BUDGET: u64 = 512 * 1024 * 1024;

static GLOBAL: DecodeBudget = DecodeBudget::new(DEFAULT_DECODE_BUDGET);

/// Bytes of decoding memory shared by threads: a counting semaphore over bytes.
#[derive(Debug)]
pub struct DecodeBudget {
    capacity: u64,
    state: Mutex<State>,
    freed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    in_use: u64,
    peak: u64,
}

impl DecodeBudget {
    /// A budget of `capacity` bytes.
    pub const fn new(capacity: u64) -> Self {
        Self {
            capacity,
            state: Mutex::new(State { in_use: 0, peak: 0 }),
            freed: Condvar::new(),
        }
    }

    /// The budget every decode of this process shares (see [`decode_square`]).
    ///
    /// [`decode_square`]: super::decode_square
    pub fn global() -> &'static DecodeBudget {
        &GLOBAL
    }

    /// Total bytes.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// The most bytes ever reserved at once.
    pub fn peak(&self) -> u64 {
        self.lock().peak
    }

    /// Bytes reserved now.
    pub fn in_use(&self) -> u64 {
        self.lock().in_use
    }

    /// Waits until `bytes` are free and reserves them until the returned guard is dropped.
    /// More than the whole budget can never be free: refused at once, naming the image size.
    pub fn reserve(&self, bytes: u64, size: (u32, u32)) -> Result<Reservation<'_>, ProcessError> {
        if bytes > self.capacity {
            return Err(ProcessError::OverBudget {
                width: size.0,
                height: size.1,
                needed: bytes,
                budget: self.capacity,
            });
        }
        let mut state = self.lock();
        while state.in_use + bytes > self.capacity {
            state = self.freed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.in_use += bytes;
        state.peak = state.peak.max(state.in_use);
        Ok(Reservation {
            budget: self,
            bytes,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The counters stay consistent under a panic: each update is one statement.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Bytes held from a [`DecodeBudget`]; given back on drop.
#[derive(Debug)]
pub struct Reservation<'a> {
    budget: &'a DecodeBudget,
    bytes: u64,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.budget.lock().in_use -= self.bytes;
        self.budget.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{DecodeLimits, EncodeOptions, OutputFormat, process_in};

    /// A `side`×`side` PNG of one colour: small on disk, `side² × 3` bytes decoded.
    fn big_png(side: u32) -> Vec<u8> {
        let image = image::RgbImage::from_pixel(side, side, image::Rgb([10, 120, 200]));
        let mut bytes = Vec::new();
        image
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        bytes
    }

    const PNG: EncodeOptions = EncodeOptions {
        format: OutputFormat::Png,
        quality: 80,
    };

    #[test]
    fn parallel_decodes_share_one_budget() {
        let bytes = big_png(1000);
        // Each decode needs 3 MB of pixels plus two 4 MB squares: 11 MB; two fit, three do not.
        let budget = DecodeBudget::new(25_000_000);
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..6)
                .map(|_| {
                    scope.spawn(|| {
                        process_in(&bytes, &[16], &PNG, &DecodeLimits::default(), &budget)
                    })
                })
                .collect();
            for worker in workers {
                let renditions = worker.join().unwrap().unwrap();
                assert_eq!(renditions[0].px, 16);
            }
        });
        let one = 1000 * 1000 * 3 + 1000 * 1000 * 4 * 2;
        assert!(budget.peak() >= one, "peak {}", budget.peak());
        assert!(
            budget.peak() <= budget.capacity(),
            "peak {} over the budget",
            budget.peak()
        );
        assert_eq!(budget.in_use(), 0, "a reservation was not given back");
    }

    #[test]
    fn an_image_larger_than_the_whole_budget_is_refused_not_waited_for() {
        let budget = DecodeBudget::new(1_000_000);
        let error = process_in(
            &big_png(1000),
            &[16],
            &PNG,
            &DecodeLimits::default(),
            &budget,
        )
        .unwrap_err();
        assert!(
            matches!(
                error,
                ProcessError::OverBudget {
                    width: 1000,
                    height: 1000,
                    budget: 1_000_000,
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(error.to_string().contains("budget"), "{error}");
        assert_eq!((budget.peak(), budget.in_use()), (0, 0));
    }

    #[test]
    fn the_global_budget_holds_two_of_the_largest_decodes() {
        let limits = DecodeLimits::default();
        assert!(DecodeBudget::global().capacity() >= 2 * limits.max_alloc);
    }
}
