//! Every figure a theory chapter may quote, by id, formatted the way the chapter writes it.
//!
//! A figure is either *assumed* (an input the chapter states: "10,000,000 new links a day")
//! or *computed* (derived from the inputs by a function in this module's siblings: "116 writes
//! a second"). Ids are `group.name`, the group naming the design or example
//! (`url_shortener.writes_per_second`). The chapters quote figures with markers the tests
//! check (see `fundamentals/theory/README.md`); this list is the other side of that check.

use super::api_numbers as api;
use super::capacity::{self, RateLimiterAssumptions, UrlShortenerAssumptions};
use super::database_numbers::{self as db, BTreeAssumptions, PoolAssumptions};
use super::deployment_numbers as deploy;
use super::messaging_numbers as msg;
use super::network_numbers::{self as net, handshake_rtts};
use super::observability_numbers as obs;
use super::os_numbers as os;
use super::security_numbers as sec;

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

/// A `u128` count (the security chapter's key spaces and attack times) with separators.
fn count_wide(n: u128) -> String {
    count(u64::try_from(n).expect("a figure the chapters quote fits in u64"))
}

/// A value kept in hundredths, with two decimals: `104` → `1.04`, `6424` → `64.24`.
pub fn hundredths(n: u64) -> String {
    format!("{}.{:02}", count(n / 100), n % 100)
}

pub(super) fn assumed(id: &'static str, value: String) -> Figure {
    Figure { id, kind: FigureKind::Assumed, value }
}

pub(super) fn computed(id: &'static str, value: String) -> Figure {
    Figure { id, kind: FigureKind::Computed, value }
}

/// Every figure, in the order the chapters introduce them.
pub fn all() -> Vec<Figure> {
    let mut figures = url_shortener();
    figures.extend(rate_limiter());
    // The later worked designs keep their figure lists beside their computations.
    figures.extend(super::news_feed::figures());
    figures.extend(super::chat::figures());
    figures.extend(super::ride_sharing::figures());
    figures.extend(super::web_crawler::figures());
    figures.extend(super::file_storage::figures());
    figures.extend(databases());
    figures.extend(networking());
    figures.extend(operating_systems());
    figures.extend(api_design());
    figures.extend(messaging());
    figures.extend(observability());
    figures.extend(deployment());
    figures.extend(security());
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

fn operating_systems() -> Vec<Figure> {
    use os::stated::*;
    vec![
        assumed("threads.requests_per_second", count(REQUESTS_PER_SECOND)),
        assumed("threads.cpu_ms", count(REQUEST_CPU_MS)),
        assumed("threads.wait_ms", count(REQUEST_WAIT_MS)),
        computed("threads.busy", count(os::busy_threads(REQUESTS_PER_SECOND, REQUEST_CPU_MS, REQUEST_WAIT_MS))),
        computed("threads.cores", count(os::cores_needed(REQUESTS_PER_SECOND, REQUEST_CPU_MS))),
        assumed("threads.connections", count(CONNECTIONS)),
        assumed("threads.stack_mib", count(THREAD_STACK_MIB)),
        computed("threads.stack_reservation_mib", count(os::stack_reservation_mib(CONNECTIONS, THREAD_STACK_MIB))),
        assumed("paging.tlb_entries", count(TLB_ENTRIES)),
        assumed("paging.small_page_kib", count(SMALL_PAGE_KIB)),
        assumed("paging.huge_page_kib", count(HUGE_PAGE_KIB)),
        computed("paging.tlb_reach_small_mib", count(os::tlb_reach_mib(TLB_ENTRIES, SMALL_PAGE_KIB))),
        computed("paging.tlb_reach_huge_mib", count(os::tlb_reach_mib(TLB_ENTRIES, HUGE_PAGE_KIB))),
        assumed("paging.mapped_gib", count(MAPPED_GIB)),
        computed("paging.small_pages", count(os::pages_to_map(MAPPED_GIB, SMALL_PAGE_KIB))),
        computed(
            "paging.small_page_tables_mib",
            count(os::leaf_page_tables_kib(os::pages_to_map(MAPPED_GIB, SMALL_PAGE_KIB)) / os::BYTES_PER_KIB),
        ),
        computed("paging.huge_pages", count(os::pages_to_map(MAPPED_GIB, HUGE_PAGE_KIB))),
        computed(
            "paging.huge_page_tables_kib",
            count(os::leaf_page_tables_kib(os::pages_to_map(MAPPED_GIB, HUGE_PAGE_KIB))),
        ),
        assumed("amdahl.serial_percent", count(SERIAL_PERCENT)),
        assumed("amdahl.cores", count(CORES)),
        computed("amdahl.speedup", hundredths(os::amdahl_speedup_hundredths(SERIAL_PERCENT, CORES))),
        computed("amdahl.limit", count(os::amdahl_limit(SERIAL_PERCENT))),
        assumed("fsync.disk_rpm", count(DISK_RPM)),
        computed("fsync.hdd_per_second", count(os::hdd_fsyncs_per_second(DISK_RPM))),
        assumed("fsync.ssd_us", count(SSD_FSYNC_US)),
        computed("fsync.ssd_commits_per_second", count(os::serial_commits_per_second(SSD_FSYNC_US))),
        assumed("fsync.group_batch", count(GROUP_COMMIT_BATCH)),
        computed(
            "fsync.group_commits_per_second",
            count(os::group_commits_per_second(SSD_FSYNC_US, GROUP_COMMIT_BATCH)),
        ),
    ]
}

fn api_design() -> Vec<Figure> {
    use api::stated::*;
    let keys = api::idempotency_keys_held(PAYMENTS_PER_SECOND, KEY_RETENTION_HOURS);
    vec![
        assumed("pagination.page_size", count(PAGE_SIZE)),
        assumed("pagination.deep_page", count(DEEP_PAGE)),
        computed("pagination.offset_rows_read", count(api::offset_rows_read(DEEP_PAGE, PAGE_SIZE))),
        computed("pagination.cursor_rows_read", count(api::cursor_rows_read(PAGE_SIZE))),
        assumed("pagination.table_rows", count(TABLE_ROWS)),
        assumed("pagination.walk_page_size", count(WALK_PAGE_SIZE)),
        computed("pagination.offset_walk_rows_read", count(api::offset_walk_rows_read(TABLE_ROWS, WALK_PAGE_SIZE))),
        assumed("retries.attempts_per_layer", count(ATTEMPTS_PER_LAYER)),
        assumed("retries.layers", count(u64::from(LAYERS))),
        computed("retries.bottom_attempts", count(api::retry_amplification(ATTEMPTS_PER_LAYER, LAYERS))),
        assumed("idempotency.payments_per_second", count(PAYMENTS_PER_SECOND)),
        assumed("idempotency.retention_hours", count(KEY_RETENTION_HOURS)),
        assumed("idempotency.bytes_per_key", count(BYTES_PER_KEY)),
        computed("idempotency.keys_held", count(keys)),
        computed("idempotency.store_gb", hundredths(api::idempotency_store_hundredths_gb(keys, BYTES_PER_KEY))),
        assumed("tokens.active_sessions", count(ACTIVE_SESSIONS)),
        assumed("tokens.lifetime_minutes", count(TOKEN_LIFETIME_MINUTES)),
        assumed("tokens.short_lifetime_minutes", count(SHORT_TOKEN_LIFETIME_MINUTES)),
        computed(
            "tokens.refreshes_per_second",
            count(api::token_refreshes_per_second(ACTIVE_SESSIONS, TOKEN_LIFETIME_MINUTES)),
        ),
        computed(
            "tokens.short_refreshes_per_second",
            count(api::token_refreshes_per_second(ACTIVE_SESSIONS, SHORT_TOKEN_LIFETIME_MINUTES)),
        ),
    ]
}

fn messaging() -> Vec<Figure> {
    use msg::stated::*;
    vec![
        assumed("topic.peak_messages_per_second", count(PEAK_MESSAGES_PER_SECOND)),
        assumed("topic.per_consumer_messages_per_second", count(PER_CONSUMER_MESSAGES_PER_SECOND)),
        computed(
            "topic.partitions",
            count(msg::partitions_for(PEAK_MESSAGES_PER_SECOND, PER_CONSUMER_MESSAGES_PER_SECOND)),
        ),
        assumed("topic.average_messages_per_second", count(AVERAGE_MESSAGES_PER_SECOND)),
        assumed("topic.message_bytes", count(MESSAGE_BYTES)),
        assumed("topic.retention_days", count(RETENTION_DAYS)),
        assumed("topic.replication_factor", count(REPLICATION_FACTOR)),
        computed(
            "topic.retained_gb",
            count(msg::retained_gb(AVERAGE_MESSAGES_PER_SECOND, MESSAGE_BYTES, RETENTION_DAYS, REPLICATION_FACTOR)),
        ),
        assumed("lag.messages", count(LAG_MESSAGES)),
        assumed("lag.consume_per_second", count(GROUP_CONSUME_PER_SECOND)),
        assumed("lag.produce_per_second", count(GROUP_PRODUCE_PER_SECOND)),
        computed(
            "lag.drain_per_second",
            count(msg::drain_per_second(GROUP_CONSUME_PER_SECOND, GROUP_PRODUCE_PER_SECOND)),
        ),
        computed(
            "lag.catch_up_minutes",
            count(msg::catch_up_minutes(LAG_MESSAGES, GROUP_CONSUME_PER_SECOND, GROUP_PRODUCE_PER_SECOND)),
        ),
        assumed("redelivery.commit_interval_ms", count(COMMIT_INTERVAL_MS)),
        computed(
            "redelivery.messages_after_crash",
            count(msg::redelivered_after_crash(PER_CONSUMER_MESSAGES_PER_SECOND, COMMIT_INTERVAL_MS)),
        ),
    ]
}

fn observability() -> Vec<Figure> {
    use obs::stated::*;
    let minutes = |ppm, days| hundredths(obs::hundredths_of_minutes(obs::allowed_downtime_ms(ppm, days)));
    let [p99, p995, p999, p9995, p9999, p99999] = NINES_PPM;
    let requests = obs::requests_in_window(REQUESTS_PER_SECOND, WINDOW_DAYS);
    let burn = |(percent, hours)| obs::burn_rate_hundredths(percent, hours, WINDOW_DAYS);
    let (fast, slow, ticket) = (burn(PAGE_FAST), burn(PAGE_SLOW), burn(TICKET));
    vec![
        assumed("slo.window_days", count(WINDOW_DAYS)),
        computed("slo.downtime_30d_99_minutes", minutes(p99, WINDOW_DAYS)),
        computed("slo.downtime_30d_995_minutes", minutes(p995, WINDOW_DAYS)),
        computed("slo.downtime_30d_999_minutes", minutes(p999, WINDOW_DAYS)),
        computed("slo.downtime_30d_9995_minutes", minutes(p9995, WINDOW_DAYS)),
        computed("slo.downtime_30d_9999_minutes", minutes(p9999, WINDOW_DAYS)),
        computed("slo.downtime_30d_99999_minutes", minutes(p99999, WINDOW_DAYS)),
        computed(
            "slo.downtime_30d_99999_seconds",
            hundredths(obs::hundredths_of_seconds(obs::allowed_downtime_ms(p99999, WINDOW_DAYS))),
        ),
        computed("slo.downtime_year_99_minutes", minutes(p99, YEAR_DAYS)),
        computed("slo.downtime_year_995_minutes", minutes(p995, YEAR_DAYS)),
        computed("slo.downtime_year_999_minutes", minutes(p999, YEAR_DAYS)),
        computed("slo.downtime_year_9995_minutes", minutes(p9995, YEAR_DAYS)),
        computed("slo.downtime_year_9999_minutes", minutes(p9999, YEAR_DAYS)),
        computed("slo.downtime_year_99999_minutes", minutes(p99999, YEAR_DAYS)),
        assumed("budget.requests_per_second", count(REQUESTS_PER_SECOND)),
        computed("budget.requests_in_window", count(requests)),
        computed("budget.failed_requests_allowed", count(obs::error_budget_requests(requests, SLO_PPM))),
        assumed("budget.outage_minutes", count(OUTAGE_MINUTES)),
        computed(
            "budget.outage_spent_percent",
            hundredths(obs::outage_budget_spent_hundredths_percent(OUTAGE_MINUTES, SLO_PPM, WINDOW_DAYS)),
        ),
        assumed("burn.page_fast_budget_percent", count(PAGE_FAST.0)),
        assumed("burn.page_fast_window_hours", count(PAGE_FAST.1)),
        assumed("burn.page_slow_budget_percent", count(PAGE_SLOW.0)),
        assumed("burn.page_slow_window_hours", count(PAGE_SLOW.1)),
        assumed("burn.ticket_budget_percent", count(TICKET.0)),
        assumed("burn.ticket_window_hours", count(TICKET.1)),
        computed("burn.page_fast_rate", hundredths(fast)),
        computed("burn.page_slow_rate", hundredths(slow)),
        computed("burn.ticket_rate", hundredths(ticket)),
        computed("burn.page_fast_error_percent", hundredths(obs::error_rate_at_burn_hundredths_percent(fast, SLO_PPM))),
        computed("burn.page_slow_error_percent", hundredths(obs::error_rate_at_burn_hundredths_percent(slow, SLO_PPM))),
        computed("burn.ticket_error_percent", hundredths(obs::error_rate_at_burn_hundredths_percent(ticket, SLO_PPM))),
        computed("burn.page_fast_exhausts_hours", count(obs::hours_to_exhaust(fast, WINDOW_DAYS))),
        computed("burn.page_slow_exhausts_hours", count(obs::hours_to_exhaust(slow, WINDOW_DAYS))),
        computed("burn.ticket_exhausts_hours", count(obs::hours_to_exhaust(ticket, WINDOW_DAYS))),
        assumed("availability.dependencies", count(u64::from(DEPENDENCIES))),
        computed(
            "availability.serial_percent",
            hundredths(obs::serial_availability_hundredths_percent(DEPENDENCY_PPM, DEPENDENCIES)),
        ),
        assumed("availability.replicas", count(u64::from(REPLICAS))),
        computed(
            "availability.parallel_percent",
            hundredths(obs::parallel_availability_hundredths_percent(REPLICA_PPM, REPLICAS)),
        ),
        assumed("tail.fan_out", count(FAN_OUT)),
        assumed("tail.small_fan_out", count(SMALL_FAN_OUT)),
        computed("tail.slow_percent", hundredths(obs::fan_out_slow_hundredths_percent(FAN_OUT, SLOW_PPM))),
        computed("tail.small_slow_percent", hundredths(obs::fan_out_slow_hundredths_percent(SMALL_FAN_OUT, SLOW_PPM))),
        assumed("latency.fast_requests", count(LATENCIES[0].1)),
        assumed("latency.fast_ms", count(LATENCIES[0].0)),
        assumed("latency.slow_requests", count(LATENCIES[1].1)),
        assumed("latency.slow_ms", count(LATENCIES[1].0)),
        computed("latency.mean_ms", hundredths(obs::mean_hundredths_ms(&LATENCIES))),
        computed("latency.p50_ms", count(obs::percentile_ms(&LATENCIES, 500))),
        computed("latency.p95_ms", count(obs::percentile_ms(&LATENCIES, 950))),
        computed("latency.p99_ms", count(obs::percentile_ms(&LATENCIES, 990))),
        assumed("telemetry.requests_per_second", count(LOG_REQUESTS_PER_SECOND)),
        assumed("telemetry.log_lines_per_request", count(LOG_LINES_PER_REQUEST)),
        assumed("telemetry.log_bytes_per_line", count(LOG_BYTES_PER_LINE)),
        computed(
            "telemetry.log_gb_per_day",
            count(obs::log_gb_per_day(LOG_REQUESTS_PER_SECOND, LOG_LINES_PER_REQUEST, LOG_BYTES_PER_LINE)),
        ),
        assumed("telemetry.histogram_buckets", count(HISTOGRAM_BUCKETS)),
        assumed("telemetry.routes", count(ROUTES)),
        assumed("telemetry.status_codes", count(STATUS_CODES)),
        assumed("telemetry.instances", count(INSTANCES)),
        assumed("telemetry.customers", count(CUSTOMERS)),
        computed(
            "telemetry.histogram_series",
            count(obs::histogram_series(HISTOGRAM_BUCKETS, &[ROUTES, STATUS_CODES, INSTANCES])),
        ),
        computed(
            "telemetry.histogram_series_with_customer",
            count(obs::histogram_series(HISTOGRAM_BUCKETS, &[ROUTES, STATUS_CODES, INSTANCES, CUSTOMERS])),
        ),
        assumed("telemetry.trace_sample_percent", count(TRACE_SAMPLE_PERCENT)),
        assumed("telemetry.spans_per_trace", count(SPANS_PER_TRACE)),
        computed(
            "telemetry.sampled_spans_per_second",
            count(obs::sampled_spans_per_second(LOG_REQUESTS_PER_SECOND, TRACE_SAMPLE_PERCENT, SPANS_PER_TRACE)),
        ),
    ]
}

fn deployment() -> Vec<Figure> {
    use deploy::stated::*;
    let quota = deploy::cfs_quota_ms(CPU_LIMIT_MILLICORES, CFS_PERIOD_MS);
    let runs = deploy::cfs_runs_for_ms(quota, BUSY_THREADS);
    let unavailable = deploy::max_unavailable_pods(REPLICAS, ROLLOUT_PERCENT);
    let surge = deploy::max_surge_pods(REPLICAS, ROLLOUT_PERCENT);
    let canary = deploy::canary_requests(REQUESTS_PER_SECOND, CANARY_PERCENT, CANARY_SECONDS);
    vec![
        assumed("cgroup.cpu_limit_millicores", count(CPU_LIMIT_MILLICORES)),
        assumed("cgroup.period_ms", count(CFS_PERIOD_MS)),
        assumed("cgroup.busy_threads", count(BUSY_THREADS)),
        computed("cgroup.quota_ms", count(quota)),
        computed("cgroup.runs_for_ms", count(runs)),
        computed("cgroup.throttled_ms", count(CFS_PERIOD_MS - runs)),
        assumed("rollout.replicas", count(REPLICAS)),
        assumed("rollout.percent", count(ROLLOUT_PERCENT)),
        assumed("rollout.utilization_percent", count(UTILIZATION_PERCENT)),
        computed("rollout.max_unavailable", count(unavailable)),
        computed("rollout.max_surge", count(surge)),
        computed(
            "rollout.utilization_during_percent",
            hundredths(deploy::utilization_during_rollout_hundredths_percent(
                REPLICAS,
                unavailable,
                UTILIZATION_PERCENT,
            )),
        ),
        computed("rollout.surge_waves", count(deploy::rollout_waves(REPLICAS, surge))),
        computed("rollout.rolling_peak_pods", count(REPLICAS + surge)),
        computed("rollout.blue_green_peak_pods", count(2 * REPLICAS)),
        assumed("canary.requests_per_second", count(REQUESTS_PER_SECOND)),
        assumed("canary.percent", count(CANARY_PERCENT)),
        assumed("canary.seconds", count(CANARY_SECONDS)),
        assumed("canary.bug_failure_percent", count(BUG_FAILURE_PERCENT)),
        computed("canary.requests", count(canary)),
        computed("canary.failed_requests", count(deploy::failed_requests(canary, BUG_FAILURE_PERCENT))),
        computed(
            "canary.full_rollout_failed_requests",
            count(deploy::failed_requests(REQUESTS_PER_SECOND * CANARY_SECONDS, BUG_FAILURE_PERCENT)),
        ),
    ]
}

fn security() -> Vec<Figure> {
    use sec::stated::*;
    let short = sec::keyspace(SHORT_ALPHABET, SHORT_LENGTH);
    let long = sec::keyspace(LONG_ALPHABET, LONG_LENGTH);
    vec![
        assumed("passwords.short_alphabet", count(SHORT_ALPHABET)),
        assumed("passwords.short_length", count(u64::from(SHORT_LENGTH))),
        computed("passwords.short_keyspace", count_wide(short)),
        assumed("passwords.fast_guesses_per_second", count(FAST_HASH_GUESSES_PER_SECOND)),
        assumed("passwords.slow_guesses_per_second", count(SLOW_HASH_GUESSES_PER_SECOND)),
        computed(
            "passwords.short_fast_seconds",
            count_wide(sec::seconds_to_exhaust(short, FAST_HASH_GUESSES_PER_SECOND)),
        ),
        computed(
            "passwords.short_slow_days",
            count_wide(sec::days(sec::seconds_to_exhaust(short, SLOW_HASH_GUESSES_PER_SECOND))),
        ),
        assumed("passwords.long_alphabet", count(LONG_ALPHABET)),
        assumed("passwords.long_length", count(u64::from(LONG_LENGTH))),
        computed(
            "passwords.long_fast_years",
            count_wide(sec::years(sec::seconds_to_exhaust(long, FAST_HASH_GUESSES_PER_SECOND))),
        ),
        assumed("codes.digits", count(u64::from(CODE_DIGITS))),
        assumed("codes.attempts", count(CODE_ATTEMPTS)),
        computed("codes.odds_one_in", count(sec::code_odds_one_in(CODE_DIGITS, CODE_ATTEMPTS))),
        assumed("codes.unlimited_guesses_per_second", count(UNLIMITED_GUESSES_PER_SECOND)),
        computed(
            "codes.unlimited_minutes",
            count(sec::unlimited_code_minutes(CODE_DIGITS, UNLIMITED_GUESSES_PER_SECOND)),
        ),
        assumed("stuffing.leaked_pairs", count(LEAKED_PAIRS)),
        assumed("stuffing.addresses", count(ATTACK_ADDRESSES)),
        assumed("stuffing.per_address_per_minute", count(PER_ADDRESS_PER_MINUTE)),
        computed(
            "stuffing.minutes",
            count(sec::stuffing_minutes(LEAKED_PAIRS, ATTACK_ADDRESSES, PER_ADDRESS_PER_MINUTE)),
        ),
        assumed("stuffing.reuse_per_mille", count(REUSE_PER_MILLE)),
        computed("stuffing.accounts_taken_over", count(sec::accounts_taken_over(LEAKED_PAIRS, REUSE_PER_MILLE))),
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
