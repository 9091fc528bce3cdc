//! Admission to the network: the global in-flight bound, the optional per-host bound, and the
//! fail-fast record of hosts that proved unreachable this run.
//!
//! Everything here is a plain `Mutex` + `Condvar`: callers are ordinary blocking threads and the
//! critical sections are a few integer updates, so there is nothing to gain from anything fancier.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Consecutive timeouts (with no success in between) after which a host is given up on.
/// Two rather than one: a single slow answer from a live host should not cost the whole run.
const TIMEOUTS_BEFORE_DOWN: u32 = 2;

/// Why a host is considered unreachable, as seen by one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostSignal {
    /// The host answered (any HTTP status): it is alive.
    Alive,
    /// The attempt timed out.
    Timeout,
    /// Name resolution failed or the connection was refused / unreachable: down at once.
    Unreachable,
    /// Nothing learnt about the host (e.g. the address guard refused it).
    Neutral,
}

#[derive(Default)]
struct HostState {
    in_flight: usize,
    consecutive_timeouts: u32,
    down: bool,
}

/// The admission gate shared by all callers of one `Fetcher`.
pub(crate) struct Gate {
    limit: usize,
    per_host: Option<usize>,
    in_flight: Mutex<usize>,
    slot_freed: Condvar,
    hosts: Mutex<HashMap<String, HostState>>,
    host_freed: Condvar,
    hosts_down: AtomicU64,
}

/// Held while one request is in flight; dropping it frees the global and the per-host slot.
pub(crate) struct Permit<'a> {
    gate: &'a Gate,
    host: &'a str,
}

/// The host was marked down before this caller got a slot.
#[derive(Debug)]
pub(crate) struct HostIsDown;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in another caller cannot leave these counters half-updated; keep going.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Gate {
    /// A gate admitting at most `limit` requests at once (at least one), and at most `per_host`
    /// per host when set.
    pub(crate) fn new(limit: usize, per_host: Option<usize>) -> Self {
        Self {
            limit: limit.max(1),
            per_host: per_host.map(|n| n.max(1)),
            in_flight: Mutex::new(0),
            slot_freed: Condvar::new(),
            hosts: Mutex::new(HashMap::new()),
            host_freed: Condvar::new(),
            hosts_down: AtomicU64::new(0),
        }
    }

    /// Whether `host` has been given up on this run.
    #[cfg(test)]
    pub(crate) fn is_down(&self, host: &str) -> bool {
        lock(&self.hosts).get(host).is_some_and(|h| h.down)
    }

    /// Number of hosts given up on so far.
    pub(crate) fn hosts_down(&self) -> u64 {
        self.hosts_down.load(Ordering::Relaxed)
    }

    /// The hosts given up on so far (`host:port`), sorted.
    pub(crate) fn down_hosts(&self) -> Vec<String> {
        let mut down: Vec<String> = lock(&self.hosts)
            .iter()
            .filter(|(_, state)| state.down)
            .map(|(host, _)| host.clone())
            .collect();
        down.sort();
        down
    }

    /// Blocks until a request to `host` may be sent. The per-host slot is taken first so that a
    /// caller waiting on a busy host never sits on one of the scarce global slots.
    pub(crate) fn enter<'a>(&'a self, host: &'a str) -> Result<Permit<'a>, HostIsDown> {
        {
            let mut hosts = lock(&self.hosts);
            loop {
                let state = hosts.entry(host.to_owned()).or_default();
                if state.down {
                    return Err(HostIsDown);
                }
                if self.per_host.is_none_or(|max| state.in_flight < max) {
                    state.in_flight += 1;
                    break;
                }
                hosts = self
                    .host_freed
                    .wait(hosts)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
        let mut in_flight = lock(&self.in_flight);
        while *in_flight >= self.limit {
            in_flight = self
                .slot_freed
                .wait(in_flight)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *in_flight += 1;
        drop(in_flight);
        let permit = Permit { gate: self, host };
        // The host may have gone down while this caller waited for a global slot.
        if lock(&self.hosts).get(host).is_some_and(|h| h.down) {
            return Err(HostIsDown);
        }
        Ok(permit)
    }

    /// Records what one attempt taught about `host`.
    pub(crate) fn report(&self, host: &str, signal: HostSignal) {
        let mut hosts = lock(&self.hosts);
        let state = hosts.entry(host.to_owned()).or_default();
        let was_down = state.down;
        match signal {
            HostSignal::Alive => state.consecutive_timeouts = 0,
            HostSignal::Timeout => {
                state.consecutive_timeouts += 1;
                if state.consecutive_timeouts >= TIMEOUTS_BEFORE_DOWN {
                    state.down = true;
                }
            }
            HostSignal::Unreachable => state.down = true,
            HostSignal::Neutral => {}
        }
        if state.down && !was_down {
            self.hosts_down.fetch_add(1, Ordering::Relaxed);
            // Callers queued for this host's slots must learn it is down.
            self.host_freed.notify_all();
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        {
            let mut in_flight = lock(&self.gate.in_flight);
            *in_flight -= 1;
        }
        self.gate.slot_freed.notify_one();
        let mut hosts = lock(&self.gate.hosts);
        if let Some(state) = hosts.get_mut(self.host) {
            state.in_flight -= 1;
        }
        drop(hosts);
        if self.gate.per_host.is_some() {
            // Waiters for different hosts share the condvar, so wake them all to re-check.
            self.gate.host_freed.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    #[test]
    fn gate_never_admits_more_than_the_limit() {
        let gate = Gate::new(3, None);
        let now = AtomicUsize::new(0);
        let max = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for i in 0..12 {
                let (gate, now, max) = (&gate, &now, &max);
                s.spawn(move || {
                    let host = format!("h{}", i % 2);
                    let _permit = gate.enter(&host).unwrap();
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    now.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        assert_eq!(max.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn per_host_limit_applies_per_host() {
        let gate = Gate::new(10, Some(1));
        let now = AtomicUsize::new(0);
        let max = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..6 {
                let (gate, now, max) = (&gate, &now, &max);
                s.spawn(move || {
                    let _permit = gate.enter("one:80").unwrap();
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(10));
                    now.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        assert_eq!(max.load(Ordering::SeqCst), 1);
        // Another host is not held up by the busy one.
        let _a = gate.enter("one:80").unwrap();
        let _b = gate.enter("two:80").unwrap();
    }

    #[test]
    fn host_goes_down_on_unreachable_or_repeated_timeouts() {
        let gate = Gate::new(4, None);
        gate.report("dead:80", HostSignal::Unreachable);
        assert!(gate.enter("dead:80").is_err());

        gate.report("slow:80", HostSignal::Timeout);
        gate.report("slow:80", HostSignal::Alive);
        gate.report("slow:80", HostSignal::Timeout);
        assert!(
            !gate.is_down("slow:80"),
            "a success in between resets the count"
        );
        gate.report("slow:80", HostSignal::Timeout);
        assert!(gate.is_down("slow:80"));
        assert_eq!(gate.hosts_down(), 2);
    }
}
