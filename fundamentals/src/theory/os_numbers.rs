//! The numbers the operating-systems chapter (`fundamentals/theory/operating-systems.md`)
//! quotes, each computed from the assumptions the chapter states: how many threads a
//! thread-per-request server keeps busy (Little's law), the address space their stacks reserve,
//! how much memory the TLB covers with small and huge pages, what page tables cost, Amdahl's
//! ceiling on parallel speedup, and how many durable commits a second an `fsync` allows.

use super::database_numbers::in_flight;

/// Bytes in a kibibyte: page sizes and TLB reach are powers of two, so this chapter uses
/// binary units (KiB, MiB, GiB), as the kernel does.
pub const BYTES_PER_KIB: u64 = 1_024;
/// The size of one page-table entry on x86-64 and AArch64.
pub const PAGE_TABLE_ENTRY_BYTES: u64 = 8;

/// Threads a thread-per-request server keeps busy at once: every request holds its thread for
/// its whole life, computing or waiting (Little's law, rounded up).
pub fn busy_threads(requests_per_second: u64, cpu_ms: u64, wait_ms: u64) -> u64 {
    in_flight(requests_per_second, cpu_ms + wait_ms)
}

/// Cores the same load needs: only the computing part occupies a core (rounded up).
pub fn cores_needed(requests_per_second: u64, cpu_ms: u64) -> u64 {
    in_flight(requests_per_second, cpu_ms)
}

/// Virtual address space reserved by `threads` stacks of `stack_mib` each, in MiB. Reserved,
/// not resident: the kernel backs a stack page only when it is first touched.
pub fn stack_reservation_mib(threads: u64, stack_mib: u64) -> u64 {
    threads * stack_mib
}

/// Memory the TLB can translate without a page walk: entries × page size, in MiB (rounded down:
/// a reach is not to be overstated).
pub fn tlb_reach_mib(entries: u64, page_kib: u64) -> u64 {
    entries * page_kib / BYTES_PER_KIB
}

/// Pages needed to map `gib` GiB with pages of `page_kib` KiB.
pub fn pages_to_map(gib: u64, page_kib: u64) -> u64 {
    assert!(page_kib > 0, "a page holds something");
    (gib * BYTES_PER_KIB * BYTES_PER_KIB).div_ceil(page_kib)
}

/// The last level of page tables for `pages` pages, in KiB: one entry per page.
pub fn leaf_page_tables_kib(pages: u64) -> u64 {
    (pages * PAGE_TABLE_ENTRY_BYTES).div_ceil(BYTES_PER_KIB)
}

/// Amdahl's law: the speedup on `cores` cores of a program whose `serial_percent` cannot run in
/// parallel, in hundredths, rounded down. Speedup = 1 / (s + (1 − s) / n).
pub fn amdahl_speedup_hundredths(serial_percent: u64, cores: u64) -> u64 {
    assert!(serial_percent <= 100, "a share above 100%");
    assert!(cores > 0, "at least one core");
    // 1 / (s/100 + (100 − s)/(100 n)) = 100 n / (s n + 100 − s); × 100 for hundredths.
    cores * 100 * 100 / (serial_percent * cores + 100 - serial_percent)
}

/// Amdahl's ceiling with unlimited cores: 1 / s, rounded down.
pub fn amdahl_limit(serial_percent: u64) -> u64 {
    assert!(serial_percent > 0, "a program with no serial part has no ceiling");
    100 / serial_percent
}

/// `fsync`s a second a spinning disk can complete one after another: each waits about one
/// rotation for the log's next sector to come round under the head.
pub fn hdd_fsyncs_per_second(rpm: u64) -> u64 {
    rpm / 60
}

/// Commits a second when every commit waits for its own `fsync` of `fsync_us` microseconds.
pub fn serial_commits_per_second(fsync_us: u64) -> u64 {
    assert!(fsync_us > 0, "an fsync takes time");
    1_000_000 / fsync_us
}

/// Commits a second with group commit: one `fsync` makes `batch` commits durable at once.
pub fn group_commits_per_second(fsync_us: u64, batch: u64) -> u64 {
    serial_commits_per_second(fsync_us) * batch
}

/// The examples' inputs, as the chapter states them.
pub mod stated {
    pub const REQUESTS_PER_SECOND: u64 = 5_000;
    pub const REQUEST_CPU_MS: u64 = 1;
    pub const REQUEST_WAIT_MS: u64 = 100;
    pub const CONNECTIONS: u64 = 10_000;
    /// Linux's default main-thread stack limit (`ulimit -s`), which glibc also uses for threads.
    pub const THREAD_STACK_MIB: u64 = 8;
    /// A second-level TLB of a recent x86 server core (Skylake's STLB holds 1,536 entries).
    pub const TLB_ENTRIES: u64 = 1_536;
    pub const SMALL_PAGE_KIB: u64 = 4;
    pub const HUGE_PAGE_KIB: u64 = 2_048;
    pub const MAPPED_GIB: u64 = 16;
    pub const SERIAL_PERCENT: u64 = 5;
    pub const CORES: u64 = 16;
    pub const DISK_RPM: u64 = 7_200;
    pub const SSD_FSYNC_US: u64 = 500;
    pub const GROUP_COMMIT_BATCH: u64 = 32;
}

#[cfg(test)]
mod tests {
    use super::stated::*;
    use super::*;

    #[test]
    fn a_thread_per_request_server_needs_a_hundred_times_more_threads_than_cores() {
        // 5,000/s × 0.101 s = 505 threads; 5,000/s × 0.001 s = 5 cores.
        assert_eq!(busy_threads(REQUESTS_PER_SECOND, REQUEST_CPU_MS, REQUEST_WAIT_MS), 505);
        assert_eq!(cores_needed(REQUESTS_PER_SECOND, REQUEST_CPU_MS), 5);
        assert_eq!(stack_reservation_mib(CONNECTIONS, THREAD_STACK_MIB), 80_000);
    }

    #[test]
    fn huge_pages_multiply_tlb_reach_by_512() {
        assert_eq!(tlb_reach_mib(TLB_ENTRIES, SMALL_PAGE_KIB), 6);
        assert_eq!(tlb_reach_mib(TLB_ENTRIES, HUGE_PAGE_KIB), 3_072);
        assert_eq!(HUGE_PAGE_KIB / SMALL_PAGE_KIB, 512);
    }

    #[test]
    fn mapping_16_gib_takes_32_mib_of_small_page_tables_or_64_kib_of_huge_ones() {
        assert_eq!(pages_to_map(MAPPED_GIB, SMALL_PAGE_KIB), 4_194_304); // 16 × 2²⁰ KiB / 4 KiB
        assert_eq!(leaf_page_tables_kib(4_194_304), 32_768); // × 8 B = 32 MiB
        assert_eq!(pages_to_map(MAPPED_GIB, HUGE_PAGE_KIB), 8_192);
        assert_eq!(leaf_page_tables_kib(8_192), 64);
    }

    #[test]
    fn amdahl_caps_a_five_percent_serial_program_at_twenty() {
        // 1 / (0.05 + 0.95 / 16) = 9.142…
        assert_eq!(amdahl_speedup_hundredths(SERIAL_PERCENT, CORES), 914);
        assert_eq!(amdahl_speedup_hundredths(SERIAL_PERCENT, 1), 100, "one core, no speedup");
        assert_eq!(amdahl_speedup_hundredths(0, CORES), 1_600, "perfectly parallel");
        assert_eq!(amdahl_limit(SERIAL_PERCENT), 20);
    }

    #[test]
    fn fsync_latency_bounds_serial_commits_and_group_commit_lifts_it() {
        assert_eq!(hdd_fsyncs_per_second(DISK_RPM), 120); // 8.3 ms per rotation
        assert_eq!(serial_commits_per_second(SSD_FSYNC_US), 2_000);
        assert_eq!(group_commits_per_second(SSD_FSYNC_US, GROUP_COMMIT_BATCH), 64_000);
    }
}
