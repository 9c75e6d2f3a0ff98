//! The chat design's estimate (`fundamentals/theory/system-design.md`, "Worked design: chat"):
//! messages a second, message storage a year and its shards, open connections and the gateway
//! machines that hold them, and the heartbeat load those connections cost.
//!
//! The number that decides the design is not the message rate but the connection count: every
//! online user holds one long-lived connection, and keeping them alive (heartbeats) is more
//! traffic than the messages themselves.

use super::capacity::{
    average_per_second, machines_for, mbit_per_second, peak_per_second, BYTES_PER_GB, DAYS_PER_YEAR,
};
use super::figures::{assumed, computed, count, Figure};

/// Bytes in a (decimal) kilobyte.
const BYTES_PER_KB: u64 = 1_000;

/// What the chat design assumes: the numbers the chapter states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatAssumptions {
    pub daily_active_users: u64,
    pub messages_per_user_per_day: u64,
    pub peak_to_average: u64,
    /// One stored message: text, sender, conversation, ids, timestamps, index entries.
    pub message_bytes: u64,
    pub replication_factor: u64,
    /// Data one message-store shard holds comfortably (before replication).
    pub shard_capacity_gb: u64,
    /// Share of the daily active users connected at the peak.
    pub online_at_peak_percent: u64,
    /// Open WebSocket connections one gateway machine holds (tuned kernel, epoll, async I/O).
    pub connections_per_gateway: u64,
    /// Kernel socket buffers, TLS state and session state, per connection.
    pub memory_per_connection_kb: u64,
    /// How often an idle client pings so that NATs and load balancers keep its connection.
    pub heartbeat_interval_s: u64,
}

impl Default for ChatAssumptions {
    /// The numbers the chapter states.
    fn default() -> Self {
        Self {
            daily_active_users: 500_000_000,
            messages_per_user_per_day: 50,
            peak_to_average: 3,
            message_bytes: 200,
            replication_factor: 3,
            shard_capacity_gb: 2_000,
            online_at_peak_percent: 20,
            connections_per_gateway: 200_000,
            memory_per_connection_kb: 20,
            heartbeat_interval_s: 30,
        }
    }
}

/// The chat estimate, derived by [`chat`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatEstimate {
    pub messages_per_day: u64,
    pub messages_per_second: u64,
    pub peak_messages_per_second: u64,
    pub storage_per_day_gb: u64,
    pub storage_per_year_gb: u64,
    pub storage_replicated_gb: u64,
    /// Shards for one year of messages.
    pub shards: u64,
    pub concurrent_connections: u64,
    pub gateways: u64,
    /// Connection memory on one full gateway.
    pub gateway_connection_memory_gb: u64,
    pub heartbeats_per_second: u64,
    /// Message bytes delivered at peak (each message to one recipient's connection).
    pub peak_egress_mbit_per_second: u64,
}

/// Derives the chat estimate from its assumptions.
pub fn chat(a: &ChatAssumptions) -> ChatEstimate {
    assert!(a.heartbeat_interval_s > 0, "a heartbeat interval of at least 1 s");
    let messages_per_day = a.daily_active_users * a.messages_per_user_per_day;
    let peak_messages_per_second = peak_per_second(messages_per_day, a.peak_to_average);
    let storage_per_day_bytes = messages_per_day * a.message_bytes;
    let storage_per_year_gb = (storage_per_day_bytes * DAYS_PER_YEAR).div_ceil(BYTES_PER_GB);
    let concurrent_connections = a.daily_active_users * a.online_at_peak_percent / 100;
    let gateway_bytes = a.connections_per_gateway * a.memory_per_connection_kb * BYTES_PER_KB;
    ChatEstimate {
        messages_per_day,
        messages_per_second: average_per_second(messages_per_day),
        peak_messages_per_second,
        storage_per_day_gb: storage_per_day_bytes.div_ceil(BYTES_PER_GB),
        storage_per_year_gb,
        storage_replicated_gb: storage_per_year_gb * a.replication_factor,
        shards: machines_for(storage_per_year_gb, a.shard_capacity_gb),
        concurrent_connections,
        gateways: machines_for(concurrent_connections, a.connections_per_gateway),
        gateway_connection_memory_gb: gateway_bytes.div_ceil(BYTES_PER_GB),
        heartbeats_per_second: concurrent_connections.div_ceil(a.heartbeat_interval_s),
        peak_egress_mbit_per_second: mbit_per_second(peak_messages_per_second, a.message_bytes),
    }
}

/// The design's figures, by id, as the chapter quotes them.
pub fn figures() -> Vec<Figure> {
    let a = ChatAssumptions::default();
    let e = chat(&a);
    vec![
        assumed("chat.daily_active_users", count(a.daily_active_users)),
        assumed("chat.messages_per_user_per_day", count(a.messages_per_user_per_day)),
        assumed("chat.peak_to_average", count(a.peak_to_average)),
        assumed("chat.message_bytes", count(a.message_bytes)),
        assumed("chat.replication_factor", count(a.replication_factor)),
        assumed("chat.shard_capacity_gb", count(a.shard_capacity_gb)),
        assumed("chat.online_at_peak_percent", count(a.online_at_peak_percent)),
        assumed("chat.connections_per_gateway", count(a.connections_per_gateway)),
        assumed("chat.memory_per_connection_kb", count(a.memory_per_connection_kb)),
        assumed("chat.heartbeat_interval_s", count(a.heartbeat_interval_s)),
        computed("chat.messages_per_day", count(e.messages_per_day)),
        computed("chat.messages_per_second", count(e.messages_per_second)),
        computed("chat.peak_messages_per_second", count(e.peak_messages_per_second)),
        computed("chat.storage_per_day_gb", count(e.storage_per_day_gb)),
        computed("chat.storage_per_year_gb", count(e.storage_per_year_gb)),
        computed("chat.storage_replicated_gb", count(e.storage_replicated_gb)),
        computed("chat.shards", count(e.shards)),
        computed("chat.concurrent_connections", count(e.concurrent_connections)),
        computed("chat.gateways", count(e.gateways)),
        computed("chat.gateway_connection_memory_gb", count(e.gateway_connection_memory_gb)),
        computed("chat.heartbeats_per_second", count(e.heartbeats_per_second)),
        computed("chat.peak_egress_mbit_per_second", count(e.peak_egress_mbit_per_second)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_estimate_matches_a_hand_calculation() {
        let e = chat(&ChatAssumptions::default());
        // 5 × 10⁸ users × 50 = 2.5 × 10¹⁰ a day; / 86,400 = 289,351.9 → 289,352; × 3 → 868,056.
        assert_eq!(e.messages_per_day, 25_000_000_000);
        assert_eq!(e.messages_per_second, 289_352);
        assert_eq!(e.peak_messages_per_second, 868_056);
        // 2.5 × 10¹⁰ × 200 B = 5,000 GB a day; × 365 = 1,825,000 GB; × 3 = 5,475,000 GB.
        assert_eq!(e.storage_per_day_gb, 5_000);
        assert_eq!(e.storage_per_year_gb, 1_825_000);
        assert_eq!(e.storage_replicated_gb, 5_475_000);
        // 1,825,000 / 2,000 = 912.5 → 913 shards.
        assert_eq!(e.shards, 913);
        // 20% of 5 × 10⁸ = 10⁸ connections; / 200,000 = 500 gateways of 200,000 × 20 KB = 4 GB.
        assert_eq!(e.concurrent_connections, 100_000_000);
        assert_eq!(e.gateways, 500);
        assert_eq!(e.gateway_connection_memory_gb, 4);
        // 10⁸ / 30 s = 3,333,333.3 → 3,333,334 pings a second: more than the messages.
        assert_eq!(e.heartbeats_per_second, 3_333_334);
        // 868,056 × 200 B × 8 = 1,388.9 Mbit/s → 1,389.
        assert_eq!(e.peak_egress_mbit_per_second, 1_389);
    }

    #[test]
    fn heartbeats_outnumber_messages_until_the_interval_is_long() {
        let e = chat(&ChatAssumptions::default());
        assert!(e.heartbeats_per_second > e.peak_messages_per_second);
        let lazy = chat(&ChatAssumptions { heartbeat_interval_s: 300, ..Default::default() });
        assert!(lazy.heartbeats_per_second < lazy.peak_messages_per_second);
    }
}
