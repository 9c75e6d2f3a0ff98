//! The lab's own links between nodes, for the engines that carry messages themselves (madsim,
//! and real mode's link gate): which links are cut, which are held and who waits on them, and
//! how long a message takes. A fault means here what it means on turmoil (scenarios/README.md,
//! "Faults").
//!
//! A call is two *legs*, the request and the reply, each carried over one directed link. A leg
//! is lost if its link is cut when it is sent (`partition`, `partition-one-way`); it waits while
//! its link is held (`hold`), and a release lets the waiting legs go in the order they were
//! sent; then it takes the link's latency: a fixed one (`[[network.links]]` or a `latency`
//! fault) or a draw from the network's `[min, max]`.
//!
//! On madsim the legs are the only network there is. In real mode the bytes travel over real
//! loopback TCP, and this table is a gate the *caller* passes, in its own process and at the
//! level of whole messages, before its request goes out and before it accepts the reply: it is
//! not a TCP proxy between sockets. It gives the same cut, hold and latency meanings, but it
//! cannot split a message into segments, and a message lost here was never sent at all.

use super::host::Runtime;
use crate::scenario::{FaultAction, LinkLatency, Network};
use fundamentals::sim::SimRng;
use rand::Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::oneshot;

/// A directed link, from sender to receiver.
type Link = (String, String);

/// The state of every link between the hosts of one run.
pub struct Links {
    min_latency_ms: u64,
    max_latency_ms: u64,
    /// Latencies not fixed by the scenario are drawn from this stream, one draw per leg.
    rng: SimRng,
    /// The scenario's fixed latencies, which a `latency` fault's end puts back.
    configured: Vec<LinkLatency>,
    cut: BTreeSet<Link>,
    /// Held links and the legs waiting on each, released in the order they were sent (a
    /// `watch` would wake them in an order drawn from tokio's unseeded thread RNG).
    held: BTreeMap<Link, Vec<oneshot::Sender<()>>>,
    /// Set latencies, by unordered pair: a range each leg draws from (one value: fixed).
    latency_ms: BTreeMap<Link, (u64, u64)>,
}

/// Locks the links: every engine shares one table between its hosts.
pub fn lock(links: &Mutex<Links>) -> std::sync::MutexGuard<'_, Links> {
    // Nothing panics while holding the lock (no user input is checked under it), so a poisoned
    // lock means a bug elsewhere already tore the run down.
    links.lock().expect("the links lock is never poisoned")
}

/// The key of a link's latency: both directions share one.
fn pair(a: &str, b: &str) -> Link {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

fn directed(from: &str, to: &str) -> Link {
    (from.to_owned(), to.to_owned())
}

impl Links {
    /// The links of `network`, every one open, with latencies drawn from `rng`.
    pub fn new(network: &Network, rng: SimRng) -> Self {
        Self {
            min_latency_ms: network.min_latency_ms,
            max_latency_ms: network.max_latency_ms,
            rng,
            configured: network.links.clone(),
            cut: BTreeSet::new(),
            held: BTreeMap::new(),
            latency_ms: network.links.iter().map(|l| (pair(&l.a, &l.b), (l.latency_ms, l.latency_ms))).collect(),
        }
    }

    /// A leg sent now from `from` to `to`: `None` if it is lost (the link is cut), else what it
    /// must wait for before it arrives.
    pub fn depart(&mut self, from: &str, to: &str) -> Option<Leg> {
        // The empty checks spare two string allocations per leg on a healthy network.
        if !self.cut.is_empty() && self.cut.contains(&directed(from, to)) {
            return None;
        }
        let latency = self.latency(from, to);
        let held = if self.held.is_empty() { None } else { self.held.get_mut(&directed(from, to)) };
        let released = held.map(|waiting| {
            let (release, released) = oneshot::channel();
            waiting.push(release);
            released
        });
        Some(Leg { latency, released })
    }

    fn latency(&mut self, from: &str, to: &str) -> Duration {
        let fixed = if self.latency_ms.is_empty() { None } else { self.latency_ms.get(&pair(from, to)) };
        let ms = match fixed {
            Some(&(low, high)) if low == high => low,
            Some(&(low, high)) => self.rng.random_range(low..=high),
            None => self.rng.random_range(self.min_latency_ms..=self.max_latency_ms),
        };
        Duration::from_millis(ms)
    }

    /// Applies the start (`starts`) or the end of a network fault; crashes, restarts and RPC
    /// faults are not the links' business and change nothing here.
    pub fn apply(&mut self, action: &FaultAction, starts: bool) {
        match (action, starts) {
            (FaultAction::Partition { from, to, one_way }, true) => {
                for (a, b) in super::pairs(from, to) {
                    self.cut.insert(directed(a, b));
                    if !one_way {
                        self.cut.insert(directed(b, a));
                    }
                }
            }
            (FaultAction::Partition { from, to, one_way }, false) => {
                for (a, b) in super::pairs(from, to) {
                    self.cut.remove(&directed(a, b));
                    if !one_way {
                        self.cut.remove(&directed(b, a));
                    }
                }
            }
            (FaultAction::Hold { from, to }, true) => {
                for (a, b) in super::pairs(from, to) {
                    for link in [directed(a, b), directed(b, a)] {
                        self.held.entry(link).or_default();
                    }
                }
            }
            (FaultAction::Hold { from, to }, false) => {
                for (a, b) in super::pairs(from, to) {
                    for link in [directed(a, b), directed(b, a)] {
                        for release in self.held.remove(&link).unwrap_or_default() {
                            // A leg whose call was given up (or whose host crashed) waits no more.
                            let _ = release.send(());
                        }
                    }
                }
            }
            (FaultAction::Latency { from, to, latency_ms, jitter_ms }, true) => {
                for (a, b) in super::pairs(from, to) {
                    self.latency_ms.insert(pair(a, b), (latency_ms - jitter_ms, latency_ms + jitter_ms));
                }
            }
            (FaultAction::Latency { from, to, .. }, false) => {
                for (a, b) in super::pairs(from, to) {
                    let fixed = self.configured.iter().find(|l| pair(&l.a, &l.b) == pair(a, b));
                    match fixed {
                        Some(link) => self.latency_ms.insert(pair(a, b), (link.latency_ms, link.latency_ms)),
                        None => self.latency_ms.remove(&pair(a, b)),
                    };
                }
            }
            (
                FaultAction::Crash { .. }
                | FaultAction::Restart { .. }
                | FaultAction::Pause { .. }
                | FaultAction::Clock { .. }
                | FaultAction::Rpc(_)
                | FaultAction::Dns(_)
                | FaultAction::Tcp { .. },
                _,
            ) => {}
        }
    }
}

/// A leg on its way: it waits for its link's release if the link was held, then its latency.
pub struct Leg {
    latency: Duration,
    released: Option<oneshot::Receiver<()>>,
}

impl Leg {
    pub async fn arrive<R: Runtime>(self) {
        if let Some(released) = self.released {
            // The sender is dropped without a send only with the whole table, at the run's end.
            let _ = released.await;
        }
        R::sleep(self.latency).await;
    }
}

/// Carries one leg from `from` to `to`: false if it is lost, else true once it has arrived.
pub async fn carry<R: Runtime>(links: &Mutex<Links>, from: &str, to: &str) -> bool {
    let leg = lock(links).depart(from, to);
    match leg {
        None => false,
        Some(leg) => {
            leg.arrive::<R>().await;
            true
        }
    }
}
