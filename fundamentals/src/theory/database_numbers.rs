//! The numbers the databases chapter (`fundamentals/theory/databases.md`) quotes, each computed
//! from the assumptions the chapter states: connection-pool sizing by Little's law, B-tree
//! height and the memory its inner levels need, writes lost by an asynchronous failover, and
//! what a cache's hit ratio does to database load.

use super::capacity::{machines_for, BYTES_PER_MB};

/// Little's law: the average number of requests in flight is the arrival rate times the time
/// each one spends in the system. Here in milliseconds, rounded up.
pub fn in_flight(arrivals_per_second: u64, mean_time_ms: u64) -> u64 {
    (arrivals_per_second * mean_time_ms).div_ceil(1_000)
}

/// A fleet of application instances, each with its own connection pool to one database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolAssumptions {
    pub app_instances: u64,
    pub queries_per_second_per_instance: u64,
    /// How long a query holds its connection, on average.
    pub mean_query_ms: u64,
    /// The pool size each instance is configured with.
    pub pool_per_instance: u64,
    /// What one open connection costs the database server (a PostgreSQL backend process).
    pub memory_per_connection_mb: u64,
}

impl Default for PoolAssumptions {
    /// The numbers the chapter states.
    fn default() -> Self {
        Self {
            app_instances: 20,
            queries_per_second_per_instance: 500,
            mean_query_ms: 4,
            pool_per_instance: 10,
            memory_per_connection_mb: 10,
        }
    }
}

/// What the pools cost, derived by [`pools`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolEstimate {
    pub total_queries_per_second: u64,
    /// Connections actually running a query at the database, on average (Little's law).
    pub busy_at_database: u64,
    /// The same, seen from one instance's pool.
    pub busy_per_instance: u64,
    pub open_connections: u64,
    pub idle_connections: u64,
    pub connection_memory_mb: u64,
}

/// Derives what the fleet's pools cost the database.
pub fn pools(a: &PoolAssumptions) -> PoolEstimate {
    let total_queries_per_second = a.app_instances * a.queries_per_second_per_instance;
    let busy_at_database = in_flight(total_queries_per_second, a.mean_query_ms);
    let open_connections = a.app_instances * a.pool_per_instance;
    PoolEstimate {
        total_queries_per_second,
        busy_at_database,
        busy_per_instance: in_flight(a.queries_per_second_per_instance, a.mean_query_ms),
        open_connections,
        idle_connections: open_connections.saturating_sub(busy_at_database),
        connection_memory_mb: open_connections * a.memory_per_connection_mb,
    }
}

/// A B-tree index over one fixed-size key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BTreeAssumptions {
    pub rows: u64,
    pub page_bytes: u64,
    /// One entry: an 8-byte key and an 8-byte pointer (a child page, or a row).
    pub entry_bytes: u64,
}

impl Default for BTreeAssumptions {
    /// The numbers the chapter states.
    fn default() -> Self {
        Self { rows: 1_000_000_000, page_bytes: 8_192, entry_bytes: 16 }
    }
}

/// The shape of that B-tree, derived by [`btree`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BTreeEstimate {
    /// Entries per page.
    pub fanout: u64,
    pub leaf_pages: u64,
    /// Pages above the leaves: what must stay in memory for one disk read per lookup.
    pub inner_pages: u64,
    pub inner_pages_mb: u64,
    /// Levels, leaves included: page reads per lookup with a cold cache.
    pub levels: u64,
}

/// Derives the tree's shape, with every page full (a freshly built index is close to that;
/// one grown by random inserts is about 70% full, a little taller at the margin).
pub fn btree(a: &BTreeAssumptions) -> BTreeEstimate {
    let fanout = a.page_bytes / a.entry_bytes;
    assert!(fanout >= 2, "a page must hold at least two entries");
    let leaf_pages = machines_for(a.rows, fanout);
    let (mut pages, mut levels, mut inner_pages) = (leaf_pages, 1, 0);
    // Each level up indexes the one below; bounded because fanout ≥ 2 halves `pages`.
    while pages > 1 {
        pages = pages.div_ceil(fanout);
        inner_pages += pages;
        levels += 1;
    }
    BTreeEstimate {
        fanout,
        leaf_pages,
        inner_pages,
        inner_pages_mb: (inner_pages * a.page_bytes).div_ceil(BYTES_PER_MB),
        levels,
    }
}

/// Acknowledged writes an asynchronous replica has not yet received when the primary dies and
/// it is promoted: the write rate times the replication lag.
pub fn writes_lost_on_async_failover(writes_per_second: u64, lag_ms: u64) -> u64 {
    in_flight(writes_per_second, lag_ms)
}

/// Reads that miss the cache and reach the database, per second.
pub fn database_reads(reads_per_second: u64, hit_ratio_percent: u64) -> u64 {
    assert!(hit_ratio_percent <= 100, "a hit ratio above 100%");
    (reads_per_second * (100 - hit_ratio_percent)).div_ceil(100)
}

/// The replication and caching examples' inputs, as the chapter states them.
pub mod stated {
    pub const REPLICATION_WRITES_PER_SECOND: u64 = 5_000;
    pub const REPLICATION_LAG_MS: u64 = 200;
    pub const CACHE_READS_PER_SECOND: u64 = 50_000;
    pub const CACHE_HIT_RATIO_LOW_PERCENT: u64 = 95;
    pub const CACHE_HIT_RATIO_HIGH_PERCENT: u64 = 99;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_match_a_hand_calculation() {
        let e = pools(&PoolAssumptions::default());
        assert_eq!(e.total_queries_per_second, 10_000); // 20 × 500
        assert_eq!(e.busy_at_database, 40); // 10,000/s × 0.004 s
        assert_eq!(e.busy_per_instance, 2); // 500/s × 0.004 s
        assert_eq!(e.open_connections, 200); // 20 × 10
        assert_eq!(e.idle_connections, 160);
        assert_eq!(e.connection_memory_mb, 2_000);
    }

    #[test]
    fn a_billion_row_index_is_four_levels_deep_with_32_mb_above_the_leaves() {
        let e = btree(&BTreeAssumptions::default());
        assert_eq!(e.fanout, 512); // 8,192 / 16
        assert_eq!(e.leaf_pages, 1_953_125); // 10⁹ / 512
        assert_eq!(e.inner_pages, 3_815 + 8 + 1);
        assert_eq!(e.inner_pages_mb, 32); // 3,824 × 8,192 B = 31.3 MB
        assert_eq!(e.levels, 4);
    }

    #[test]
    fn a_tiny_index_is_a_single_leaf() {
        let e = btree(&BTreeAssumptions { rows: 100, ..Default::default() });
        assert_eq!(e.levels, 1);
        assert_eq!(e.inner_pages, 0);
    }

    #[test]
    fn replication_lag_and_cache_misses_scale_as_stated() {
        assert_eq!(writes_lost_on_async_failover(5_000, 200), 1_000);
        assert_eq!(database_reads(50_000, 95), 2_500);
        assert_eq!(database_reads(50_000, 99), 500);
        assert_eq!(database_reads(50_000, 100), 0);
    }
}
