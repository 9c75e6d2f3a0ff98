//! Answers that must wait for the disk: a node writes, asks for an fsync, and may only reply
//! (or record) once the fsync that covers its write has finished.
//!
//! Every write gets the next *generation*; an fsync makes every generation written before it
//! durable. One fsync is in flight at a time, and writes made meanwhile go with the next one,
//! so a busy node batches its syncs (group commit) without trying.

use crate::Out;

/// A node's writes in flight, and what is waiting for them, of type `T`.
#[derive(Debug)]
pub struct Durable<T> {
    written: u64,
    durable: u64,
    syncing: bool,
    waiting: Vec<(u64, T)>,
}

impl<T> Default for Durable<T> {
    fn default() -> Self {
        Self { written: 0, durable: 0, syncing: false, waiting: Vec::new() }
    }
}

impl<T> Durable<T> {
    /// Writes `value` under `key` and makes sure an fsync will cover it; returns its generation.
    pub fn write(&mut self, key: impl Into<String>, value: Vec<u8>, out: &mut Out) -> u64 {
        self.written += 1;
        out.write(key, value);
        self.sync(out);
        self.written
    }

    /// Whether generation `generation` is on disk for good.
    pub fn is_durable(&self, generation: u64) -> bool {
        generation <= self.durable
    }

    /// Keeps `item` until generation `generation` is durable (see [`Durable::on_synced`]).
    pub fn hold(&mut self, generation: u64, item: T) {
        self.waiting.push((generation, item));
    }

    /// The fsync tagged `tag` (the generation it covered) finished: returns, in the order they
    /// were held, the items whose writes are durable now, and starts the next fsync if needed.
    pub fn on_synced(&mut self, tag: u64, out: &mut Out) -> Vec<T> {
        self.durable = self.durable.max(tag);
        self.syncing = false;
        self.sync(out);
        let durable = self.durable;
        let (ready, waiting) = std::mem::take(&mut self.waiting).into_iter().partition(|(g, _)| *g <= durable);
        self.waiting = waiting;
        ready.into_iter().map(|(_, item)| item).collect()
    }

    fn sync(&mut self, out: &mut Out) {
        if !self.syncing && self.written > self.durable {
            self.syncing = true;
            out.fsync(self.written);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;

    fn fsyncs(out: &mut Out) -> Vec<u64> {
        out.take().into_iter().filter_map(|a| if let Action::Fsync { tag } = a { Some(tag) } else { None }).collect()
    }

    #[test]
    fn writes_made_during_an_fsync_go_with_the_next_one() {
        let (mut disk, mut out) = (Durable::<&str>::default(), Out::default());
        let first = disk.write("a", vec![1], &mut out);
        disk.hold(first, "a");
        assert_eq!(fsyncs(&mut out), vec![1]);
        let second = disk.write("b", vec![2], &mut out);
        let third = disk.write("c", vec![3], &mut out);
        disk.hold(second, "b");
        disk.hold(third, "c");
        assert!(fsyncs(&mut out).is_empty(), "one fsync at a time");
        assert_eq!(disk.on_synced(1, &mut out), vec!["a"]);
        assert_eq!(fsyncs(&mut out), vec![3], "one fsync for both");
        assert!(!disk.is_durable(3));
        assert_eq!(disk.on_synced(3, &mut out), vec!["b", "c"]);
        assert!(disk.is_durable(3));
    }
}
