//! A node's disk, as the lab models it: fsync semantics, owned by the lab, shared by every
//! incarnation of the node.
//!
//! A write reaches the **page cache**; an fsync takes `storage.fsync_ms` and then makes every
//! write made before it **durable**; a crash throws the page cache away. That is the pessimistic
//! reading of POSIX — a real kernel may have flushed some dirty pages on its own, or torn a
//! page in half — and the useful one: a design that is safe here does not rely on luck. The
//! node never reads its disk while it runs (it keeps its own state in memory, as a database
//! keeps its buffer pool); it gets the durable contents back when it restarts.
//! `madsim::fs` and real files would both keep unsynced writes across a "crash" of a simulated
//! node, which is why the lab has its own model on every engine.

use nodes::Stored;

#[derive(Debug, Default)]
pub struct Disk {
    durable: Stored,
    /// Writes not yet covered by a finished fsync, oldest first, each with its write number.
    page_cache: Vec<(u64, String, Option<Vec<u8>>)>,
    /// How many writes the disk has taken, ever: the number of the latest one.
    writes: u64,
}

impl Disk {
    pub fn write(&mut self, key: String, value: Option<Vec<u8>>) {
        self.writes += 1;
        self.page_cache.push((self.writes, key, value));
    }

    /// The point an fsync asked for now will make durable: every write up to this number.
    pub fn sync_point(&self) -> u64 {
        self.writes
    }

    /// An fsync asked for at `point` finished: the writes up to it are durable. Returns how
    /// many writes it made durable (an earlier, longer fsync may have covered them already).
    pub fn sync_through(&mut self, point: u64) -> usize {
        let covered = self.page_cache.partition_point(|(n, _, _)| *n <= point);
        for (_, key, value) in self.page_cache.drain(..covered) {
            match value {
                Some(value) => self.durable.insert(key, value),
                None => self.durable.remove(&key),
            };
        }
        covered
    }

    /// The node crashed: what was only in the page cache is gone. Returns how many writes were lost.
    pub fn lose_page_cache(&mut self) -> usize {
        std::mem::take(&mut self.page_cache).len()
    }

    /// What a restarting node finds on its disk.
    pub fn durable(&self) -> &Stored {
        &self.durable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(s: &str) -> Option<Vec<u8>> {
        Some(s.as_bytes().to_vec())
    }

    #[test]
    fn only_synced_writes_survive_a_crash() {
        let mut disk = Disk::default();
        disk.write("a".into(), bytes("1"));
        let point = disk.sync_point();
        disk.write("b".into(), bytes("2"));
        assert_eq!(disk.sync_through(point), 1);
        assert_eq!(disk.lose_page_cache(), 1);
        assert_eq!(disk.durable().keys().collect::<Vec<_>>(), ["a"]);
    }

    #[test]
    fn deletes_and_overwrites_apply_in_write_order() {
        let mut disk = Disk::default();
        disk.write("a".into(), bytes("1"));
        disk.write("a".into(), bytes("2"));
        disk.write("b".into(), bytes("x"));
        disk.write("b".into(), None);
        disk.sync_through(disk.sync_point());
        assert_eq!(disk.durable().get("a"), bytes("2").as_ref());
        assert!(!disk.durable().contains_key("b"));
    }

    #[test]
    fn an_fsync_that_finishes_after_a_longer_one_has_nothing_left_to_do() {
        let mut disk = Disk::default();
        disk.write("a".into(), bytes("1"));
        let early = disk.sync_point();
        disk.write("b".into(), bytes("2"));
        assert_eq!(disk.sync_through(disk.sync_point()), 2);
        assert_eq!(disk.sync_through(early), 0);
        assert_eq!(disk.lose_page_cache(), 0);
    }
}
