//! The news-feed design's estimate (`fundamentals/theory/system-design.md`, "Worked design:
//! news feed"): how many posts, feed reads and fan-out inserts a second, how much post storage a
//! year, how big the precomputed feeds are, and how long one celebrity post takes to fan out.
//!
//! The number that decides the design is the fan-out: every post is written once but inserted
//! into every follower's feed, so the feed store takes *followers* times the post rate. The
//! celebrity figure shows why pure fan-out on write breaks and the hybrid exists.

use super::capacity::{
    average_per_second, machines_for, mbit_per_second, peak_per_second, BYTES_PER_GB, DAYS_PER_YEAR,
};
use super::figures::{assumed, computed, count, Figure};

/// What the news-feed design assumes: the numbers the chapter states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsFeedAssumptions {
    pub daily_active_users: u64,
    pub posts_per_day: u64,
    /// Times a day an active user opens or refreshes the feed.
    pub feed_reads_per_user_per_day: u64,
    pub average_followers: u64,
    pub peak_to_average: u64,
    /// One post as stored: text, author, timestamps, media references (media live elsewhere).
    pub post_bytes: u64,
    pub replication_factor: u64,
    /// One entry of a precomputed feed: post id and author id (8 bytes each).
    pub feed_entry_bytes: u64,
    /// Entries kept per user in the feed cache; older pages are rebuilt on demand.
    pub feed_entries_per_user: u64,
    pub cache_node_memory_gb: u64,
    /// Posts returned per feed page, each about `post_bytes` on the wire.
    pub posts_per_page: u64,
    /// Followers of the largest account: the celebrity of the deep dive.
    pub celebrity_followers: u64,
}

impl Default for NewsFeedAssumptions {
    /// The numbers the chapter states.
    fn default() -> Self {
        Self {
            daily_active_users: 200_000_000,
            posts_per_day: 100_000_000,
            feed_reads_per_user_per_day: 10,
            average_followers: 200,
            peak_to_average: 3,
            post_bytes: 1_000,
            replication_factor: 3,
            feed_entry_bytes: 16,
            feed_entries_per_user: 500,
            cache_node_memory_gb: 64,
            posts_per_page: 20,
            celebrity_followers: 10_000_000,
        }
    }
}

/// The news-feed estimate, derived by [`news_feed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsFeedEstimate {
    pub posts_per_second: u64,
    pub feed_reads_per_day: u64,
    pub feed_reads_per_second: u64,
    pub peak_feed_reads_per_second: u64,
    /// Feed inserts a day when every post goes into every follower's feed.
    pub fanout_inserts_per_day: u64,
    pub fanout_inserts_per_second: u64,
    pub peak_fanout_inserts_per_second: u64,
    pub post_storage_per_day_gb: u64,
    pub post_storage_per_year_gb: u64,
    pub post_storage_replicated_gb: u64,
    /// Every active user's precomputed feed, in the cache.
    pub feed_cache_gb: u64,
    pub feed_cache_nodes: u64,
    pub peak_egress_mbit_per_second: u64,
    /// Seconds one celebrity post occupies the whole fan-out capacity (sized for the peak).
    pub celebrity_fanout_seconds: u64,
}

/// Derives the news feed's estimate from its assumptions.
pub fn news_feed(a: &NewsFeedAssumptions) -> NewsFeedEstimate {
    let feed_reads_per_day = a.daily_active_users * a.feed_reads_per_user_per_day;
    let fanout_inserts_per_day = a.posts_per_day * a.average_followers;
    let peak_feed_reads_per_second = peak_per_second(feed_reads_per_day, a.peak_to_average);
    let peak_fanout_inserts_per_second = peak_per_second(fanout_inserts_per_day, a.peak_to_average);
    let post_storage_per_day_bytes = a.posts_per_day * a.post_bytes;
    let post_storage_per_year_gb = (post_storage_per_day_bytes * DAYS_PER_YEAR).div_ceil(BYTES_PER_GB);
    let feed_cache_gb = (a.daily_active_users * a.feed_entries_per_user * a.feed_entry_bytes).div_ceil(BYTES_PER_GB);
    NewsFeedEstimate {
        posts_per_second: average_per_second(a.posts_per_day),
        feed_reads_per_day,
        feed_reads_per_second: average_per_second(feed_reads_per_day),
        peak_feed_reads_per_second,
        fanout_inserts_per_day,
        fanout_inserts_per_second: average_per_second(fanout_inserts_per_day),
        peak_fanout_inserts_per_second,
        post_storage_per_day_gb: post_storage_per_day_bytes.div_ceil(BYTES_PER_GB),
        post_storage_per_year_gb,
        post_storage_replicated_gb: post_storage_per_year_gb * a.replication_factor,
        feed_cache_gb,
        feed_cache_nodes: machines_for(feed_cache_gb, a.cache_node_memory_gb),
        peak_egress_mbit_per_second: mbit_per_second(peak_feed_reads_per_second, a.posts_per_page * a.post_bytes),
        celebrity_fanout_seconds: machines_for(a.celebrity_followers, peak_fanout_inserts_per_second),
    }
}

/// The design's figures, by id, as the chapter quotes them.
pub fn figures() -> Vec<Figure> {
    let a = NewsFeedAssumptions::default();
    let e = news_feed(&a);
    vec![
        assumed("news_feed.daily_active_users", count(a.daily_active_users)),
        assumed("news_feed.posts_per_day", count(a.posts_per_day)),
        assumed("news_feed.feed_reads_per_user_per_day", count(a.feed_reads_per_user_per_day)),
        assumed("news_feed.average_followers", count(a.average_followers)),
        assumed("news_feed.peak_to_average", count(a.peak_to_average)),
        assumed("news_feed.post_bytes", count(a.post_bytes)),
        assumed("news_feed.replication_factor", count(a.replication_factor)),
        assumed("news_feed.feed_entry_bytes", count(a.feed_entry_bytes)),
        assumed("news_feed.feed_entries_per_user", count(a.feed_entries_per_user)),
        assumed("news_feed.cache_node_memory_gb", count(a.cache_node_memory_gb)),
        assumed("news_feed.posts_per_page", count(a.posts_per_page)),
        assumed("news_feed.celebrity_followers", count(a.celebrity_followers)),
        computed("news_feed.posts_per_second", count(e.posts_per_second)),
        computed("news_feed.feed_reads_per_day", count(e.feed_reads_per_day)),
        computed("news_feed.feed_reads_per_second", count(e.feed_reads_per_second)),
        computed("news_feed.peak_feed_reads_per_second", count(e.peak_feed_reads_per_second)),
        computed("news_feed.fanout_inserts_per_day", count(e.fanout_inserts_per_day)),
        computed("news_feed.fanout_inserts_per_second", count(e.fanout_inserts_per_second)),
        computed("news_feed.peak_fanout_inserts_per_second", count(e.peak_fanout_inserts_per_second)),
        computed("news_feed.post_storage_per_day_gb", count(e.post_storage_per_day_gb)),
        computed("news_feed.post_storage_per_year_gb", count(e.post_storage_per_year_gb)),
        computed("news_feed.post_storage_replicated_gb", count(e.post_storage_replicated_gb)),
        computed("news_feed.feed_cache_gb", count(e.feed_cache_gb)),
        computed("news_feed.feed_cache_nodes", count(e.feed_cache_nodes)),
        computed("news_feed.peak_egress_mbit_per_second", count(e.peak_egress_mbit_per_second)),
        computed("news_feed.celebrity_fanout_seconds", count(e.celebrity_fanout_seconds)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn news_feed_estimate_matches_a_hand_calculation() {
        let e = news_feed(&NewsFeedAssumptions::default());
        // 10⁸ / 86,400 = 1,157.4 → 1,158 posts a second.
        assert_eq!(e.posts_per_second, 1_158);
        // 2 × 10⁸ users × 10 = 2 × 10⁹ reads; / 86,400 = 23,148.1 → 23,149; × 3 = 69,444.4 → 69,445.
        assert_eq!(e.feed_reads_per_day, 2_000_000_000);
        assert_eq!(e.feed_reads_per_second, 23_149);
        assert_eq!(e.peak_feed_reads_per_second, 69_445);
        // 10⁸ posts × 200 followers = 2 × 10¹⁰ inserts; / 86,400 = 231,481.5 → 231,482; × 3 → 694,445.
        assert_eq!(e.fanout_inserts_per_day, 20_000_000_000);
        assert_eq!(e.fanout_inserts_per_second, 231_482);
        assert_eq!(e.peak_fanout_inserts_per_second, 694_445);
        // 10⁸ × 1,000 B = 100 GB a day; × 365 = 36,500 GB; × 3 = 109,500 GB.
        assert_eq!(e.post_storage_per_day_gb, 100);
        assert_eq!(e.post_storage_per_year_gb, 36_500);
        assert_eq!(e.post_storage_replicated_gb, 109_500);
        // 2 × 10⁸ × 500 × 16 B = 1,600 GB; / 64 GB = 25 nodes.
        assert_eq!(e.feed_cache_gb, 1_600);
        assert_eq!(e.feed_cache_nodes, 25);
        // 69,445 pages/s × 20 posts × 1,000 B × 8 = 11,111.2 Mbit/s → 11,112.
        assert_eq!(e.peak_egress_mbit_per_second, 11_112);
        // 10⁷ inserts / 694,445 a second = 14.4 → 15 s.
        assert_eq!(e.celebrity_fanout_seconds, 15);
    }

    #[test]
    fn fan_out_grows_with_followers_while_post_storage_does_not() {
        let base = news_feed(&NewsFeedAssumptions::default());
        let popular = news_feed(&NewsFeedAssumptions { average_followers: 2_000, ..Default::default() });
        assert_eq!(popular.fanout_inserts_per_day, 10 * base.fanout_inserts_per_day);
        assert_eq!(popular.post_storage_per_year_gb, base.post_storage_per_year_gb);
    }
}
