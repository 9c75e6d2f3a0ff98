//! # Observability: latency histograms and SLO burn-rate alerts
//!
//! ## Why interviewers ask this
//! "How do you know your service is healthy?" is asked of every senior backend candidate,
//! and the answer is numbers that mean something: latency *distributions* rather than
//! averages, and alerts tied to what users are promised (an SLO) rather than to CPU graphs.
//! Both have famous wrong answers — averaging p99s across servers, paging on every 5-minute
//! blip — that look reasonable on a dashboard.
//!
//! ## How it works
//! | module | answers | the wrong answer it refutes |
//! | --- | --- | --- |
//! | [`histograms`] | measuring and aggregating latency with HDR histograms | the mean; the average of per-server p99s; closed-loop load tests |
//! | [`slo_burn_rate`] | SLOs, error budgets, multi-window multi-burn-rate alerts | one-window thresholds on raw error rates |
//!
//! Together: the SLI is measured by histograms (latency) and counters (errors), the SLO says
//! how much of it may be bad, and burn-rate alerts page when the budget is going too fast.
//! Time is a [`crate::sim::VirtualClock`] and workloads come from seeded streams, so every
//! figure quoted in these lessons is reproduced exactly by a test.
//!
//! ## Common pitfalls
//! - Dashboards of means and `avg(p99)`; alerts on causes instead of symptoms.
//! - Alerts that fire for blips or keep firing long after recovery: both teach people to
//!   ignore pages.
//!
//! ## Key takeaways
//! - Quantiles come from merged histograms, never from averaging quantiles.
//! - Page on fast error-budget burn over two windows; ticket on slow burn.
//!
//! ## Break it
//! `observability_histograms` (average the p99s instead of merging) and
//! `observability_slo_burn_rate` (no short window): run `scripts/break-it.sh <topic>`.
//!
//! ## Interview questions
//! - **Q: What are the four golden signals?** A: Latency (of successes and of failures,
//!   separately), traffic, errors, saturation; for a request-driven service, RED (rate,
//!   errors, duration) covers three.
//! - **Q: Metrics, logs or traces?** A: Metrics (cheap, aggregated) to detect and alert;
//!   traces to find *where* a slow request spent its time across services; logs for the
//!   details of one event. Link them with a trace id.

pub mod histograms;
pub mod slo_burn_rate;
