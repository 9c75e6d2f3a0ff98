//! # Latency histograms and quantiles: why the average lies and p99s don't average
//!
//! ## Why interviewers ask this
//! "Our average latency is 30 ms, so we're fine" — and one request in a hundred takes most of
//! a second. Latency distributions are skewed with long tails (GC pauses, lock contention,
//! retries, cold caches), so the mean describes nobody; and a page load that makes 100
//! backend calls hits the p99 of each more often than not. Interviewers ask how you would
//! measure latency, which percentiles you track, and how you aggregate them across servers,
//! to see whether you know that **quantiles cannot be averaged** — histograms must be merged.
//!
//! ## How it works
//! An HDR histogram (`hdrhistogram` crate; Gil Tene's HdrHistogram) counts values in buckets
//! whose width grows with the value, so every value is kept to a fixed number of significant
//! digits — 3 here: a relative error of at most 0.1 %, from 1 µs to 60 s, in a fixed
//! ~17 000 counters (≈ 136 KiB of `u64`) however many samples arrive. Recording is an
//! increment; any quantile is a walk over the counts. Two histograms with the same layout **merge by adding counts**, which gives
//! exactly the histogram of all samples together; that is how per-server or per-minute
//! histograms roll up into a fleet-wide or per-hour one (Prometheus histograms work the same
//! way with coarser, fixed buckets).
//!
//! What it costs, measured (`benches/observability.rs`, release, 100 000 seeded latencies):
//! recording them all into a fresh HDR histogram and reading p99 **≈ 0.72 ms** (≈ 7 ns per
//! sample, allocation included); keeping every sample and sorting a copy for the exact p99
//! **≈ 2.4 ms** — and 800 KB that grows with traffic, where the histogram stays ≈ 136 KiB;
//! merging four servers' histograms and reading the fleet p99 **≈ 83 µs**.
//!
//! The tests run a seeded workload (latencies drawn from [`crate::sim::stream_rng`]):
//! - one service where 2 % of requests hit a slow path: mean **≈ 38 ms**, p50 ≈ 20 ms,
//!   p99 ≈ 810 ms — the mean is neither typical nor the tail;
//! - four servers, one of them degraded (5 % slow requests): per-server p99s of ≈ 40, 40,
//!   40 and 1 040 ms *average* to ≈ 290 ms, while the true p99 of all requests — from the
//!   merged histogram — is ≈ 630 ms: the average understates the tail by more than 2×. (With
//!   other traffic shares it overstates it instead; it is simply not a quantile of anything.)
//! - coordinated omission: a load generator that waits for each response before sending the
//!   next stops measuring during a stall, so a 2-second stall becomes one slow sample; HDR's
//!   `record_correct` adds the requests that *would* have been sent, and the p99 moves from
//!   ≈ 1 ms to ≈ 1 s.
//!
//! ## Common pitfalls
//! - Reporting the mean (or the median) as "the latency": it hides the tail users feel.
//! - Averaging percentiles across servers, pods, or time windows; dashboards that plot
//!   `avg(p99)` are wrong. Merge histograms, then take the quantile.
//! - Storing every sample to sort later: memory grows with traffic; a histogram is fixed-size.
//! - Closed-loop load tests (coordinated omission): the stall delays the requests that would
//!   have measured it. Use open-loop (constant-rate) load or correct for the expected interval.
//! - Buckets that don't cover the tail (Prometheus defaults stop at 10 s) or are too coarse
//!   near the SLO threshold.
//!
//! ## Key takeaways
//! - Track p50, p99, p99.9 and max from histograms; alert on the tail, not the mean.
//! - Aggregate by merging histograms (add counts), never by averaging quantiles.
//! - Fan-out amplifies the tail: with 100 calls per request, the p99 of one call is the median
//!   experience of the page.
//!
//! ## Break it
//! `fundamentals/breaks/observability_histograms.patch` makes [`merged_quantile`] average the
//! servers' quantiles instead of merging their histograms — the dashboard bug.
//! `merging_histograms_gives_the_true_fleet_p99` fails.
//!
//! ## Interview questions
//! - **Q: Why p99 rather than the average?** A: Latency is long-tailed; the mean is dragged by
//!   outliers yet hides how bad they are. p99 says what 1 in 100 requests suffers, and users
//!   making many requests see it often.
//! - **Q: You have p99 from each of 50 servers. What is the fleet p99?** A: You can't compute
//!   it from those numbers. Collect histograms per server (same bucket layout), add them, and
//!   take the quantile of the sum; or use a mergeable sketch (HDR, t-digest, DDSketch).
//! - **Q: How does an HDR histogram bound its error and memory?** A: Log-scaled buckets with
//!   linear sub-buckets: each value is stored to N significant digits (relative error
//!   10^-N), so the bucket count depends on the range and precision, not on sample count.
//! - **Q: What is coordinated omission?** A: A closed-loop load generator waits for slow
//!   responses, so it doesn't send (or time) the requests that would have queued behind the
//!   stall; percentiles look great. Use constant-rate load, measure from the intended send
//!   time, or correct with the expected interval.
//! - **Q: A request fans out to 100 backends, each with p99 = 1 s. How often is the request
//!   slow?** A: 1 − 0.99¹⁰⁰ ≈ 63 % of requests wait for at least one slow call.

use crate::sim::SimRng;
use hdrhistogram::Histogram;
use rand::Rng;

/// Latencies are recorded in microseconds.
pub const LOWEST_US: u64 = 1;
pub const HIGHEST_US: u64 = 60_000_000;
/// Three significant digits: a relative error of at most 0.1 %.
pub const SIGNIFICANT_DIGITS: u8 = 3;

/// A histogram with the layout every server uses, so any two can be merged.
pub fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS).expect("valid bounds")
}

/// How one server's latency is distributed: log-normal around `median_us`, plus a fraction of
/// requests that take a slow path (a GC pause, a cache miss to disk, a retry).
#[derive(Debug, Clone, Copy)]
pub struct LatencyProfile {
    pub median_us: f64,
    /// Spread of the log-normal body (0.3: p99 ≈ 2× the median).
    pub sigma: f64,
    pub slow_fraction: f64,
    pub slow_median_us: f64,
}

impl LatencyProfile {
    /// One latency, drawn from the caller's seeded stream.
    pub fn sample_us(&self, rng: &mut SimRng) -> u64 {
        let median = if rng.random_bool(self.slow_fraction) { self.slow_median_us } else { self.median_us };
        // Box–Muller: a standard normal from two uniforms, then exp for a log-normal.
        let (u1, u2): (f64, f64) = (rng.random::<f64>().max(f64::MIN_POSITIVE), rng.random());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        (median * (self.sigma * z).exp()).clamp(LOWEST_US as f64, HIGHEST_US as f64) as u64
    }
}

/// `count` latencies from `profile`, recorded into a fresh histogram and also returned raw
/// (the raw samples only so that tests can check the histogram against exact quantiles).
pub fn record_workload(profile: &LatencyProfile, count: usize, rng: &mut SimRng) -> (Histogram<u64>, Vec<u64>) {
    let mut histogram = latency_histogram();
    let samples: Vec<u64> = (0..count).map(|_| profile.sample_us(rng)).collect();
    for &latency_us in &samples {
        histogram.record(latency_us).expect("clamped into the histogram's range");
    }
    (histogram, samples)
}

/// The exact `q` quantile of raw samples: the smallest value with at least `q` of the samples
/// at or below it (what the histogram approximates).
pub fn exact_quantile(samples: &[u64], q: f64) -> u64 {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// The fleet-wide `q` quantile: merge (add) the servers' histograms, then read the quantile.
pub fn merged_quantile(servers: &[Histogram<u64>], q: f64) -> u64 {
    let mut fleet = latency_histogram();
    for server in servers {
        fleet.add(server).expect("same layout");
    }
    fleet.value_at_quantile(q)
}

/// What a dashboard plotting `avg(p99)` shows: the mean of per-server quantiles. Not a
/// quantile of anything; here only to measure how wrong it is.
pub fn average_of_quantiles(servers: &[Histogram<u64>], q: f64) -> u64 {
    servers.iter().map(|h| h.value_at_quantile(q)).sum::<u64>() / servers.len() as u64
}

/// Probability that a request fanning out to `calls` independent backends waits for at least
/// one call slower than the backends' `q` quantile.
pub fn fan_out_slow_probability(q: f64, calls: u32) -> f64 {
    1.0 - q.powi(calls as i32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::stream_rng;

    const HEALTHY: LatencyProfile =
        LatencyProfile { median_us: 20_000.0, sigma: 0.3, slow_fraction: 0.0, slow_median_us: 0.0 };
    const DEGRADED: LatencyProfile =
        LatencyProfile { median_us: 20_000.0, sigma: 0.3, slow_fraction: 0.05, slow_median_us: 800_000.0 };

    fn relative_error(approx: u64, exact: u64) -> f64 {
        (approx as f64 - exact as f64).abs() / exact as f64
    }

    #[test]
    fn the_mean_is_neither_the_typical_request_nor_the_tail() {
        let profile = LatencyProfile { slow_fraction: 0.02, ..DEGRADED };
        let (h, _) = record_workload(&profile, 100_000, &mut stream_rng(1, "latency"));
        let (mean_ms, p50_ms, p99_ms) =
            (h.mean() / 1_000.0, h.value_at_quantile(0.5) / 1_000, h.value_at_quantile(0.99) / 1_000);
        assert!((30.0..45.0).contains(&mean_ms), "mean {mean_ms:.1} ms");
        assert!((19..=22).contains(&p50_ms), "p50 {p50_ms} ms");
        assert!((700..=950).contains(&p99_ms), "p99 {p99_ms} ms");
        // The mean is ~2× the typical request and ~20× below what 1 in 100 users waits.
        assert!(p99_ms as f64 > 15.0 * mean_ms);
    }

    #[test]
    fn hdr_quantiles_are_within_a_tenth_of_a_percent_of_the_exact_ones() {
        let (h, samples) = record_workload(&DEGRADED, 50_000, &mut stream_rng(2, "latency"));
        for q in [0.5, 0.9, 0.99, 0.999] {
            let (approx, exact) = (h.value_at_quantile(q), exact_quantile(&samples, q));
            assert!(relative_error(approx, exact) <= 0.001, "q={q}: hdr {approx} vs exact {exact}");
        }
        assert_eq!(h.len(), 50_000);
    }

    #[test]
    fn a_histogram_has_a_fixed_size_whatever_the_traffic() {
        let mut rng = stream_rng(3, "latency");
        let (small, _) = record_workload(&HEALTHY, 10, &mut rng);
        let (large, _) = record_workload(&HEALTHY, 200_000, &mut rng);
        assert_eq!(small.distinct_values(), large.distinct_values(), "same number of counters");
        assert!(large.distinct_values() < 20_000, "{} counters", large.distinct_values());
    }

    #[test]
    fn merging_histograms_gives_the_true_fleet_p99() {
        let mut rng = stream_rng(4, "latency");
        let mut all_samples = Vec::new();
        let servers: Vec<Histogram<u64>> = [HEALTHY, HEALTHY, HEALTHY, DEGRADED]
            .iter()
            .map(|profile| {
                let (h, samples) = record_workload(profile, 25_000, &mut rng);
                all_samples.extend(samples);
                h
            })
            .collect();
        let merged = merged_quantile(&servers, 0.99);
        let exact = exact_quantile(&all_samples, 0.99);
        assert!(relative_error(merged, exact) <= 0.001, "merged {merged} vs exact {exact}");
    }

    #[test]
    fn averaging_per_server_p99s_understates_the_fleet_p99_more_than_twofold() {
        let mut rng = stream_rng(4, "latency");
        let servers: Vec<Histogram<u64>> =
            [HEALTHY, HEALTHY, HEALTHY, DEGRADED].iter().map(|p| record_workload(p, 25_000, &mut rng).0).collect();
        let per_server_ms: Vec<u64> = servers.iter().map(|h| h.value_at_quantile(0.99) / 1_000).collect();
        assert!(per_server_ms[..3].iter().all(|p99| (35..=45).contains(p99)), "{per_server_ms:?}");
        assert!((950..=1_100).contains(&per_server_ms[3]), "{per_server_ms:?}");

        let averaged_ms = average_of_quantiles(&servers, 0.99) / 1_000;
        let true_ms = merged_quantile(&servers, 0.99) / 1_000;
        assert!((260..=320).contains(&averaged_ms), "avg of p99s {averaged_ms} ms");
        assert!((580..=700).contains(&true_ms), "true p99 {true_ms} ms");
        assert!(true_ms > 2 * averaged_ms, "the dashboard says {averaged_ms} ms, users see {true_ms} ms");
    }

    #[test]
    fn a_closed_loop_load_test_hides_a_stall_unless_corrected_for_coordinated_omission() {
        // One request every 10 ms for 100 s, each waiting for the previous response. The
        // service answers in 1 ms, except once, when it stalls for 2 s.
        const INTERVAL_US: u64 = 10_000;
        let mut naive = latency_histogram();
        let mut corrected = latency_histogram();
        let mut now_us = 0;
        while now_us < 100_000_000 {
            let latency_us = if now_us == 50_000_000 { 2_000_000 } else { 1_000 };
            naive.record(latency_us).unwrap();
            // Adds the samples the stalled requests would have produced: 1.99 s, 1.98 s, …
            corrected.record_correct(latency_us, INTERVAL_US).unwrap();
            now_us += latency_us.max(INTERVAL_US);
        }
        assert!(
            naive.value_at_quantile(0.99) <= 1_001,
            "naive p99 {} µs: looks perfect",
            naive.value_at_quantile(0.99)
        );
        let corrected_p99_ms = corrected.value_at_quantile(0.99) / 1_000;
        assert!((900..=1_100).contains(&corrected_p99_ms), "corrected p99 {corrected_p99_ms} ms");
    }

    #[test]
    fn fan_out_makes_the_backends_p99_the_common_case() {
        assert!((fan_out_slow_probability(0.99, 1) - 0.01).abs() < 1e-12);
        let p = fan_out_slow_probability(0.99, 100);
        assert!((0.63..0.64).contains(&p), "{p}");
    }
}
