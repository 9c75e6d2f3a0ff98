//! The file-storage design's estimate (`fundamentals/theory/system-design.md`, "Worked design:
//! file storage"): uploads a second and their bandwidth, new data a day and a year, what
//! content deduplication saves, the raw capacity and disks a year under 3-way replication and
//! under erasure coding, and the metadata the file index holds.
//!
//! The numbers that decide the design: the bytes are enormous and cold, the metadata small and
//! hot. So bytes go to a blob store where the durability scheme (replication vs erasure coding)
//! is a cost decision worth a thousand disks a year, and metadata to a database sized for it.
//!
//! Break it: `just break theory_erasure_coding` makes [`erasure_coded_gb`] divide by the parity
//! fragments instead of the data fragments; the chapter still says 150%, the code now says 300%,
//! and `every_quoted_figure_matches_its_computation` names each line that quotes the difference.

use super::capacity::{
    average_per_second, machines_for, mbit_per_second, peak_per_second, BYTES_PER_GB, DAYS_PER_YEAR,
};
use super::figures::{assumed, computed, count, Figure};

/// What the file-storage design assumes: the numbers the chapter states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStorageAssumptions {
    pub daily_active_users: u64,
    pub uploads_per_user_per_day: u64,
    pub average_file_bytes: u64,
    pub peak_to_average: u64,
    /// Share of uploaded bytes whose chunks the store already holds (same file, other user).
    pub duplicate_percent: u64,
    pub replication_factor: u64,
    /// Reed-Solomon erasure coding: data fragments and parity fragments per stripe.
    pub erasure_data_fragments: u64,
    pub erasure_parity_fragments: u64,
    pub disk_capacity_gb: u64,
    /// One file's metadata row: path, owner, size, version, chunk hashes, timestamps.
    pub metadata_bytes_per_file: u64,
}

impl Default for FileStorageAssumptions {
    /// The numbers the chapter states.
    fn default() -> Self {
        Self {
            daily_active_users: 20_000_000,
            uploads_per_user_per_day: 5,
            average_file_bytes: 1_000_000,
            peak_to_average: 3,
            duplicate_percent: 30,
            replication_factor: 3,
            erasure_data_fragments: 6,
            erasure_parity_fragments: 3,
            disk_capacity_gb: 20_000,
            metadata_bytes_per_file: 300,
        }
    }
}

/// The file-storage estimate, derived by [`file_storage`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStorageEstimate {
    pub uploads_per_day: u64,
    pub uploads_per_second: u64,
    pub peak_uploads_per_second: u64,
    pub peak_ingress_mbit_per_second: u64,
    pub new_data_per_day_gb: u64,
    pub new_data_per_year_gb: u64,
    /// A year's new data after deduplication: what must actually be stored once.
    pub unique_per_year_gb: u64,
    pub replicated_raw_per_year_gb: u64,
    /// Raw bytes stored per logical byte under erasure coding, in percent.
    pub erasure_overhead_percent: u64,
    pub erasure_raw_per_year_gb: u64,
    pub replicated_disks_per_year: u64,
    pub erasure_disks_per_year: u64,
    pub metadata_per_year_gb: u64,
}

/// Raw gigabytes that store `logical_gb` under erasure coding with `data` + `parity`
/// fragments per stripe: every `data` fragments of content cost `data + parity` on disk.
pub fn erasure_coded_gb(logical_gb: u64, data: u64, parity: u64) -> u64 {
    assert!(data > 0, "a stripe needs at least one data fragment");
    (logical_gb * (data + parity)).div_ceil(data)
}

/// Derives the file-storage estimate from its assumptions.
pub fn file_storage(a: &FileStorageAssumptions) -> FileStorageEstimate {
    let uploads_per_day = a.daily_active_users * a.uploads_per_user_per_day;
    let peak_uploads_per_second = peak_per_second(uploads_per_day, a.peak_to_average);
    let new_bytes_per_day = uploads_per_day * a.average_file_bytes;
    let new_data_per_year_gb = (new_bytes_per_day * DAYS_PER_YEAR).div_ceil(BYTES_PER_GB);
    let unique_per_year_gb = (new_data_per_year_gb * (100 - a.duplicate_percent)).div_ceil(100);
    let replicated_raw_per_year_gb = unique_per_year_gb * a.replication_factor;
    let (data, parity) = (a.erasure_data_fragments, a.erasure_parity_fragments);
    let erasure_raw_per_year_gb = erasure_coded_gb(unique_per_year_gb, data, parity);
    FileStorageEstimate {
        uploads_per_day,
        uploads_per_second: average_per_second(uploads_per_day),
        peak_uploads_per_second,
        peak_ingress_mbit_per_second: mbit_per_second(peak_uploads_per_second, a.average_file_bytes),
        new_data_per_day_gb: new_bytes_per_day.div_ceil(BYTES_PER_GB),
        new_data_per_year_gb,
        unique_per_year_gb,
        replicated_raw_per_year_gb,
        erasure_overhead_percent: erasure_coded_gb(100, data, parity),
        erasure_raw_per_year_gb,
        replicated_disks_per_year: machines_for(replicated_raw_per_year_gb, a.disk_capacity_gb),
        erasure_disks_per_year: machines_for(erasure_raw_per_year_gb, a.disk_capacity_gb),
        metadata_per_year_gb: (uploads_per_day * a.metadata_bytes_per_file * DAYS_PER_YEAR).div_ceil(BYTES_PER_GB),
    }
}

/// The design's figures, by id, as the chapter quotes them.
pub fn figures() -> Vec<Figure> {
    let a = FileStorageAssumptions::default();
    let e = file_storage(&a);
    vec![
        assumed("file_storage.daily_active_users", count(a.daily_active_users)),
        assumed("file_storage.uploads_per_user_per_day", count(a.uploads_per_user_per_day)),
        assumed("file_storage.average_file_bytes", count(a.average_file_bytes)),
        assumed("file_storage.peak_to_average", count(a.peak_to_average)),
        assumed("file_storage.duplicate_percent", count(a.duplicate_percent)),
        assumed("file_storage.replication_factor", count(a.replication_factor)),
        assumed("file_storage.erasure_data_fragments", count(a.erasure_data_fragments)),
        assumed("file_storage.erasure_parity_fragments", count(a.erasure_parity_fragments)),
        assumed("file_storage.disk_capacity_gb", count(a.disk_capacity_gb)),
        assumed("file_storage.metadata_bytes_per_file", count(a.metadata_bytes_per_file)),
        computed("file_storage.uploads_per_day", count(e.uploads_per_day)),
        computed("file_storage.uploads_per_second", count(e.uploads_per_second)),
        computed("file_storage.peak_uploads_per_second", count(e.peak_uploads_per_second)),
        computed("file_storage.peak_ingress_mbit_per_second", count(e.peak_ingress_mbit_per_second)),
        computed("file_storage.new_data_per_day_gb", count(e.new_data_per_day_gb)),
        computed("file_storage.new_data_per_year_gb", count(e.new_data_per_year_gb)),
        computed("file_storage.unique_per_year_gb", count(e.unique_per_year_gb)),
        computed("file_storage.replicated_raw_per_year_gb", count(e.replicated_raw_per_year_gb)),
        computed("file_storage.erasure_overhead_percent", count(e.erasure_overhead_percent)),
        computed("file_storage.erasure_raw_per_year_gb", count(e.erasure_raw_per_year_gb)),
        computed("file_storage.replicated_disks_per_year", count(e.replicated_disks_per_year)),
        computed("file_storage.erasure_disks_per_year", count(e.erasure_disks_per_year)),
        computed("file_storage.metadata_per_year_gb", count(e.metadata_per_year_gb)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_storage_estimate_matches_a_hand_calculation() {
        let e = file_storage(&FileStorageAssumptions::default());
        // 2 × 10⁷ users × 5 = 10⁸ uploads a day; / 86,400 = 1,157.4 → 1,158; × 3 = 3,472.2 → 3,473.
        assert_eq!(e.uploads_per_day, 100_000_000);
        assert_eq!(e.uploads_per_second, 1_158);
        assert_eq!(e.peak_uploads_per_second, 3_473);
        // 3,473 × 1 MB × 8 = 27,784 Mbit/s (about 28 Gbit/s) in at peak.
        assert_eq!(e.peak_ingress_mbit_per_second, 27_784);
        // 10⁸ × 1 MB = 100,000 GB a day; × 365 = 36,500,000 GB; 70% unique = 25,550,000 GB.
        assert_eq!(e.new_data_per_day_gb, 100_000);
        assert_eq!(e.new_data_per_year_gb, 36_500_000);
        assert_eq!(e.unique_per_year_gb, 25_550_000);
        // × 3 = 76,650,000 GB replicated; 6 + 3 erasure coding is 150%: 38,325,000 GB.
        assert_eq!(e.replicated_raw_per_year_gb, 76_650_000);
        assert_eq!(e.erasure_overhead_percent, 150);
        assert_eq!(e.erasure_raw_per_year_gb, 38_325_000);
        // 20 TB disks: 3,832.5 → 3,833 a year replicated; 1,916.25 → 1,917 erasure-coded.
        assert_eq!(e.replicated_disks_per_year, 3_833);
        assert_eq!(e.erasure_disks_per_year, 1_917);
        // 10⁸ files × 300 B × 365 = 10,950 GB of metadata a year.
        assert_eq!(e.metadata_per_year_gb, 10_950);
    }

    #[test]
    fn erasure_coding_costs_data_plus_parity_over_data() {
        assert_eq!(erasure_coded_gb(100, 6, 3), 150);
        assert_eq!(erasure_coded_gb(100, 10, 4), 140);
        // Zero parity is no protection and no overhead; one data fragment with two parities
        // is 3-way replication by another name.
        assert_eq!(erasure_coded_gb(100, 6, 0), 100);
        assert_eq!(erasure_coded_gb(100, 1, 2), 300);
    }
}
