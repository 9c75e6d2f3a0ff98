//! The table of active TCP faults (`reset`, `black-hole`, `connect-timeout`, `slow-close`,
//! `bandwidth`, `limit-data`): what a connection that node `from` opened to node `to` must
//! suffer now. The connection itself applies it (`engine::dialled`), on engines whose calls run
//! over TCP; every change is announced on a watch channel, so that a connection waiting on its
//! socket learns at once that a fault began or ended.

use crate::scenario::TcpFault;
use std::collections::BTreeMap;
use tokio::sync::watch;

/// The faults in force, by their index in the schedule.
pub struct TcpTable {
    active: BTreeMap<usize, ActiveTcp>,
    changes: watch::Sender<u64>,
}

struct ActiveTcp {
    from: Vec<String>,
    to: Vec<String>,
    fault: TcpFault,
    since_us: u64,
}

/// A `limit-data` fault as one connection counts it: bytes carried since `since_us`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataLimit {
    pub index: usize,
    pub since_us: u64,
    pub bytes: u64,
}

/// Everything the active faults ask of one connection now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpEffects {
    /// Nothing flows either way (and new connections hang).
    pub black_hole: bool,
    /// New connections hang in connect.
    pub connect_held: bool,
    /// When the connection is to be reset (simulated µs).
    pub reset_at_us: Option<u64>,
    /// The tightest bandwidth, in bytes a second per direction.
    pub bytes_per_second: Option<u64>,
    pub limit: Option<DataLimit>,
    pub slow_close_ms: Option<u64>,
}

impl Default for TcpTable {
    fn default() -> Self {
        Self { active: BTreeMap::new(), changes: watch::Sender::new(0) }
    }
}

impl TcpTable {
    pub fn activate(&mut self, index: usize, from: &[String], to: &[String], fault: TcpFault, since_us: u64) {
        let active = ActiveTcp { from: from.to_vec(), to: to.to_vec(), fault, since_us };
        self.active.insert(index, active);
        self.changes.send_modify(|generation| *generation += 1);
    }

    pub fn deactivate(&mut self, index: usize) {
        self.active.remove(&index);
        self.changes.send_modify(|generation| *generation += 1);
    }

    /// A receiver that sees every change of the table from now on.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// What the active faults ask of a connection `from` → `to` that opened at `opened_us`.
    pub fn effects(&self, from: &str, to: &str, opened_us: u64) -> TcpEffects {
        let mut effects = TcpEffects::default();
        let applies = |rule: &ActiveTcp| rule.from.iter().any(|n| n == from) && rule.to.iter().any(|n| n == to);
        for (&index, rule) in self.active.iter().filter(|(_, rule)| applies(rule)) {
            let since_us = rule.since_us.max(opened_us);
            match rule.fault {
                TcpFault::Reset { after_ms } => {
                    let at = since_us + after_ms * 1_000;
                    effects.reset_at_us = Some(effects.reset_at_us.map_or(at, |earlier| earlier.min(at)));
                }
                TcpFault::BlackHole => effects.black_hole = true,
                TcpFault::ConnectTimeout => effects.connect_held = true,
                TcpFault::SlowClose { delay_ms } => {
                    effects.slow_close_ms = Some(effects.slow_close_ms.unwrap_or(0).max(delay_ms))
                }
                TcpFault::Bandwidth { bytes_per_second } => {
                    let tightest = effects.bytes_per_second.map_or(bytes_per_second, |b| b.min(bytes_per_second));
                    effects.bytes_per_second = Some(tightest);
                }
                TcpFault::LimitData { bytes } => {
                    if effects.limit.is_none_or(|l| bytes < l.bytes) {
                        effects.limit = Some(DataLimit { index, since_us, bytes });
                    }
                }
            }
        }
        effects
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_fault_applies_to_connections_its_from_nodes_opened_to_its_to_nodes_only() {
        let mut table = TcpTable::default();
        table.activate(0, &names(&["client"]), &names(&["backend-2"]), TcpFault::BlackHole, 15_000_000);
        assert!(table.effects("client", "backend-2", 0).black_hole);
        assert!(!table.effects("client", "backend-1", 0).black_hole);
        assert!(!table.effects("backend-2", "client", 0).black_hole, "a connection the other way");
        table.deactivate(0);
        assert_eq!(table.effects("client", "backend-2", 0), TcpEffects::default());
    }

    #[test]
    fn a_reset_is_due_its_timeout_after_the_fault_or_the_connection_started_whichever_is_later() {
        let mut table = TcpTable::default();
        table.activate(3, &names(&["a"]), &names(&["b"]), TcpFault::Reset { after_ms: 200 }, 1_000_000);
        assert_eq!(table.effects("a", "b", 0).reset_at_us, Some(1_200_000), "an older connection");
        assert_eq!(table.effects("a", "b", 5_000_000).reset_at_us, Some(5_200_000), "one opened later");
    }

    #[test]
    fn the_tightest_of_overlapping_faults_wins_and_every_change_is_announced() {
        let mut table = TcpTable::default();
        let mut changes = table.changes();
        let (a, b) = (names(&["a"]), names(&["b"]));
        table.activate(0, &a, &b, TcpFault::Bandwidth { bytes_per_second: 10_000 }, 0);
        table.activate(1, &a, &b, TcpFault::Bandwidth { bytes_per_second: 500 }, 0);
        table.activate(2, &a, &b, TcpFault::LimitData { bytes: 900 }, 7);
        let effects = table.effects("a", "b", 0);
        assert_eq!(effects.bytes_per_second, Some(500));
        assert_eq!(effects.limit, Some(DataLimit { index: 2, since_us: 7, bytes: 900 }));
        assert!(changes.has_changed().unwrap());
        assert_eq!(*changes.borrow_and_update(), 3);
    }
}
