//! The web-crawler design's estimate (`fundamentals/theory/system-design.md`, "Worked design:
//! web crawler"): pages a second and download bandwidth, page storage a day and a year, the
//! memory of the "seen URLs" set exact and as a Bloom filter, the fetches in flight (Little's
//! law) and the fetcher machines, and how many hosts politeness forces the crawler to juggle.
//!
//! A crawler is a batch system: we choose its rate, so there is no peak factor. The numbers that
//! decide the design are the fetches in flight (slow servers, not our CPUs, set the concurrency)
//! and the politeness delay (one host can supply only a trickle, so the frontier must keep
//! thousands of hosts busy at once).

use super::capacity::{average_per_second, machines_for, mbit_per_second, BYTES_PER_GB, DAYS_PER_YEAR};
use super::figures::{assumed, computed, count, hundredths, Figure};

/// What the web-crawler design assumes: the numbers the chapter states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebCrawlerAssumptions {
    pub pages_per_day: u64,
    /// An average HTML page, uncompressed (images and video are not fetched).
    pub page_bytes: u64,
    /// What a page compresses to, as a share of its size (HTML compresses well).
    pub compressed_percent: u64,
    /// URLs the crawler has ever seen: the set every discovered link is checked against.
    pub known_urls: u64,
    /// An exact set stores a 64-bit fingerprint per URL (plus table overhead, ignored here).
    pub url_fingerprint_bytes: u64,
    /// False positives the Bloom-filter alternative may have: URLs wrongly taken as seen.
    pub bloom_false_positive_percent: u64,
    /// One fetch from DNS lookup to last byte, on average: slow servers dominate.
    pub fetch_ms: u64,
    /// Concurrent fetches one fetcher machine keeps open (async I/O).
    pub fetches_per_fetcher: u64,
    /// The gap the crawler leaves between two requests to the same host.
    pub politeness_delay_s: u64,
}

impl Default for WebCrawlerAssumptions {
    /// The numbers the chapter states.
    fn default() -> Self {
        Self {
            pages_per_day: 40_000_000,
            page_bytes: 100_000,
            compressed_percent: 25,
            known_urls: 10_000_000_000,
            url_fingerprint_bytes: 8,
            bloom_false_positive_percent: 1,
            fetch_ms: 2_000,
            fetches_per_fetcher: 200,
            politeness_delay_s: 10,
        }
    }
}

/// The web-crawler estimate, derived by [`web_crawler`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebCrawlerEstimate {
    pub pages_per_second: u64,
    pub download_mbit_per_second: u64,
    pub raw_per_day_gb: u64,
    pub stored_per_day_gb: u64,
    pub stored_per_year_gb: u64,
    pub seen_set_exact_gb: u64,
    pub seen_set_bloom_gb: u64,
    /// The filter's bits per URL, in hundredths (959 is 9.59 bits).
    pub bloom_bits_per_url_hundredths: u64,
    /// Fetches open at once: rate × duration (Little's law), rounded up.
    pub fetches_in_flight: u64,
    pub fetchers: u64,
    /// Distinct hosts that must be ready at every moment to sustain the rate politely.
    pub hosts_in_rotation: u64,
}

/// Bits a Bloom filter needs for `items` at a false-positive rate of `percent`%:
/// `m = −n ln p / (ln 2)²`, rounded up (the same formula as `ds::bloom_filter`, without
/// allocating the filter).
pub fn bloom_bits(items: u64, percent: u64) -> u64 {
    assert!((1..100).contains(&percent), "a false-positive rate between 1% and 99%");
    let p = percent as f64 / 100.0;
    let ln2 = std::f64::consts::LN_2;
    (-(items as f64) * p.ln() / (ln2 * ln2)).ceil() as u64
}

/// Derives the web crawler's estimate from its assumptions.
pub fn web_crawler(a: &WebCrawlerAssumptions) -> WebCrawlerEstimate {
    let pages_per_second = average_per_second(a.pages_per_day);
    let raw_per_day_bytes = a.pages_per_day * a.page_bytes;
    let stored_per_day_bytes = raw_per_day_bytes * a.compressed_percent / 100;
    let fetches_in_flight = (pages_per_second * a.fetch_ms).div_ceil(1_000);
    let bloom = bloom_bits(a.known_urls, a.bloom_false_positive_percent);
    WebCrawlerEstimate {
        pages_per_second,
        download_mbit_per_second: mbit_per_second(pages_per_second, a.page_bytes),
        raw_per_day_gb: raw_per_day_bytes.div_ceil(BYTES_PER_GB),
        stored_per_day_gb: stored_per_day_bytes.div_ceil(BYTES_PER_GB),
        stored_per_year_gb: (stored_per_day_bytes * DAYS_PER_YEAR).div_ceil(BYTES_PER_GB),
        seen_set_exact_gb: (a.known_urls * a.url_fingerprint_bytes).div_ceil(BYTES_PER_GB),
        seen_set_bloom_gb: bloom.div_ceil(8 * BYTES_PER_GB),
        bloom_bits_per_url_hundredths: (bloom * 100).div_ceil(a.known_urls.max(1)),
        fetches_in_flight,
        fetchers: machines_for(fetches_in_flight, a.fetches_per_fetcher),
        hosts_in_rotation: pages_per_second * a.politeness_delay_s,
    }
}

/// The design's figures, by id, as the chapter quotes them.
pub fn figures() -> Vec<Figure> {
    let a = WebCrawlerAssumptions::default();
    let e = web_crawler(&a);
    vec![
        assumed("web_crawler.pages_per_day", count(a.pages_per_day)),
        assumed("web_crawler.page_bytes", count(a.page_bytes)),
        assumed("web_crawler.compressed_percent", count(a.compressed_percent)),
        assumed("web_crawler.known_urls", count(a.known_urls)),
        assumed("web_crawler.url_fingerprint_bytes", count(a.url_fingerprint_bytes)),
        assumed("web_crawler.bloom_false_positive_percent", count(a.bloom_false_positive_percent)),
        assumed("web_crawler.fetch_ms", count(a.fetch_ms)),
        assumed("web_crawler.fetches_per_fetcher", count(a.fetches_per_fetcher)),
        assumed("web_crawler.politeness_delay_s", count(a.politeness_delay_s)),
        computed("web_crawler.pages_per_second", count(e.pages_per_second)),
        computed("web_crawler.download_mbit_per_second", count(e.download_mbit_per_second)),
        computed("web_crawler.raw_per_day_gb", count(e.raw_per_day_gb)),
        computed("web_crawler.stored_per_day_gb", count(e.stored_per_day_gb)),
        computed("web_crawler.stored_per_year_gb", count(e.stored_per_year_gb)),
        computed("web_crawler.seen_set_exact_gb", count(e.seen_set_exact_gb)),
        computed("web_crawler.seen_set_bloom_gb", count(e.seen_set_bloom_gb)),
        computed("web_crawler.bloom_bits_per_url", hundredths(e.bloom_bits_per_url_hundredths)),
        computed("web_crawler.fetches_in_flight", count(e.fetches_in_flight)),
        computed("web_crawler.fetchers", count(e.fetchers)),
        computed("web_crawler.hosts_in_rotation", count(e.hosts_in_rotation)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_crawler_estimate_matches_a_hand_calculation() {
        let e = web_crawler(&WebCrawlerAssumptions::default());
        // 4 × 10⁷ / 86,400 = 462.96 → 463 pages a second; × 100 KB × 8 = 370.4 → 371 Mbit/s.
        assert_eq!(e.pages_per_second, 463);
        assert_eq!(e.download_mbit_per_second, 371);
        // 4 × 10⁷ × 100 KB = 4,000 GB a day raw; 25% = 1,000 GB stored; × 365 = 365,000 GB.
        assert_eq!(e.raw_per_day_gb, 4_000);
        assert_eq!(e.stored_per_day_gb, 1_000);
        assert_eq!(e.stored_per_year_gb, 365_000);
        // 10¹⁰ × 8 B = 80 GB exact; a 1% Bloom filter needs 9.59 bits per URL: 11.98 → 12 GB.
        assert_eq!(e.seen_set_exact_gb, 80);
        assert_eq!(e.seen_set_bloom_gb, 12);
        assert_eq!(e.bloom_bits_per_url_hundredths, 959);
        // 463/s × 2 s = 926 fetches open; / 200 = 4.63 → 5 fetchers.
        assert_eq!(e.fetches_in_flight, 926);
        assert_eq!(e.fetchers, 5);
        // One request per host every 10 s: 463 × 10 = 4,630 hosts at once.
        assert_eq!(e.hosts_in_rotation, 4_630);
    }

    #[test]
    fn a_one_percent_bloom_filter_costs_about_ten_bits_per_item() {
        // The textbook figure: 9.585 bits per item at 1%, 4.79 at 10%.
        assert_eq!(bloom_bits(1_000, 1), 9_586);
        assert_eq!(bloom_bits(1_000, 10), 4_793);
    }
}
