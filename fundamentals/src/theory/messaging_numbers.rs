//! The numbers the messaging chapter (`fundamentals/theory/messaging.md`) quotes, each computed
//! from the assumptions the chapter states: how many partitions a topic needs, what a week of
//! retention stores, how long a lagging consumer group takes to catch up, and how many messages
//! an at-least-once consumer processes twice after a crash.

use super::capacity::{machines_for, BYTES_PER_GB};
use super::database_numbers::in_flight;

/// Partitions a topic needs so that consumers, one per partition at most, keep up with the
/// peak: a partition is consumed by one member of a group at a time.
pub fn partitions_for(peak_messages_per_second: u64, per_consumer_messages_per_second: u64) -> u64 {
    machines_for(peak_messages_per_second, per_consumer_messages_per_second)
}

/// Disk a topic holds for its retention period, every replica counted, in GB (rounded up).
pub fn retained_gb(messages_per_second: u64, message_bytes: u64, retention_days: u64, replication_factor: u64) -> u64 {
    let bytes = messages_per_second * message_bytes * retention_days * 86_400 * replication_factor;
    bytes.div_ceil(BYTES_PER_GB)
}

/// Messages a second by which a consumer group's backlog shrinks: only the capacity above the
/// production rate drains it.
pub fn drain_per_second(consume_per_second: u64, produce_per_second: u64) -> u64 {
    assert!(consume_per_second > produce_per_second, "a group no faster than its producers never catches up");
    consume_per_second - produce_per_second
}

/// Minutes for a consumer group to work off `lag` messages while producers keep producing
/// (rounded up).
pub fn catch_up_minutes(lag: u64, consume_per_second: u64, produce_per_second: u64) -> u64 {
    lag.div_ceil(drain_per_second(consume_per_second, produce_per_second)).div_ceil(60)
}

/// Messages processed again after a consumer crashes: everything since its last offset commit,
/// at most the processing rate times the commit interval.
pub fn redelivered_after_crash(messages_per_second: u64, commit_interval_ms: u64) -> u64 {
    in_flight(messages_per_second, commit_interval_ms)
}

/// The examples' inputs, as the chapter states them.
pub mod stated {
    pub const PEAK_MESSAGES_PER_SECOND: u64 = 100_000;
    pub const PER_CONSUMER_MESSAGES_PER_SECOND: u64 = 5_000;
    pub const AVERAGE_MESSAGES_PER_SECOND: u64 = 20_000;
    pub const MESSAGE_BYTES: u64 = 1_000;
    pub const RETENTION_DAYS: u64 = 7;
    pub const REPLICATION_FACTOR: u64 = 3;
    pub const LAG_MESSAGES: u64 = 3_600_000;
    pub const GROUP_CONSUME_PER_SECOND: u64 = 3_000;
    pub const GROUP_PRODUCE_PER_SECOND: u64 = 2_000;
    /// Kafka's consumer default: `auto.commit.interval.ms` = 5,000.
    pub const COMMIT_INTERVAL_MS: u64 = 5_000;
}

#[cfg(test)]
mod tests {
    use super::stated::*;
    use super::*;

    #[test]
    fn partitions_bound_consumer_parallelism() {
        assert_eq!(partitions_for(PEAK_MESSAGES_PER_SECOND, PER_CONSUMER_MESSAGES_PER_SECOND), 20);
        assert_eq!(partitions_for(100_001, PER_CONSUMER_MESSAGES_PER_SECOND), 21, "rounded up");
    }

    #[test]
    fn a_week_of_a_20k_per_second_topic_is_36_tb_on_disk() {
        // 20,000 × 1,000 B × 604,800 s × 3 = 36,288 × 10⁹ B.
        assert_eq!(retained_gb(AVERAGE_MESSAGES_PER_SECOND, MESSAGE_BYTES, RETENTION_DAYS, REPLICATION_FACTOR), 36_288);
    }

    #[test]
    fn only_spare_capacity_drains_a_backlog() {
        assert_eq!(drain_per_second(GROUP_CONSUME_PER_SECOND, GROUP_PRODUCE_PER_SECOND), 1_000);
        // 3,600,000 / (3,000 − 2,000) = 3,600 s.
        assert_eq!(catch_up_minutes(LAG_MESSAGES, GROUP_CONSUME_PER_SECOND, GROUP_PRODUCE_PER_SECOND), 60);
        assert_eq!(catch_up_minutes(1, 2, 1), 1, "rounded up");
    }

    #[test]
    fn a_crash_replays_everything_since_the_last_commit() {
        assert_eq!(redelivered_after_crash(PER_CONSUMER_MESSAGES_PER_SECOND, COMMIT_INTERVAL_MS), 25_000);
    }
}
