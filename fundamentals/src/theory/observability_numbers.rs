//! The numbers the observability chapter (`fundamentals/theory/observability.md`) quotes, each
//! computed from the assumptions the chapter states: downtime allowed by an availability SLO,
//! an error budget in requests, burn rates and the multiwindow alerts built on them, the
//! availability of dependencies in series and in parallel, how fan-out turns a rare slow backend
//! into a common slow request, what a mean hides that percentiles show, and the volume and
//! cardinality bills of logs, metrics and traces.
//!
//! SLO targets are written in parts per million of good events (99.9% is `999_000`), so three
//! or more nines stay exact in integer arithmetic.

use super::capacity::{hundredths_of_a_percent, BYTES_PER_GB, SECONDS_PER_DAY};

/// Parts per million: the unit of SLO targets.
pub const PPM: u64 = 1_000_000;
const MS_PER_DAY: u64 = SECONDS_PER_DAY * 1_000;

/// The share of events an SLO allows to be bad, in parts per million (99.9% → 1,000).
fn budget_ppm(target_ppm: u64) -> u64 {
    assert!(target_ppm <= PPM, "an SLO above 100%");
    PPM - target_ppm
}

/// Milliseconds of full outage an availability SLO of `target_ppm` allows over `window_days`,
/// rounded down (a budget is not to be overstated).
pub fn allowed_downtime_ms(target_ppm: u64, window_days: u64) -> u64 {
    window_days * MS_PER_DAY * budget_ppm(target_ppm) / PPM
}

/// `ms` in hundredths of a minute, rounded down: 2,592,000 ms → 4,320 (43.20 min).
pub fn hundredths_of_minutes(ms: u64) -> u64 {
    ms / 600
}

/// `ms` in hundredths of a second, rounded down: 25,920 ms → 2,592 (25.92 s).
pub fn hundredths_of_seconds(ms: u64) -> u64 {
    ms / 10
}

/// Requests served over `window_days` at an average of `requests_per_second`.
pub fn requests_in_window(requests_per_second: u64, window_days: u64) -> u64 {
    requests_per_second * window_days * SECONDS_PER_DAY
}

/// Requests an SLO of `target_ppm` allows to fail among `requests`, rounded down.
pub fn error_budget_requests(requests: u64, target_ppm: u64) -> u64 {
    let bad = u128::from(requests) * u128::from(budget_ppm(target_ppm)) / u128::from(PPM);
    u64::try_from(bad).expect("a budget no larger than the requests")
}

/// How much of the window's error budget a full outage of `outage_minutes` spends, in
/// hundredths of a percent (rounded to the nearest).
pub fn outage_budget_spent_hundredths_percent(outage_minutes: u64, target_ppm: u64, window_days: u64) -> u64 {
    hundredths_of_a_percent(outage_minutes * 60_000, allowed_downtime_ms(target_ppm, window_days))
}

/// The burn rate, in hundredths, at which spending `budget_percent` of a `window_days` budget
/// takes `alert_window_hours`. A burn rate of 1 spends the budget exactly over the window;
/// 14.4 spends 2% of a 30-day budget in one hour.
pub fn burn_rate_hundredths(budget_percent: u64, alert_window_hours: u64, window_days: u64) -> u64 {
    assert!(alert_window_hours > 0, "an alert looks back over some time");
    // (budget_percent / 100) × (window_hours / alert_window_hours), × 100 for hundredths.
    budget_percent * window_days * 24 / alert_window_hours
}

/// The error rate that burns the budget at `burn_hundredths`, in hundredths of a percent:
/// burn rate × the allowed error rate (14.4 × 0.1% = 1.44%).
pub fn error_rate_at_burn_hundredths_percent(burn_hundredths: u64, target_ppm: u64) -> u64 {
    // burn/100 × budget/10⁶ × 100% × 100 (hundredths) = burn × budget / 10⁴.
    burn_hundredths * budget_ppm(target_ppm) / 10_000
}

/// Hours until a burn rate of `burn_hundredths` spends a whole `window_days` budget.
pub fn hours_to_exhaust(burn_hundredths: u64, window_days: u64) -> u64 {
    assert!(burn_hundredths > 0, "a budget that is not being spent lasts forever");
    window_days * 24 * 100 / burn_hundredths
}

/// `PPM^n` as a `u128`, for the products of availabilities below.
fn ppm_pow(n: u32) -> u128 {
    u128::from(PPM).pow(n)
}

/// Availability of a request that needs all of `n` dependencies, each available `each_ppm`:
/// the product, in hundredths of a percent, rounded down.
pub fn serial_availability_hundredths_percent(each_ppm: u64, n: u32) -> u64 {
    assert!(n <= 5, "u128 holds PPM⁵ × 10⁴ and no more");
    let scaled = u128::from(each_ppm).pow(n) * 10_000 / ppm_pow(n);
    u64::try_from(scaled).expect("at most 10,000")
}

/// Availability of a service that works while any one of `n` independent replicas does, each
/// available `each_ppm`: 1 − (1 − a)ⁿ, in hundredths of a percent, rounded down.
pub fn parallel_availability_hundredths_percent(each_ppm: u64, n: u32) -> u64 {
    assert!(n <= 5, "u128 holds PPM⁵ × 10⁴ and no more");
    let all_down = u128::from(budget_ppm(each_ppm)).pow(n);
    let scaled = (ppm_pow(n) - all_down) * 10_000 / ppm_pow(n);
    u64::try_from(scaled).expect("at most 10,000")
}

/// The share of requests that wait for at least one slow answer when each fans out to
/// `backends` backends and each backend answers slowly `slow_ppm` of the time (independently):
/// 1 − (1 − p)ⁿ, in hundredths of a percent, rounded to the nearest.
pub fn fan_out_slow_hundredths_percent(backends: u64, slow_ppm: u64) -> u64 {
    const ONE: u128 = 1_000_000_000_000_000_000; // fixed point, 10¹⁸
    assert!(slow_ppm <= PPM, "a share above 100%");
    let fast = u128::from(PPM - slow_ppm);
    let mut all_fast = ONE;
    // Bounded by `backends`; each step loses under 10⁻¹⁸ to rounding.
    for _ in 0..backends {
        all_fast = all_fast * fast / u128::from(PPM);
    }
    let some_slow = ONE - all_fast;
    u64::try_from((some_slow * 10_000 * 2 + ONE) / (ONE * 2)).expect("at most 10,000")
}

/// Latencies as a histogram: `(latency_ms, how many requests took that long)`.
pub type Latencies<'a> = &'a [(u64, u64)];

fn total(latencies: Latencies) -> u64 {
    latencies.iter().map(|&(_, n)| n).sum()
}

/// The mean latency in hundredths of a millisecond, rounded down.
pub fn mean_hundredths_ms(latencies: Latencies) -> u64 {
    let count = total(latencies);
    assert!(count > 0, "no requests, no mean");
    latencies.iter().map(|&(ms, n)| ms * n).sum::<u64>() * 100 / count
}

/// The nearest-rank percentile: the smallest latency that at least `per_mille`/1,000 of the
/// requests did not exceed (p99 is `990`, p99.9 is `999`). `latencies` sorted by latency.
pub fn percentile_ms(latencies: Latencies, per_mille: u64) -> u64 {
    assert!(per_mille > 0 && per_mille <= 1_000, "a percentile between 0.1 and 100");
    assert!(latencies.windows(2).all(|w| w[0].0 < w[1].0), "sorted by latency, each once");
    let rank = (total(latencies) * per_mille).div_ceil(1_000).max(1);
    let mut seen = 0;
    for &(ms, n) in latencies {
        seen += n;
        if seen >= rank {
            return ms;
        }
    }
    panic!("no requests, no percentile")
}

/// Log volume a day, in GB (rounded up).
pub fn log_gb_per_day(requests_per_second: u64, lines_per_request: u64, bytes_per_line: u64) -> u64 {
    (requests_per_second * lines_per_request * bytes_per_line * SECONDS_PER_DAY).div_ceil(BYTES_PER_GB)
}

/// Time series of one Prometheus histogram: a `_bucket` series per bucket (`+Inf` included),
/// plus `_sum` and `_count`, for every combination of label values.
pub fn histogram_series(buckets: u64, label_cardinalities: &[u64]) -> u64 {
    label_cardinalities.iter().product::<u64>() * (buckets + 2)
}

/// Spans a second a tracing backend ingests with head-based sampling of `sample_percent`.
pub fn sampled_spans_per_second(requests_per_second: u64, sample_percent: u64, spans_per_trace: u64) -> u64 {
    (requests_per_second * sample_percent).div_ceil(100) * spans_per_trace
}

/// The examples' inputs, as the chapter states them.
pub mod stated {
    pub const WINDOW_DAYS: u64 = 30;
    pub const YEAR_DAYS: u64 = 365;
    /// The table of nines: 99%, 99.5%, 99.9%, 99.95%, 99.99%, 99.999%.
    pub const NINES_PPM: [u64; 6] = [990_000, 995_000, 999_000, 999_500, 999_900, 999_990];
    pub const SLO_PPM: u64 = 999_000;
    pub const REQUESTS_PER_SECOND: u64 = 2_000;
    pub const OUTAGE_MINUTES: u64 = 20;
    /// The SRE workbook's multiwindow alerts: (budget %, window hours).
    pub const PAGE_FAST: (u64, u64) = (2, 1);
    pub const PAGE_SLOW: (u64, u64) = (5, 6);
    pub const TICKET: (u64, u64) = (10, 72);
    pub const DEPENDENCY_PPM: u64 = 999_000;
    pub const DEPENDENCIES: u32 = 3;
    pub const REPLICA_PPM: u64 = 990_000;
    pub const REPLICAS: u32 = 2;
    pub const FAN_OUT: u64 = 100;
    pub const SMALL_FAN_OUT: u64 = 10;
    /// A backend is "slow" when it answers above its own p99: 1% of the time.
    pub const SLOW_PPM: u64 = 10_000;
    /// 980 requests at 20 ms and 20 at 1 s.
    pub const LATENCIES: [(u64, u64); 2] = [(20, 980), (1_000, 20)];
    pub const LOG_REQUESTS_PER_SECOND: u64 = 10_000;
    pub const LOG_LINES_PER_REQUEST: u64 = 5;
    pub const LOG_BYTES_PER_LINE: u64 = 500;
    pub const HISTOGRAM_BUCKETS: u64 = 12;
    pub const ROUTES: u64 = 40;
    pub const STATUS_CODES: u64 = 8;
    pub const INSTANCES: u64 = 50;
    pub const CUSTOMERS: u64 = 1_000;
    pub const TRACE_SAMPLE_PERCENT: u64 = 1;
    pub const SPANS_PER_TRACE: u64 = 20;
}

#[cfg(test)]
mod tests {
    use super::stated::*;
    use super::*;

    fn minutes(target_ppm: u64, days: u64) -> u64 {
        hundredths_of_minutes(allowed_downtime_ms(target_ppm, days))
    }

    #[test]
    fn three_nines_allow_43_minutes_a_month_and_each_nine_divides_by_ten() {
        assert_eq!(allowed_downtime_ms(999_000, WINDOW_DAYS), 2_592_000); // 30 × 86,400 s × 0.001
        assert_eq!(minutes(990_000, WINDOW_DAYS), 43_200); // 432.00 min = 7.2 h
        assert_eq!(minutes(995_000, WINDOW_DAYS), 21_600);
        assert_eq!(minutes(999_000, WINDOW_DAYS), 4_320); // 43.20 min
        assert_eq!(minutes(999_500, WINDOW_DAYS), 2_160);
        assert_eq!(minutes(999_900, WINDOW_DAYS), 432); // 4.32 min
        assert_eq!(minutes(999_990, WINDOW_DAYS), 43); // 0.432 min, rounded down
        assert_eq!(hundredths_of_seconds(allowed_downtime_ms(999_990, WINDOW_DAYS)), 2_592); // 25.92 s
        assert_eq!(minutes(999_000, YEAR_DAYS), 52_560); // 525.60 min = 8.76 h
        assert_eq!(minutes(999_990, YEAR_DAYS), 525); // 5.256 min
        assert_eq!(allowed_downtime_ms(PPM, WINDOW_DAYS), 0, "100% allows nothing");
    }

    #[test]
    fn the_budget_in_requests_and_what_one_outage_spends() {
        let requests = requests_in_window(REQUESTS_PER_SECOND, WINDOW_DAYS);
        assert_eq!(requests, 5_184_000_000);
        assert_eq!(error_budget_requests(requests, SLO_PPM), 5_184_000);
        // 20 min of 43.2: 46.296…%.
        assert_eq!(outage_budget_spent_hundredths_percent(OUTAGE_MINUTES, SLO_PPM, WINDOW_DAYS), 4_630);
    }

    #[test]
    fn the_workbook_burn_rates_are_14_4_6_and_1() {
        let burn = |(percent, hours): (u64, u64)| burn_rate_hundredths(percent, hours, WINDOW_DAYS);
        assert_eq!(burn(PAGE_FAST), 1_440);
        assert_eq!(burn(PAGE_SLOW), 600);
        assert_eq!(burn(TICKET), 100);
        assert_eq!(error_rate_at_burn_hundredths_percent(1_440, SLO_PPM), 144); // 1.44%
        assert_eq!(error_rate_at_burn_hundredths_percent(600, SLO_PPM), 60); // 0.60%
        assert_eq!(error_rate_at_burn_hundredths_percent(100, SLO_PPM), 10, "burn rate 1 is the SLO itself");
        assert_eq!(hours_to_exhaust(1_440, WINDOW_DAYS), 50);
        assert_eq!(hours_to_exhaust(600, WINDOW_DAYS), 120);
        assert_eq!(hours_to_exhaust(100, WINDOW_DAYS), 720);
    }

    #[test]
    fn dependencies_in_series_multiply_and_replicas_in_parallel_compound() {
        // 0.999³ = 0.997002999.
        assert_eq!(serial_availability_hundredths_percent(DEPENDENCY_PPM, DEPENDENCIES), 9_970);
        assert_eq!(serial_availability_hundredths_percent(DEPENDENCY_PPM, 1), 9_990);
        // 1 − 0.01² = 0.9999.
        assert_eq!(parallel_availability_hundredths_percent(REPLICA_PPM, REPLICAS), 9_999);
        assert_eq!(parallel_availability_hundredths_percent(REPLICA_PPM, 1), 9_900);
    }

    #[test]
    fn fan_out_makes_the_rare_slow_backend_the_common_case() {
        // 1 − 0.99¹⁰⁰ = 0.63397; 1 − 0.99¹⁰ = 0.09562.
        assert_eq!(fan_out_slow_hundredths_percent(FAN_OUT, SLOW_PPM), 6_340);
        assert_eq!(fan_out_slow_hundredths_percent(SMALL_FAN_OUT, SLOW_PPM), 956);
        assert_eq!(fan_out_slow_hundredths_percent(1, SLOW_PPM), 100);
        assert_eq!(fan_out_slow_hundredths_percent(0, SLOW_PPM), 0);
    }

    #[test]
    fn the_mean_describes_no_request_and_p99_finds_the_slow_ones() {
        assert_eq!(mean_hundredths_ms(&LATENCIES), 3_960); // 39.60 ms
        assert_eq!(percentile_ms(&LATENCIES, 500), 20);
        assert_eq!(percentile_ms(&LATENCIES, 950), 20);
        assert_eq!(percentile_ms(&LATENCIES, 980), 20, "the 980th request is the last fast one");
        assert_eq!(percentile_ms(&LATENCIES, 990), 1_000);
        assert_eq!(percentile_ms(&[(7, 1)], 1), 7);
    }

    #[test]
    fn telemetry_volume_and_cardinality_multiply() {
        assert_eq!(log_gb_per_day(LOG_REQUESTS_PER_SECOND, LOG_LINES_PER_REQUEST, LOG_BYTES_PER_LINE), 2_160);
        assert_eq!(histogram_series(HISTOGRAM_BUCKETS, &[ROUTES, STATUS_CODES, INSTANCES]), 224_000);
        assert_eq!(histogram_series(HISTOGRAM_BUCKETS, &[ROUTES, STATUS_CODES, INSTANCES, CUSTOMERS]), 224_000_000);
        assert_eq!(sampled_spans_per_second(LOG_REQUESTS_PER_SECOND, TRACE_SAMPLE_PERCENT, SPANS_PER_TRACE), 2_000);
    }
}
