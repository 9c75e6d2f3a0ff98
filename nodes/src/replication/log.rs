//! The replicated log as one replica keeps it: the entries in memory, each also written to the
//! node's disk under its own key, the epoch the replica has promised to follow, and how much of
//! all that is durable.
//!
//! Durability is tracked by write generations: every disk write gets the next number, an fsync
//! covers every generation written before it, and an entry is durable once its generation is
//! covered. Entries are appended in generation order (a truncated suffix is rewritten with
//! newer generations), so the durable entries are always a prefix of the log.

use crate::{Out, Stored};
use prost::Message;
use proto::replication::Entry;

const EPOCH_KEY: &str = "epoch";
const LOG_PREFIX: &str = "log/";

fn entry_key(index: u64) -> String {
    // Zero-padded so that the disk's key order is the log's order.
    format!("{LOG_PREFIX}{index:012}")
}

#[derive(Debug, Default)]
pub struct Log {
    /// `entries[i]` has index `i + 1`.
    entries: Vec<Entry>,
    /// The write generation of each entry.
    written_at: Vec<u64>,
    epoch: u64,
    /// The latest generation written, and the latest known durable.
    written: u64,
    durable: u64,
    /// The generation an fsync in flight will make durable.
    syncing: Option<u64>,
}

impl Log {
    /// The log a replica finds on its disk when it (re)starts: everything there is durable.
    pub fn recover(disk: &Stored) -> Self {
        let epoch = disk.get(EPOCH_KEY).and_then(|bytes| Some(u64::from_be_bytes(bytes.as_slice().try_into().ok()?)));
        let mut log = Log { epoch: epoch.unwrap_or(0), ..Log::default() };
        for (_, bytes) in disk.range(LOG_PREFIX.to_owned()..).take_while(|(key, _)| key.starts_with(LOG_PREFIX)) {
            // The disk only ever holds a state the log passed through, so entries are contiguous;
            // anything else (a decoding error, a gap) ends the log rather than corrupting it.
            match Entry::decode(bytes.as_slice()) {
                Ok(entry) if entry.index == log.last_index() + 1 => {
                    log.entries.push(entry);
                    log.written_at.push(0);
                }
                _ => break,
            }
        }
        log
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    pub fn last_index(&self) -> u64 {
        self.entries.len() as u64
    }

    pub fn last_epoch(&self) -> u64 {
        self.epoch_at(self.last_index())
    }

    /// The epoch of the entry at `index`; index 0 is the empty log's start, epoch 0.
    pub fn epoch_at(&self, index: u64) -> u64 {
        self.entry(index).map_or(0, |e| e.epoch)
    }

    pub fn entry(&self, index: u64) -> Option<&Entry> {
        index.checked_sub(1).and_then(|i| self.entries.get(i as usize))
    }

    /// Up to `max` entries after `index`.
    pub fn entries_after(&self, index: u64, max: usize) -> Vec<Entry> {
        self.entries.iter().skip(index as usize).take(max).cloned().collect()
    }

    /// The first index of the run of entries that shares `index`'s epoch: where a primary
    /// should look next for a match after a conflict at `index` (one round trip per epoch,
    /// not per entry).
    pub fn start_of_epoch_run(&self, index: u64) -> u64 {
        let epoch = self.epoch_at(index);
        let mut start = index;
        while start > 1 && self.epoch_at(start - 1) == epoch {
            start -= 1;
        }
        start
    }

    /// Promises to follow nothing older than `epoch` (durable once synced).
    pub fn set_epoch(&mut self, epoch: u64, out: &mut Out) {
        self.epoch = epoch;
        self.written += 1;
        out.write(EPOCH_KEY, epoch.to_be_bytes().to_vec());
    }

    pub fn append(&mut self, entry: Entry, out: &mut Out) {
        debug_assert_eq!(entry.index, self.last_index() + 1);
        self.written += 1;
        out.write(entry_key(entry.index), entry.encode_to_vec());
        self.entries.push(entry);
        self.written_at.push(self.written);
    }

    /// Drops every entry after `index`, in memory and on disk.
    pub fn truncate_after(&mut self, index: u64, out: &mut Out) {
        for dropped in index + 1..=self.last_index() {
            self.written += 1;
            out.delete(entry_key(dropped));
        }
        self.entries.truncate(index as usize);
        self.written_at.truncate(index as usize);
    }

    /// The last index of the durable prefix of the log.
    pub fn durable_index(&self) -> u64 {
        self.written_at.partition_point(|&generation| generation <= self.durable) as u64
    }

    /// The write generation a reply must wait for to be sure of everything written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    pub fn is_durable(&self, generation: u64) -> bool {
        generation <= self.durable
    }

    /// Asks the disk for an fsync if something is unsynced and none is in flight (writes that
    /// arrive meanwhile wait for the next one: group commit).
    pub fn sync(&mut self, out: &mut Out) {
        if self.syncing.is_none() && self.written > self.durable {
            self.syncing = Some(self.written);
            out.fsync(self.written);
        }
    }

    /// The fsync tagged `generation` finished.
    pub fn synced(&mut self, generation: u64) {
        self.durable = self.durable.max(generation);
        if self.syncing == Some(generation) {
            self.syncing = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;

    fn entry(index: u64, epoch: u64) -> Entry {
        Entry { index, epoch, op: None }
    }

    /// What the disk holds after `out`'s writes, all synced.
    fn disk_after(out: &mut Out) -> Stored {
        let mut disk = Stored::new();
        for action in out.take() {
            if let Action::Write { key, value } = action {
                match value {
                    Some(value) => disk.insert(key, value),
                    None => disk.remove(&key),
                };
            }
        }
        disk
    }

    #[test]
    fn a_recovered_log_is_what_was_written() {
        let mut out = Out::default();
        let mut log = Log::default();
        log.set_epoch(3, &mut out);
        (1..=4).for_each(|i| log.append(entry(i, if i < 3 { 1 } else { 3 }), &mut out));
        log.truncate_after(2, &mut out);
        log.append(entry(3, 3), &mut out);
        let recovered = Log::recover(&disk_after(&mut out));
        assert_eq!((recovered.epoch(), recovered.last_index(), recovered.last_epoch()), (3, 3, 3));
        assert_eq!(recovered.durable_index(), 3);
    }

    #[test]
    fn only_entries_covered_by_a_finished_fsync_are_durable() {
        let mut out = Out::default();
        let mut log = Log::default();
        log.append(entry(1, 1), &mut out);
        log.sync(&mut out);
        log.append(entry(2, 1), &mut out);
        log.sync(&mut out); // one already in flight: this one waits
        assert_eq!(log.durable_index(), 0);
        log.synced(1);
        assert_eq!(log.durable_index(), 1);
        log.sync(&mut out);
        log.synced(2);
        assert_eq!(log.durable_index(), 2);
    }

    #[test]
    fn a_rewritten_suffix_is_not_durable_until_synced_again() {
        let mut out = Out::default();
        let mut log = Log::default();
        (1..=3).for_each(|i| log.append(entry(i, 1), &mut out));
        log.sync(&mut out);
        log.truncate_after(1, &mut out);
        log.append(entry(2, 2), &mut out);
        log.synced(3);
        assert_eq!(log.durable_index(), 1);
    }

    #[test]
    fn a_conflict_backs_off_a_whole_epoch() {
        let mut out = Out::default();
        let mut log = Log::default();
        for (i, epoch) in [1, 1, 2, 2, 2].into_iter().enumerate() {
            log.append(entry(i as u64 + 1, epoch), &mut out);
        }
        assert_eq!(log.start_of_epoch_run(5), 3);
        assert_eq!(log.start_of_epoch_run(2), 1);
    }
}
