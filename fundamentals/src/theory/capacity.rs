//! # Back-of-the-envelope estimation
//!
//! ## Why interviewers ask this
//! Every system-design interview has a capacity step: "how many requests per second, how much
//! storage, how many machines?" Interviewers are not checking arithmetic for its own sake. They
//! want to see that you state assumptions out loud, convert units without losing a factor of
//! 1,000, round in the safe direction, and let the numbers decide the design ("5 GB a day is
//! nothing for one database, but 18 TB after ten years is more than one machine should hold,
//! so we shard from the start").
//!
//! ## How it works
//! Each worked design in `fundamentals/theory/system-design.md` has an assumptions struct
//! (whose `Default` is exactly what the chapter states) and a function that derives the
//! estimate from it in integer arithmetic:
//! - rates: per day ÷ 86,400 s, **rounded up** — provisioning for 115.7 writes a second means
//!   provisioning for 116;
//! - peaks: the average times a stated peak-to-average factor (3 is typical for consumer
//!   traffic with a daily cycle);
//! - storage: records × bytes per record, per day, per year, over the retention period, then
//!   times the replication factor;
//! - machine counts: demand ÷ what one machine does at a stated utilisation, rounded up, plus
//!   one spare where losing a machine must not lose capacity (N+1).
//!
//! Decimal units throughout (1 GB = 10⁹ bytes, 1 Mbit = 10⁶ bits), as disks and links are sold.
//!
//! ## Common pitfalls
//! - Dividing by the wrong unit: a day is 86,400 s, not 1,440 (that is minutes); a year of
//!   writes at 1 per second is about 31.5 million.
//! - Rounding down a capacity: 9.1 shards is 10 shards.
//! - Forgetting replication (storage × 3) or the peak (traffic × 3): the design then falls
//!   over exactly when it matters.
//! - Sizing a cache from "requests" when many requests repeat the same key: the result is an
//!   upper bound, and you should say so.
//! - Spending five minutes on arithmetic. Round the inputs (10 million, not 9.7 million) and
//!   keep one significant digit of precision in your head; the code here keeps exact integers
//!   only so that a test can hold the chapter to them.
//!
//! ## Key takeaways
//! - Write the assumptions down first; every number after that is derived, never guessed.
//! - ~100,000 seconds in a day (86,400); ~30 million seconds in a year (31,536,000).
//! - 1 write/s sustained for a year is ~31.5 M records; at 1 KB each, ~31.5 GB.
//! - Round capacities up, and add one spare.
//!
//! ## Break it
//! `fundamentals/breaks/theory_capacity.patch` makes [`average_per_second`] divide by 1,440
//! (the minutes in a day) instead of 86,400. `just break theory_capacity` shows
//! `every_quoted_figure_matches_its_computation` failing: the code now says 6,945 writes a
//! second where the chapter says 116, and the test names the line.
//!
//! ## Interview questions
//! - *10 million new links a day: how many writes a second?* 10⁷ ÷ 86,400 ≈ 116 on average;
//!   times 3 at peak ≈ 350. Tiny for any database — the design is driven by reads.
//! - *How long a key for 36.5 billion links?* Base62: 62⁶ ≈ 57 billion is too tight for random
//!   keys, 62⁷ ≈ 3.5 trillion leaves 99% of the space free, so a random key collides with
//!   about 1% probability and one retry almost always succeeds.
//! - *Why round up?* A capacity estimate is a promise to handle the load; 9.1 machines of
//!   work needs 10 machines.

/// Seconds in a day: what turns "per day" into "per second".
pub const SECONDS_PER_DAY: u64 = 24 * 60 * 60;
/// Days in a (non-leap) year.
pub const DAYS_PER_YEAR: u64 = 365;
/// Bytes in a (decimal) gigabyte.
pub const BYTES_PER_GB: u64 = 1_000_000_000;
/// Bytes in a (decimal) megabyte.
pub const BYTES_PER_MB: u64 = 1_000_000;
/// Bits in a (decimal) megabit.
pub const BITS_PER_MBIT: u64 = 1_000_000;

const _: () = assert!(SECONDS_PER_DAY == 86_400);
const _: () = assert!(BYTES_PER_GB == 1_000 * BYTES_PER_MB);

/// The average rate of `per_day` events, per second, rounded up.
pub fn average_per_second(per_day: u64) -> u64 {
    per_day.div_ceil(SECONDS_PER_DAY)
}

/// The peak rate of `per_day` events, per second, when the peak is `peak_to_average` times
/// the average. Multiplies before dividing, so the only rounding is the final one (up).
pub fn peak_per_second(per_day: u64, peak_to_average: u64) -> u64 {
    average_per_second(per_day * peak_to_average)
}

/// Machines needed for `demand` when one machine handles `per_machine`, rounded up.
pub fn machines_for(demand: u64, per_machine: u64) -> u64 {
    assert!(per_machine > 0, "a machine must handle something");
    demand.div_ceil(per_machine)
}

/// `part / whole` in hundredths of a percent, rounded to the nearest (1.04% is 104).
pub fn hundredths_of_a_percent(part: u64, whole: u64) -> u64 {
    assert!(whole > 0, "a share of nothing");
    let scaled = u128::from(part) * 10_000;
    let whole = u128::from(whole);
    u64::try_from((scaled * 2 + whole) / (whole * 2)).expect("a share that fits in u64")
}

/// Megabits per second needed to send `bytes_each` bytes `per_second` times, rounded up.
pub fn mbit_per_second(per_second: u64, bytes_each: u64) -> u64 {
    (per_second * bytes_each * 8).div_ceil(BITS_PER_MBIT)
}

/// What the URL-shortener design assumes: the chapter's "Requirements" and "Estimate" inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlShortenerAssumptions {
    pub new_links_per_day: u64,
    /// Redirects served per link created.
    pub reads_per_write: u64,
    pub peak_to_average: u64,
    pub retention_years: u64,
    /// One stored link: the long URL (~200 bytes on average), the key, owner, timestamps,
    /// and the index entries that point at it.
    pub record_bytes: u64,
    pub replication_factor: u64,
    /// One redirect response on the wire: status line, `Location`, a few headers.
    pub redirect_response_bytes: u64,
    /// Share of a day's reads whose links are kept in the cache (the 80/20 rule's 20).
    pub cached_share_of_daily_reads_percent: u64,
    pub cache_node_memory_gb: u64,
    /// Data one database shard holds comfortably (before replication).
    pub shard_capacity_gb: u64,
    /// Redirects one stateless application server serves at peak (cache hits mostly).
    pub app_server_requests_per_second: u64,
    /// Characters a key may use: `[0-9A-Za-z]`.
    pub key_alphabet: u64,
    /// The key space must be at least this many times the number of links ever stored, so
    /// that a randomly drawn key is almost always free.
    pub key_space_headroom: u64,
}

impl Default for UrlShortenerAssumptions {
    /// The numbers the chapter states.
    fn default() -> Self {
        Self {
            new_links_per_day: 10_000_000,
            reads_per_write: 100,
            peak_to_average: 3,
            retention_years: 10,
            record_bytes: 500,
            replication_factor: 3,
            redirect_response_bytes: 400,
            cached_share_of_daily_reads_percent: 20,
            cache_node_memory_gb: 32,
            shard_capacity_gb: 2_000,
            app_server_requests_per_second: 5_000,
            key_alphabet: 62,
            key_space_headroom: 10,
        }
    }
}

/// The URL-shortener estimate, derived from [`UrlShortenerAssumptions`] by [`url_shortener`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlShortenerEstimate {
    pub reads_per_day: u64,
    pub writes_per_second: u64,
    pub reads_per_second: u64,
    /// Reads and writes together, at peak.
    pub peak_requests_per_second: u64,
    pub peak_reads_per_second: u64,
    pub storage_per_day_gb: u64,
    pub storage_per_year_gb: u64,
    /// Links stored at the end of the retention period.
    pub links_stored: u64,
    pub storage_total_gb: u64,
    pub storage_replicated_gb: u64,
    /// Shortest key length whose key space has the required headroom.
    pub key_length_chars: u32,
    /// Share of that key space used at the end of the retention period, in hundredths of a %.
    pub key_space_used_hundredths_percent: u64,
    pub peak_egress_mbit_per_second: u64,
    pub cache_gb: u64,
    pub cache_nodes: u64,
    pub shards: u64,
    /// Application servers for the peak, plus one spare.
    pub app_servers: u64,
}

/// Derives the URL shortener's estimate from its assumptions.
pub fn url_shortener(a: &UrlShortenerAssumptions) -> UrlShortenerEstimate {
    let reads_per_day = a.new_links_per_day * a.reads_per_write;
    let storage_per_day_bytes = a.new_links_per_day * a.record_bytes;
    let links_stored = a.new_links_per_day * DAYS_PER_YEAR * a.retention_years;
    let storage_total_gb = (links_stored * a.record_bytes).div_ceil(BYTES_PER_GB);
    let (key_length_chars, key_space) = key_length(a.key_alphabet, links_stored * a.key_space_headroom);
    let peak_requests_per_second = peak_per_second(reads_per_day + a.new_links_per_day, a.peak_to_average);
    let peak_reads_per_second = peak_per_second(reads_per_day, a.peak_to_average);
    let cached_reads = reads_per_day * a.cached_share_of_daily_reads_percent / 100;
    let cache_gb = (cached_reads * a.record_bytes).div_ceil(BYTES_PER_GB);
    UrlShortenerEstimate {
        reads_per_day,
        writes_per_second: average_per_second(a.new_links_per_day),
        reads_per_second: average_per_second(reads_per_day),
        peak_requests_per_second,
        peak_reads_per_second,
        storage_per_day_gb: storage_per_day_bytes.div_ceil(BYTES_PER_GB),
        storage_per_year_gb: (storage_per_day_bytes * DAYS_PER_YEAR).div_ceil(BYTES_PER_GB),
        links_stored,
        storage_total_gb,
        storage_replicated_gb: storage_total_gb * a.replication_factor,
        key_length_chars,
        key_space_used_hundredths_percent: hundredths_of_a_percent(links_stored, key_space),
        peak_egress_mbit_per_second: mbit_per_second(peak_reads_per_second, a.redirect_response_bytes),
        cache_gb,
        cache_nodes: machines_for(cache_gb, a.cache_node_memory_gb),
        shards: machines_for(storage_total_gb, a.shard_capacity_gb),
        app_servers: machines_for(peak_requests_per_second, a.app_server_requests_per_second) + 1,
    }
}

/// The shortest key length `L` with `alphabet^L >= at_least`, and that key space.
fn key_length(alphabet: u64, at_least: u64) -> (u32, u64) {
    assert!(alphabet >= 2, "keys need an alphabet of at least two characters");
    // Bounded: 2^64 > any u64, so 64 characters of even a binary alphabet always suffice.
    for length in 1..=64u32 {
        match alphabet.checked_pow(length) {
            Some(space) if space >= at_least => return (length, space),
            Some(_) => {}
            None => return (length, u64::MAX),
        }
    }
    unreachable!("an alphabet of at least 2 exceeds any u64 within 64 characters")
}

/// What the rate-limiter design assumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimiterAssumptions {
    /// API keys active in a day, each with its own limit.
    pub active_keys: u64,
    pub limit_per_key_per_second: u64,
    /// Requests reaching the gateways at peak, all keys together.
    pub peak_requests_per_second: u64,
    pub gateways: u64,
    /// Per key, in the shared store: the key itself, the hash-table entry, the expiry.
    pub key_overhead_bytes: u64,
    /// One counter or one timestamp.
    pub counter_bytes: u64,
    /// Limit checks (one small script each) one store shard runs per second, flat out.
    pub store_checks_per_shard_per_second: u64,
    /// The utilisation a shard is planned to, leaving room for a shard's failover and spikes.
    pub max_shard_utilization_percent: u64,
    /// One limit check on the wire, request and answer together.
    pub bytes_per_check: u64,
    /// How often each gateway sends its counts to every other gateway (the sync design).
    pub sync_interval_ms: u64,
}

impl Default for RateLimiterAssumptions {
    /// The numbers the chapter states.
    fn default() -> Self {
        Self {
            active_keys: 1_000_000,
            limit_per_key_per_second: 100,
            peak_requests_per_second: 500_000,
            gateways: 20,
            key_overhead_bytes: 80,
            counter_bytes: 8,
            store_checks_per_shard_per_second: 50_000,
            max_shard_utilization_percent: 50,
            bytes_per_check: 100,
            sync_interval_ms: 20,
        }
    }
}

/// The rate-limiter estimate, derived by [`rate_limiter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimiterEstimate {
    /// Each gateway's share when every gateway enforces the limit alone (rounded down: the
    /// shares must not add up to more than the limit).
    pub local_share_per_gateway: u64,
    /// Checks one store shard is planned to run per second (its capacity at the planned
    /// utilisation).
    pub planned_checks_per_shard: u64,
    /// Requests a fixed-window counter admits in the worst one-second span (across an edge).
    pub fixed_window_worst_case_per_second: u64,
    pub token_bucket_bytes_per_key: u64,
    pub token_bucket_memory_mb: u64,
    pub sliding_log_bytes_per_key: u64,
    pub sliding_log_memory_mb: u64,
    pub store_shards: u64,
    pub store_traffic_mbit_per_second: u64,
    /// Count reports sent per second when every gateway tells every other one.
    pub sync_messages_per_second: u64,
}

/// Derives the rate limiter's estimate from its assumptions.
pub fn rate_limiter(a: &RateLimiterAssumptions) -> RateLimiterEstimate {
    assert!(a.gateways > 0, "at least one gateway");
    assert!(a.sync_interval_ms > 0, "a sync interval of at least 1 ms");
    // A bucket holds its tokens and the time of its last refill.
    let token_bucket_bytes_per_key = a.key_overhead_bytes + 2 * a.counter_bytes;
    // A log holds one timestamp per admitted request in the window: up to the limit.
    let sliding_log_bytes_per_key = a.key_overhead_bytes + a.limit_per_key_per_second * a.counter_bytes;
    let per_shard = a.store_checks_per_shard_per_second * a.max_shard_utilization_percent / 100;
    RateLimiterEstimate {
        local_share_per_gateway: a.limit_per_key_per_second / a.gateways,
        planned_checks_per_shard: per_shard,
        fixed_window_worst_case_per_second: 2 * a.limit_per_key_per_second,
        token_bucket_bytes_per_key,
        token_bucket_memory_mb: (a.active_keys * token_bucket_bytes_per_key).div_ceil(BYTES_PER_MB),
        sliding_log_bytes_per_key,
        sliding_log_memory_mb: (a.active_keys * sliding_log_bytes_per_key).div_ceil(BYTES_PER_MB),
        store_shards: machines_for(a.peak_requests_per_second, per_shard),
        store_traffic_mbit_per_second: mbit_per_second(a.peak_requests_per_second, a.bytes_per_check),
        sync_messages_per_second: a.gateways * (a.gateways - 1) * 1_000 / a.sync_interval_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn url_shortener_estimate_matches_a_hand_calculation() {
        let e = url_shortener(&UrlShortenerAssumptions::default());
        // 10,000,000 / 86,400 = 115.7 → 116; 1,000,000,000 / 86,400 = 11,574.07 → 11,575.
        assert_eq!(e.reads_per_day, 1_000_000_000);
        assert_eq!(e.writes_per_second, 116);
        assert_eq!(e.reads_per_second, 11_575);
        // 3 × 1,010,000,000 / 86,400 = 35,069.4 → 35,070; 3 × 10⁹ / 86,400 = 34,722.2 → 34,723.
        assert_eq!(e.peak_requests_per_second, 35_070);
        assert_eq!(e.peak_reads_per_second, 34_723);
        // 10⁷ × 500 B = 5 GB a day; × 365 = 1,825 GB; × 10 years = 18,250 GB; × 3 = 54,750 GB.
        assert_eq!(e.storage_per_day_gb, 5);
        assert_eq!(e.storage_per_year_gb, 1_825);
        assert_eq!(e.links_stored, 36_500_000_000);
        assert_eq!(e.storage_total_gb, 18_250);
        assert_eq!(e.storage_replicated_gb, 54_750);
        // 62⁶ = 56.8 × 10⁹ < 365 × 10⁹ ≤ 62⁷ = 3.52 × 10¹²; 36.5 × 10⁹ / 3.52 × 10¹² = 1.04%.
        assert_eq!(e.key_length_chars, 7);
        assert_eq!(e.key_space_used_hundredths_percent, 104);
        // 34,723 × 400 B × 8 = 111.1 Mbit/s → 112.
        assert_eq!(e.peak_egress_mbit_per_second, 112);
        // 20% of 10⁹ reads × 500 B = 100 GB; / 32 GB = 3.1 → 4 nodes.
        assert_eq!(e.cache_gb, 100);
        assert_eq!(e.cache_nodes, 4);
        // 18,250 / 2,000 = 9.1 → 10 shards; 35,070 / 5,000 = 7.01 → 8, plus a spare.
        assert_eq!(e.shards, 10);
        assert_eq!(e.app_servers, 9);
    }

    #[test]
    fn rate_limiter_estimate_matches_a_hand_calculation() {
        let e = rate_limiter(&RateLimiterAssumptions::default());
        assert_eq!(e.local_share_per_gateway, 5); // 100 / 20
        assert_eq!(e.fixed_window_worst_case_per_second, 200); // 100 before the edge, 100 after
        assert_eq!(e.token_bucket_bytes_per_key, 96); // 80 + 2 × 8
        assert_eq!(e.token_bucket_memory_mb, 96); // 10⁶ × 96 B
        assert_eq!(e.sliding_log_bytes_per_key, 880); // 80 + 100 × 8
        assert_eq!(e.sliding_log_memory_mb, 880);
        assert_eq!(e.planned_checks_per_shard, 25_000); // 50,000 × 50%
        assert_eq!(e.store_shards, 20); // 500,000 / 25,000
        assert_eq!(e.store_traffic_mbit_per_second, 400); // 500,000 × 100 B × 8
        assert_eq!(e.sync_messages_per_second, 19_000); // 20 × 19 × 50 per second
    }

    #[test]
    fn a_bigger_headroom_needs_a_longer_key() {
        let tight = UrlShortenerAssumptions { key_space_headroom: 1, ..Default::default() };
        let roomy = UrlShortenerAssumptions { key_space_headroom: 1_000, ..Default::default() };
        // 36.5 × 10⁹ links fit in 62⁶ = 56.8 × 10⁹, barely (64% used); 1,000× needs 62⁸.
        assert_eq!(url_shortener(&tight).key_length_chars, 6);
        assert_eq!(url_shortener(&tight).key_space_used_hundredths_percent, 6_426);
        assert_eq!(url_shortener(&roomy).key_length_chars, 8);
    }

    #[test]
    fn a_key_space_that_overflows_u64_is_reported_as_the_largest_u64() {
        assert_eq!(key_length(62, u64::MAX), (11, u64::MAX));
        assert_eq!(key_length(2, 1), (1, 2));
    }

    #[test]
    fn shares_round_to_the_nearest_hundredth() {
        assert_eq!(hundredths_of_a_percent(1, 3), 3_333);
        assert_eq!(hundredths_of_a_percent(2, 3), 6_667);
        assert_eq!(hundredths_of_a_percent(1, 20_000), 1); // 0.005% rounds up to 0.01%
        assert_eq!(hundredths_of_a_percent(0, 7), 0);
    }

    proptest! {
        #[test]
        fn per_second_rates_round_up_never_down(per_day in 0u64..10_000_000_000_000) {
            let rate = average_per_second(per_day);
            prop_assert!(rate * SECONDS_PER_DAY >= per_day, "{} a second under-provisions", rate);
            prop_assert!(rate == 0 || (rate - 1) * SECONDS_PER_DAY < per_day, "{} is one too many", rate);
        }

        #[test]
        fn machines_cover_the_demand_with_less_than_one_to_spare(demand in 0u64..1_000_000_000, each in 1u64..100_000) {
            let machines = machines_for(demand, each);
            prop_assert!(machines * each >= demand);
            prop_assert!(machines == 0 || (machines - 1) * each < demand);
        }
    }
}
