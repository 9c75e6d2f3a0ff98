//! The numbers the API-design chapter (`fundamentals/theory/api-design.md`) quotes, each
//! computed from the assumptions the chapter states: what offset pagination costs compared with
//! a cursor, how retries multiply through layers, what an idempotency-key store holds, and how
//! an access token's lifetime turns into refresh traffic.

use super::capacity::BYTES_PER_GB;

/// Rows the database reads to serve page `page` (1-based) of `page_size` rows with
/// `OFFSET (page − 1) × page_size LIMIT page_size`: every skipped row, then the page.
pub fn offset_rows_read(page: u64, page_size: u64) -> u64 {
    assert!(page > 0, "pages are numbered from 1");
    page * page_size
}

/// Rows the database reads to serve any page with a cursor (`WHERE key > last LIMIT n`): the
/// page itself, found by one index descent.
pub fn cursor_rows_read(page_size: u64) -> u64 {
    page_size
}

/// Rows read to walk a whole table of `rows` rows page by page with `OFFSET`: page k reads
/// k × page_size, so the total grows with the square of the table.
pub fn offset_walk_rows_read(rows: u64, page_size: u64) -> u64 {
    assert!(page_size > 0, "a page holds rows");
    let pages = rows.div_ceil(page_size);
    // Σ_{k=1..pages} min(k × page_size, rows): every page but the last is full.
    let full = pages.saturating_sub(1);
    page_size * full * (full + 1) / 2 + rows
}

/// Attempts that reach the bottom of a call chain when each of `layers` layers makes up to
/// `attempts_per_layer` attempts of the call below it, and the bottom keeps failing.
pub fn retry_amplification(attempts_per_layer: u64, layers: u32) -> u64 {
    attempts_per_layer.pow(layers)
}

/// Idempotency keys held at once: every request's key is kept for the retention period.
pub fn idempotency_keys_held(requests_per_second: u64, retention_hours: u64) -> u64 {
    requests_per_second * retention_hours * 3_600
}

/// What those keys (with their stored responses) take, in hundredths of a GB, rounded up.
pub fn idempotency_store_hundredths_gb(keys: u64, bytes_per_key: u64) -> u64 {
    (keys * bytes_per_key).div_ceil(BYTES_PER_GB / 100)
}

/// Token refreshes a second when `active_sessions` each refresh once per `lifetime_minutes`.
pub fn token_refreshes_per_second(active_sessions: u64, lifetime_minutes: u64) -> u64 {
    assert!(lifetime_minutes > 0, "a token lives a while");
    active_sessions.div_ceil(lifetime_minutes * 60)
}

/// The examples' inputs, as the chapter states them.
pub mod stated {
    pub const PAGE_SIZE: u64 = 20;
    pub const DEEP_PAGE: u64 = 5_000;
    pub const TABLE_ROWS: u64 = 1_000_000;
    pub const WALK_PAGE_SIZE: u64 = 100;
    pub const ATTEMPTS_PER_LAYER: u64 = 3;
    pub const LAYERS: u32 = 3;
    pub const PAYMENTS_PER_SECOND: u64 = 1_000;
    pub const KEY_RETENTION_HOURS: u64 = 24;
    /// The key, a fingerprint of the request, the status and a small stored response body.
    pub const BYTES_PER_KEY: u64 = 200;
    pub const ACTIVE_SESSIONS: u64 = 1_000_000;
    pub const TOKEN_LIFETIME_MINUTES: u64 = 15;
    pub const SHORT_TOKEN_LIFETIME_MINUTES: u64 = 5;
}

#[cfg(test)]
mod tests {
    use super::stated::*;
    use super::*;

    #[test]
    fn a_deep_offset_page_reads_five_thousand_times_the_rows_a_cursor_does() {
        assert_eq!(offset_rows_read(DEEP_PAGE, PAGE_SIZE), 100_000);
        assert_eq!(offset_rows_read(1, PAGE_SIZE), cursor_rows_read(PAGE_SIZE), "page 1 costs the same");
        assert_eq!(cursor_rows_read(PAGE_SIZE), 20);
    }

    #[test]
    fn walking_a_table_with_offset_is_quadratic() {
        // 100 × (1 + 2 + … + 10,000) = 100 × 50,005,000.
        assert_eq!(offset_walk_rows_read(TABLE_ROWS, WALK_PAGE_SIZE), 5_000_500_000);
        // A short last page: pages of 100 over 250 rows read 100 + 200 + 250.
        assert_eq!(offset_walk_rows_read(250, 100), 550);
        assert_eq!(offset_walk_rows_read(0, 100), 0);
    }

    #[test]
    fn retries_multiply_through_layers() {
        assert_eq!(retry_amplification(ATTEMPTS_PER_LAYER, LAYERS), 27);
        assert_eq!(retry_amplification(ATTEMPTS_PER_LAYER, 1), 3);
        assert_eq!(retry_amplification(1, LAYERS), 1, "no retries, no amplification");
    }

    #[test]
    fn a_day_of_payment_keys_is_about_17_gb() {
        let keys = idempotency_keys_held(PAYMENTS_PER_SECOND, KEY_RETENTION_HOURS);
        assert_eq!(keys, 86_400_000);
        assert_eq!(idempotency_store_hundredths_gb(keys, BYTES_PER_KEY), 1_728);
        // 17.28 GB
    }

    #[test]
    fn shorter_tokens_cost_more_refreshes() {
        assert_eq!(token_refreshes_per_second(ACTIVE_SESSIONS, TOKEN_LIFETIME_MINUTES), 1_112); // 10⁶ / 900 s
        assert_eq!(token_refreshes_per_second(ACTIVE_SESSIONS, SHORT_TOKEN_LIFETIME_MINUTES), 3_334);
        // 10⁶ / 300 s
    }
}
