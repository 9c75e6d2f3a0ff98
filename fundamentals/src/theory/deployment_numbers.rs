//! The numbers the deployment chapter (`fundamentals/theory/deployment.md`) quotes, each
//! computed from the assumptions the chapter states: how a container's CPU limit throttles a
//! multi-threaded process, what a rolling update does to the load on the pods that stay, how
//! many pods each strategy runs at its peak, and how much a canary limits the damage of a bad
//! release.

/// CPU time a container may use per scheduler period, in ms: its limit (in millicores) times
/// the period. A limit of 2 CPUs over the default 100 ms period is 200 ms.
pub fn cfs_quota_ms(limit_millicores: u64, period_ms: u64) -> u64 {
    limit_millicores * period_ms / 1_000
}

/// Wall-clock ms until `busy_threads` threads running in parallel use up `quota_ms`, after
/// which every thread of the container waits for the next period (rounded down).
pub fn cfs_runs_for_ms(quota_ms: u64, busy_threads: u64) -> u64 {
    assert!(busy_threads > 0, "something must be running");
    quota_ms / busy_threads
}

/// Pods a rolling update may take down at once: Kubernetes rounds `maxUnavailable` down.
pub fn max_unavailable_pods(replicas: u64, percent: u64) -> u64 {
    replicas * percent / 100
}

/// Pods a rolling update may add above the desired count: Kubernetes rounds `maxSurge` up.
pub fn max_surge_pods(replicas: u64, percent: u64) -> u64 {
    (replicas * percent).div_ceil(100)
}

/// Utilisation of the pods still serving while `unavailable` of `replicas` are being replaced,
/// if the load stays the same: in hundredths of a percent, rounded up (load is not understated).
pub fn utilization_during_rollout_hundredths_percent(replicas: u64, unavailable: u64, utilization_percent: u64) -> u64 {
    assert!(unavailable < replicas, "some pods must keep serving");
    (utilization_percent * replicas * 100).div_ceil(replicas - unavailable)
}

/// Batches a surge-only rolling update (`maxUnavailable: 0`) needs to replace every pod.
pub fn rollout_waves(replicas: u64, surge: u64) -> u64 {
    assert!(surge > 0, "a rollout must be allowed to start a pod");
    replicas.div_ceil(surge)
}

/// Requests a canary serves while it takes `canary_percent` of `requests_per_second` for
/// `seconds`.
pub fn canary_requests(requests_per_second: u64, canary_percent: u64, seconds: u64) -> u64 {
    (requests_per_second * canary_percent * seconds).div_ceil(100)
}

/// Requests a bug failing `failure_percent` of requests breaks among `requests`.
pub fn failed_requests(requests: u64, failure_percent: u64) -> u64 {
    (requests * failure_percent).div_ceil(100)
}

/// The examples' inputs, as the chapter states them.
pub mod stated {
    pub const CPU_LIMIT_MILLICORES: u64 = 2_000;
    /// The kernel's default `cpu.cfs_period_us`: 100 ms.
    pub const CFS_PERIOD_MS: u64 = 100;
    pub const BUSY_THREADS: u64 = 8;
    pub const REPLICAS: u64 = 20;
    /// Kubernetes' default `maxUnavailable` and `maxSurge` for a Deployment.
    pub const ROLLOUT_PERCENT: u64 = 25;
    pub const UTILIZATION_PERCENT: u64 = 80;
    pub const REQUESTS_PER_SECOND: u64 = 2_000;
    pub const CANARY_PERCENT: u64 = 5;
    pub const CANARY_SECONDS: u64 = 600;
    pub const BUG_FAILURE_PERCENT: u64 = 1;
}

#[cfg(test)]
mod tests {
    use super::stated::*;
    use super::*;

    #[test]
    fn eight_threads_burn_a_two_cpu_quota_in_a_quarter_of_the_period() {
        let quota = cfs_quota_ms(CPU_LIMIT_MILLICORES, CFS_PERIOD_MS);
        assert_eq!(quota, 200);
        assert_eq!(cfs_runs_for_ms(quota, BUSY_THREADS), 25);
        assert_eq!(CFS_PERIOD_MS - cfs_runs_for_ms(quota, BUSY_THREADS), 75, "throttled for the rest");
        assert_eq!(cfs_runs_for_ms(quota, 2), 100, "two threads never hit a two-CPU limit");
    }

    #[test]
    fn a_default_rolling_update_overloads_pods_that_run_at_80_percent() {
        assert_eq!(max_unavailable_pods(REPLICAS, ROLLOUT_PERCENT), 5);
        assert_eq!(max_surge_pods(REPLICAS, ROLLOUT_PERCENT), 5);
        assert_eq!(max_unavailable_pods(3, ROLLOUT_PERCENT), 0, "rounded down");
        assert_eq!(max_surge_pods(3, ROLLOUT_PERCENT), 1, "rounded up");
        // 80% × 20 / 15 = 106.67%.
        assert_eq!(utilization_during_rollout_hundredths_percent(REPLICAS, 5, UTILIZATION_PERCENT), 10_667);
        assert_eq!(rollout_waves(REPLICAS, 5), 4);
    }

    #[test]
    fn a_five_percent_canary_breaks_a_twentieth_of_what_a_full_rollout_would() {
        let canary = canary_requests(REQUESTS_PER_SECOND, CANARY_PERCENT, CANARY_SECONDS);
        assert_eq!(canary, 60_000);
        assert_eq!(failed_requests(canary, BUG_FAILURE_PERCENT), 600);
        assert_eq!(failed_requests(REQUESTS_PER_SECOND * CANARY_SECONDS, BUG_FAILURE_PERCENT), 12_000);
    }
}
