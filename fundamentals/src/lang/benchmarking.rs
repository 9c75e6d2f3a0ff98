//! # Benchmarking basics: `black_box`, criterion, and reading the numbers
//!
//! ## Why interviewers ask this
//! "You made it faster — how do you know?" Performance claims without a sound measurement are
//! noise. Interviewers check that you benchmark release builds, defeat the optimiser without
//! distorting the work, repeat and summarise robustly (median, spread, outliers), and never put
//! timing assertions in unit tests. Go has `testing.B` and `b.N`; Rust's equivalent is
//! criterion (stable) or `#[bench]` (nightly), with `std::hint::black_box` in both.
//!
//! ## How it works
//! - **Release builds only.** Debug builds are 10–50× slower in uneven ways; a debug benchmark
//!   ranks code wrongly. `cargo bench` uses the `bench` profile (optimised).
//! - **`black_box(x)`** tells the optimiser it cannot see through `x`: wrap inputs so work is not
//!   constant-folded, and outputs so it is not deleted as dead code. Wrap nothing else — the
//!   call itself is not free, and wrapping inside the hot loop changes what you measure.
//! - **criterion** warms up (caches, branch predictors, CPU frequency), then takes many samples
//!   of many iterations each, and reports a central estimate with a confidence interval and the
//!   outliers it found. This module's [`Summary`] is the core of that: median, median absolute
//!   deviation, and Tukey fences to flag outliers — robust statistics, because timing noise is
//!   one-sided (interrupts only ever make a sample slower).
//! - **Profiling** answers *where*, benchmarks answer *how much*: `perf record`/`perf report`,
//!   flamegraphs, or `valgrind --tool=callgrind` for instruction counts that do not vary with
//!   machine load. This project's benches live in `fundamentals/benches/` (`just
//!   bench-fundamentals`) and record their ratios in each lesson's doc.
//!
//! ## Common pitfalls
//! - Timing assertions in tests (`assert!(elapsed < 10ms)`): flaky on a busy CI machine, and
//!   they test the machine, not the code. Benchmarks report; tests assert behaviour.
//! - The mean of noisy samples: one descheduled sample drags it; use the median and a spread.
//! - Measuring setup with the work (allocating the input inside the timed closure) — use
//!   criterion's `iter_batched` for per-iteration setup.
//! - Comparing runs from different machines, builds or power states; a 3% "win" inside the noise.
//!
//! ## Key takeaways
//! - Release build, `black_box` on inputs and outputs, warm-up, many samples, robust summary.
//! - Report ratios against a reference measured in the same run (ours ÷ std), not absolute times.
//! - Profile before optimising; benchmark before claiming.
//!
//! ## Break it
//! `fundamentals/breaks/lang_benchmarking.patch` makes [`median`] take the upper middle element
//! for an even number of samples instead of the mean of the two middle ones; the test
//! `median_of_an_even_count_is_the_mean_of_the_middle_two` fails — a biased estimate that
//! would shift every reported figure.
//!
//! ## Interview questions
//! - **Q: What does `black_box` do, and where do you put it?** A: It is an identity function the
//!   optimiser must treat as opaque, so it cannot precompute or delete the work. Put it around the
//!   benchmark's inputs and its result, not around every operation in the loop.
//! - **Q: Why median rather than mean for timings?** A: Noise is one-sided and heavy-tailed (an
//!   interrupt adds milliseconds, nothing removes them); the median ignores a few bad samples,
//!   the mean does not.
//! - **Q: Your benchmark says 2× faster but production doesn't. Why?** A: Different data sizes or
//!   distributions (caches), warm vs cold, the benchmark was optimised away, or the hot path in
//!   production is elsewhere — profile production, then benchmark what the profile shows.

/// A robust summary of timing samples, as criterion reports them.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub median: f64,
    /// Median absolute deviation from the median: a spread that outliers barely move.
    pub mad: f64,
    /// Indices of samples outside Tukey's fences (beyond 1.5 × IQR from the quartiles).
    pub outliers: Vec<usize>,
}

/// The median of `values` (which need not be sorted); `None` for no values.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The `q`-quantile (0 ≤ q ≤ 1) of sorted values, by linear interpolation between ranks.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let rank = q * (sorted.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
}

/// Summarises samples; `None` for no samples.
pub fn summarize(samples: &[f64]) -> Option<Summary> {
    let median_value = median(samples)?;
    let deviations: Vec<f64> = samples.iter().map(|s| (s - median_value).abs()).collect();
    let mad = median(&deviations)?;
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (q1, q3) = (quantile(&sorted, 0.25), quantile(&sorted, 0.75));
    let iqr = q3 - q1;
    let (low_fence, high_fence) = (q1 - 1.5 * iqr, q3 + 1.5 * iqr);
    let outliers =
        samples.iter().enumerate().filter(|(_, &s)| s < low_fence || s > high_fence).map(|(i, _)| i).collect();
    Some(Summary { median: median_value, mad, outliers })
}

/// A workload whose result depends on its input at run time: `black_box` on the input keeps
/// the optimiser from folding the loop into a constant, which is what a benchmark must prevent.
pub fn sum_of_squares(n: u64) -> u64 {
    let n = std::hint::black_box(n);
    (1..=n).map(|i| i * i).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_an_odd_count_is_the_middle_value() {
        assert_eq!(median(&[9.0, 1.0, 5.0]), Some(5.0));
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn one_descheduled_sample_moves_the_mean_but_not_the_median_or_mad() {
        let mut samples = vec![10.0, 10.4, 9.7, 10.2, 10.1, 9.9, 10.3, 10.0];
        let calm = summarize(&samples).unwrap();
        samples.push(250.0); // an interrupt during one sample
        let noisy = summarize(&samples).unwrap();
        let mean = samples.iter().sum::<f64>() / samples.len() as f64;
        assert!(mean > 30.0, "the mean is dragged to {mean}");
        assert!((noisy.median - calm.median).abs() < 0.11);
        assert!(noisy.mad < 0.3, "MAD {}", noisy.mad);
        assert_eq!(noisy.outliers, [8], "the slow sample is flagged as an outlier");
        assert!(calm.outliers.is_empty());
    }

    #[test]
    fn black_boxed_work_still_computes_the_right_answer() {
        assert_eq!(sum_of_squares(10), 385);
    }
}
