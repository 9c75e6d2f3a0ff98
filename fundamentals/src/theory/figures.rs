//! Every figure a theory chapter may quote, by id, formatted the way the chapter writes it.
//!
//! A figure is either *assumed* (an input the chapter states: "10,000,000 new links a day")
//! or *computed* (derived from the inputs by a function in this module's siblings: "116 writes
//! a second"). Ids are `group.name`, the group naming the design or example
//! (`url_shortener.writes_per_second`). The chapters quote figures with markers the tests
//! check (see `fundamentals/theory/README.md`); this list is the other side of that check.

use super::capacity::{self, RateLimiterAssumptions, UrlShortenerAssumptions};
use super::database_numbers::{self as db, BTreeAssumptions, PoolAssumptions};
use super::network_numbers::{self as net, handshake_rtts};

/// Whether a figure is an input the chapter states or a result the code derives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureKind {
    Assumed,
    Computed,
}

impl FigureKind {
    /// The keyword of the chapter markers for this kind: `<!-- computed: id = value -->`.
    pub fn keyword(self) -> &'static str {
        match self {
            FigureKind::Assumed => "assumed",
            FigureKind::Computed => "computed",
        }
    }
}

/// One figure: its id, its kind, and its value as the chapters write it (`11,575`, `1.04`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub id: &'static str,
    pub kind: FigureKind,
    pub value: String,
}

/// An integer with thousands separators: `11575` → `11,575`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A value kept in hundredths, with two decimals: `104` → `1.04`, `6424` → `64.24`.
pub fn hundredths(n: u64) -> String {
    format!("{}.{:02}", count(n / 100), n % 100)
}

fn assumed(id: &'static str, value: String) -> Figure {
    Figure { id, kind: FigureKind::Assumed, value }
}

fn computed(id: &'static str, value: String) -> Figure {
    Figure { id, kind: FigureKind::Computed, value }
}

/// Every figure, in the order the chapters introduce them.
pub fn all() -> Vec<Figure> {
    let mut figures = url_shortener();
    figures.extend(rate_limiter());
    figures.extend(databases());
    figures.extend(networking());
    figures
}

/// The figure with this id, if there is one.
pub fn find(id: &str) -> Option<Figure> {
    all().into_iter().find(|f| f.id == id)
}

fn url_shortener() -> Vec<Figure> {
    let a = UrlShortenerAssumptions::default();
    let e = capacity::url_shortener(&a);
    vec![
        assumed("url_shortener.new_links_per_day", count(a.new_links_per_day)),
        assumed("url_shortener.reads_per_write", count(a.reads_per_write)),
        assumed("url_shortener.peak_to_average", count(a.peak_to_average)),
        assumed("url_shortener.retention_years", count(a.retention_years)),
        assumed("url_shortener.record_bytes", count(a.record_bytes)),
        assumed("url_shortener.replication_factor", count(a.replication_factor)),
        assumed("url_shortener.redirect_response_bytes", count(a.redirect_response_bytes)),
        assumed("url_shortener.cached_share_percent", count(a.cached_share_of_daily_reads_percent)),
        assumed("url_shortener.cache_node_memory_gb", count(a.cache_node_memory_gb)),
        assumed("url_shortener.shard_capacity_gb", count(a.shard_capacity_gb)),
        assumed("url_shortener.app_server_requests_per_second", count(a.app_server_requests_per_second)),
        assumed("url_shortener.key_alphabet", count(a.key_alphabet)),
        assumed("url_shortener.key_space_headroom", count(a.key_space_headroom)),
        computed("url_shortener.reads_per_day", count(e.reads_per_day)),
        computed("url_shortener.writes_per_second", count(e.writes_per_second)),
        computed("url_shortener.reads_per_second", count(e.reads_per_second)),
        computed("url_shortener.peak_requests_per_second", count(e.peak_requests_per_second)),
        computed("url_shortener.peak_reads_per_second", count(e.peak_reads_per_second)),
        computed("url_shortener.storage_per_day_gb", count(e.storage_per_day_gb)),
        computed("url_shortener.storage_per_year_gb", count(e.storage_per_year_gb)),
        computed("url_shortener.links_stored", count(e.links_stored)),
        computed("url_shortener.storage_total_gb", count(e.storage_total_gb)),
        computed("url_shortener.storage_replicated_gb", count(e.storage_replicated_gb)),
        computed("url_shortener.key_length_chars", count(u64::from(e.key_length_chars))),
        computed("url_shortener.key_space_used_percent", hundredths(e.key_space_used_hundredths_percent)),
        computed("url_shortener.peak_egress_mbit_per_second", count(e.peak_egress_mbit_per_second)),
        computed("url_shortener.cache_gb", count(e.cache_gb)),
        computed("url_shortener.cache_nodes", count(e.cache_nodes)),
        computed("url_shortener.shards", count(e.shards)),
        computed("url_shortener.app_servers", count(e.app_servers)),
    ]
}

fn rate_limiter() -> Vec<Figure> {
    let a = RateLimiterAssumptions::default();
    let e = capacity::rate_limiter(&a);
    vec![
        assumed("rate_limiter.active_keys", count(a.active_keys)),
        assumed("rate_limiter.limit_per_key_per_second", count(a.limit_per_key_per_second)),
        assumed("rate_limiter.peak_requests_per_second", count(a.peak_requests_per_second)),
        assumed("rate_limiter.gateways", count(a.gateways)),
        assumed("rate_limiter.key_overhead_bytes", count(a.key_overhead_bytes)),
        assumed("rate_limiter.counter_bytes", count(a.counter_bytes)),
        assumed("rate_limiter.store_checks_per_shard_per_second", count(a.store_checks_per_shard_per_second)),
        assumed("rate_limiter.max_shard_utilization_percent", count(a.max_shard_utilization_percent)),
        assumed("rate_limiter.bytes_per_check", count(a.bytes_per_check)),
        assumed("rate_limiter.sync_interval_ms", count(a.sync_interval_ms)),
        computed("rate_limiter.local_share_per_gateway", count(e.local_share_per_gateway)),
        computed("rate_limiter.planned_checks_per_shard", count(e.planned_checks_per_shard)),
        computed("rate_limiter.fixed_window_worst_case_per_second", count(e.fixed_window_worst_case_per_second)),
        computed("rate_limiter.token_bucket_bytes_per_key", count(e.token_bucket_bytes_per_key)),
        computed("rate_limiter.token_bucket_memory_mb", count(e.token_bucket_memory_mb)),
        computed("rate_limiter.sliding_log_bytes_per_key", count(e.sliding_log_bytes_per_key)),
        computed("rate_limiter.sliding_log_memory_mb", count(e.sliding_log_memory_mb)),
        computed("rate_limiter.store_shards", count(e.store_shards)),
        computed("rate_limiter.store_traffic_mbit_per_second", count(e.store_traffic_mbit_per_second)),
        computed("rate_limiter.sync_messages_per_second", count(e.sync_messages_per_second)),
    ]
}

fn databases() -> Vec<Figure> {
    use db::stated::*;
    let p = PoolAssumptions::default();
    let pools = db::pools(&p);
    let b = BTreeAssumptions::default();
    let tree = db::btree(&b);
    vec![
        assumed("pool.app_instances", count(p.app_instances)),
        assumed("pool.queries_per_second_per_instance", count(p.queries_per_second_per_instance)),
        assumed("pool.mean_query_ms", count(p.mean_query_ms)),
        assumed("pool.pool_per_instance", count(p.pool_per_instance)),
        assumed("pool.memory_per_connection_mb", count(p.memory_per_connection_mb)),
        computed("pool.total_queries_per_second", count(pools.total_queries_per_second)),
        computed("pool.busy_at_database", count(pools.busy_at_database)),
        computed("pool.busy_per_instance", count(pools.busy_per_instance)),
        computed("pool.open_connections", count(pools.open_connections)),
        computed("pool.idle_connections", count(pools.idle_connections)),
        computed("pool.connection_memory_mb", count(pools.connection_memory_mb)),
        assumed("btree.rows", count(b.rows)),
        assumed("btree.page_bytes", count(b.page_bytes)),
        assumed("btree.entry_bytes", count(b.entry_bytes)),
        computed("btree.fanout", count(tree.fanout)),
        computed("btree.leaf_pages", count(tree.leaf_pages)),
        computed("btree.inner_pages", count(tree.inner_pages)),
        computed("btree.inner_pages_mb", count(tree.inner_pages_mb)),
        computed("btree.levels", count(tree.levels)),
        assumed("replication.writes_per_second", count(REPLICATION_WRITES_PER_SECOND)),
        assumed("replication.lag_ms", count(REPLICATION_LAG_MS)),
        computed(
            "replication.writes_lost_on_failover",
            count(db::writes_lost_on_async_failover(REPLICATION_WRITES_PER_SECOND, REPLICATION_LAG_MS)),
        ),
        assumed("cache.reads_per_second", count(CACHE_READS_PER_SECOND)),
        assumed("cache.hit_ratio_low_percent", count(CACHE_HIT_RATIO_LOW_PERCENT)),
        assumed("cache.hit_ratio_high_percent", count(CACHE_HIT_RATIO_HIGH_PERCENT)),
        computed(
            "cache.database_reads_at_low_hit_ratio",
            count(db::database_reads(CACHE_READS_PER_SECOND, CACHE_HIT_RATIO_LOW_PERCENT)),
        ),
        computed(
            "cache.database_reads_at_high_hit_ratio",
            count(db::database_reads(CACHE_READS_PER_SECOND, CACHE_HIT_RATIO_HIGH_PERCENT)),
        ),
    ]
}

fn networking() -> Vec<Figure> {
    use net::stated::*;
    let ttfb = |rtts| count(net::time_to_first_byte_ms(rtts, LONG_RTT_MS));
    let slow_start = net::slow_start_rtts(TRANSFER_BYTES, INITIAL_WINDOW_SEGMENTS, MSS_BYTES);
    vec![
        assumed("tcp.link_mbit_per_second", count(LINK_BITS_PER_SECOND / capacity::BITS_PER_MBIT)),
        assumed("tcp.long_rtt_ms", count(LONG_RTT_MS)),
        assumed("tcp.edge_rtt_ms", count(EDGE_RTT_MS)),
        computed(
            "tcp.bandwidth_delay_product_kb",
            count(net::bandwidth_delay_product_bytes(LINK_BITS_PER_SECOND, LONG_RTT_MS) / 1_000),
        ),
        assumed("tcp.unscaled_window_bytes", count(UNSCALED_WINDOW_BYTES)),
        computed(
            "tcp.unscaled_window_mbit_per_second",
            hundredths(net::window_limited_hundredths_mbit_per_second(UNSCALED_WINDOW_BYTES, LONG_RTT_MS)),
        ),
        assumed("tcp.ephemeral_ports", count(EPHEMERAL_PORTS)),
        assumed("tcp.time_wait_s", count(TIME_WAIT_S)),
        computed(
            "tcp.time_wait_connections_per_second",
            count(net::time_wait_connections_per_second(EPHEMERAL_PORTS, TIME_WAIT_S)),
        ),
        computed("handshake.ttfb_tcp_tls12_ms", ttfb(handshake_rtts::TCP_TLS12)),
        computed("handshake.ttfb_tcp_tls13_ms", ttfb(handshake_rtts::TCP_TLS13)),
        computed("handshake.ttfb_quic_ms", ttfb(handshake_rtts::QUIC)),
        computed("handshake.ttfb_quic_0rtt_ms", ttfb(handshake_rtts::QUIC_0RTT)),
        assumed("slow_start.transfer_bytes", count(TRANSFER_BYTES)),
        assumed("slow_start.initial_window_segments", count(INITIAL_WINDOW_SEGMENTS)),
        assumed("slow_start.mss_bytes", count(MSS_BYTES)),
        computed("slow_start.rtts", count(slow_start)),
        computed("slow_start.long_rtt_ms", count(slow_start * LONG_RTT_MS)),
        computed("slow_start.edge_rtt_ms", count(slow_start * EDGE_RTT_MS)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn counts_get_thousands_separators_and_hundredths_two_decimals() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(11_575), "11,575");
        assert_eq!(count(36_500_000_000), "36,500,000,000");
        assert_eq!(hundredths(104), "1.04");
        assert_eq!(hundredths(5), "0.05");
        assert_eq!(hundredths(123_456), "1,234.56");
    }

    #[test]
    fn ids_are_unique_and_shaped_group_dot_name() {
        let figures = all();
        let ids: BTreeSet<&str> = figures.iter().map(|f| f.id).collect();
        assert_eq!(ids.len(), figures.len(), "a figure id is used twice");
        for id in ids {
            let (group, name) = id.split_once('.').unwrap_or_else(|| panic!("{id} has no group"));
            assert!(!group.is_empty(), "{id}: empty group");
            assert!(!name.is_empty(), "{id}: empty name");
            assert!(id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'), "{id}");
        }
    }

    #[test]
    fn find_returns_the_computed_value() {
        let writes = find("url_shortener.writes_per_second").expect("a registered figure");
        assert_eq!(writes.kind, FigureKind::Computed);
        assert_eq!(writes.value, "116");
        assert_eq!(find("url_shortener.nonsense"), None);
    }
}
