//! The ride-sharing design's estimate (`fundamentals/theory/system-design.md`, "Worked design:
//! ride sharing"): driver location updates a second and their bandwidth, the size of the live
//! location index and its shards, trips and match searches a second, and the trip storage a year.
//!
//! The number that decides the design: location updates outnumber trips by about a thousand to
//! one, yet the live index of every driver is only a hundred megabytes. So the hard part is a
//! write-heavy, in-memory, geo-partitioned index — not storage.

use super::capacity::{
    average_per_second, machines_for, mbit_per_second, peak_per_second, BYTES_PER_GB, BYTES_PER_MB, DAYS_PER_YEAR,
};
use super::figures::{assumed, computed, count, Figure};

/// What the ride-sharing design assumes: the numbers the chapter states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RideSharingAssumptions {
    pub online_drivers_at_peak: u64,
    /// Every online driver's app reports its position this often.
    pub location_update_interval_s: u64,
    /// One update on the wire and one point of a stored track: driver id, lat, lon, heading,
    /// speed, timestamp, with framing.
    pub location_update_bytes: u64,
    /// One driver in the live index: id, position, geo cell, status, last-seen time.
    pub driver_entry_bytes: u64,
    /// Position updates one in-memory index shard applies a second.
    pub index_updates_per_shard_per_second: u64,
    pub trips_per_day: u64,
    pub peak_to_average: u64,
    /// Nearby-driver searches per trip request: the matcher widens its ring and riders retry.
    pub searches_per_trip: u64,
    /// One trip record: rider, driver, route summary, fare, payment, timestamps.
    pub trip_record_bytes: u64,
    pub average_trip_minutes: u64,
}

impl Default for RideSharingAssumptions {
    /// The numbers the chapter states.
    fn default() -> Self {
        Self {
            online_drivers_at_peak: 1_000_000,
            location_update_interval_s: 4,
            location_update_bytes: 100,
            driver_entry_bytes: 100,
            index_updates_per_shard_per_second: 50_000,
            trips_per_day: 20_000_000,
            peak_to_average: 3,
            searches_per_trip: 5,
            trip_record_bytes: 2_000,
            average_trip_minutes: 20,
        }
    }
}

/// The ride-sharing estimate, derived by [`ride_sharing`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RideSharingEstimate {
    pub location_updates_per_second: u64,
    pub location_ingress_mbit_per_second: u64,
    /// Every online driver in the live index.
    pub live_index_mb: u64,
    pub index_shards: u64,
    pub trips_per_second: u64,
    pub peak_trips_per_second: u64,
    pub peak_searches_per_second: u64,
    pub trip_records_per_day_gb: u64,
    pub trip_records_per_year_gb: u64,
    /// Location points recorded during one average trip.
    pub points_per_trip: u64,
    /// Every trip's recorded track, a day and a year.
    pub tracks_per_day_gb: u64,
    pub tracks_per_year_gb: u64,
}

/// Derives the ride-sharing estimate from its assumptions.
pub fn ride_sharing(a: &RideSharingAssumptions) -> RideSharingEstimate {
    assert!(a.location_update_interval_s > 0, "an update interval of at least 1 s");
    let location_updates_per_second = a.online_drivers_at_peak.div_ceil(a.location_update_interval_s);
    let peak_trips_per_second = peak_per_second(a.trips_per_day, a.peak_to_average);
    let trip_bytes_per_day = a.trips_per_day * a.trip_record_bytes;
    let points_per_trip = a.average_trip_minutes * 60 / a.location_update_interval_s;
    let track_bytes_per_day = a.trips_per_day * points_per_trip * a.location_update_bytes;
    RideSharingEstimate {
        location_updates_per_second,
        location_ingress_mbit_per_second: mbit_per_second(location_updates_per_second, a.location_update_bytes),
        live_index_mb: (a.online_drivers_at_peak * a.driver_entry_bytes).div_ceil(BYTES_PER_MB),
        index_shards: machines_for(location_updates_per_second, a.index_updates_per_shard_per_second),
        trips_per_second: average_per_second(a.trips_per_day),
        peak_trips_per_second,
        peak_searches_per_second: peak_trips_per_second * a.searches_per_trip,
        trip_records_per_day_gb: trip_bytes_per_day.div_ceil(BYTES_PER_GB),
        trip_records_per_year_gb: (trip_bytes_per_day * DAYS_PER_YEAR).div_ceil(BYTES_PER_GB),
        points_per_trip,
        tracks_per_day_gb: track_bytes_per_day.div_ceil(BYTES_PER_GB),
        tracks_per_year_gb: (track_bytes_per_day * DAYS_PER_YEAR).div_ceil(BYTES_PER_GB),
    }
}

/// The design's figures, by id, as the chapter quotes them.
pub fn figures() -> Vec<Figure> {
    let a = RideSharingAssumptions::default();
    let e = ride_sharing(&a);
    vec![
        assumed("ride_sharing.online_drivers_at_peak", count(a.online_drivers_at_peak)),
        assumed("ride_sharing.location_update_interval_s", count(a.location_update_interval_s)),
        assumed("ride_sharing.location_update_bytes", count(a.location_update_bytes)),
        assumed("ride_sharing.driver_entry_bytes", count(a.driver_entry_bytes)),
        assumed("ride_sharing.index_updates_per_shard_per_second", count(a.index_updates_per_shard_per_second)),
        assumed("ride_sharing.trips_per_day", count(a.trips_per_day)),
        assumed("ride_sharing.peak_to_average", count(a.peak_to_average)),
        assumed("ride_sharing.searches_per_trip", count(a.searches_per_trip)),
        assumed("ride_sharing.trip_record_bytes", count(a.trip_record_bytes)),
        assumed("ride_sharing.average_trip_minutes", count(a.average_trip_minutes)),
        computed("ride_sharing.location_updates_per_second", count(e.location_updates_per_second)),
        computed("ride_sharing.location_ingress_mbit_per_second", count(e.location_ingress_mbit_per_second)),
        computed("ride_sharing.live_index_mb", count(e.live_index_mb)),
        computed("ride_sharing.index_shards", count(e.index_shards)),
        computed("ride_sharing.trips_per_second", count(e.trips_per_second)),
        computed("ride_sharing.peak_trips_per_second", count(e.peak_trips_per_second)),
        computed("ride_sharing.peak_searches_per_second", count(e.peak_searches_per_second)),
        computed("ride_sharing.trip_records_per_day_gb", count(e.trip_records_per_day_gb)),
        computed("ride_sharing.trip_records_per_year_gb", count(e.trip_records_per_year_gb)),
        computed("ride_sharing.points_per_trip", count(e.points_per_trip)),
        computed("ride_sharing.tracks_per_day_gb", count(e.tracks_per_day_gb)),
        computed("ride_sharing.tracks_per_year_gb", count(e.tracks_per_year_gb)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ride_sharing_estimate_matches_a_hand_calculation() {
        let e = ride_sharing(&RideSharingAssumptions::default());
        // 10⁶ drivers / 4 s = 250,000 updates a second; × 100 B × 8 = 200 Mbit/s.
        assert_eq!(e.location_updates_per_second, 250_000);
        assert_eq!(e.location_ingress_mbit_per_second, 200);
        // 10⁶ × 100 B = 100 MB: the whole live index fits in one machine's memory.
        assert_eq!(e.live_index_mb, 100);
        // 250,000 / 50,000 = 5 shards, for the write rate, not the size.
        assert_eq!(e.index_shards, 5);
        // 2 × 10⁷ / 86,400 = 231.5 → 232; × 3 = 694.4 → 695; × 5 searches = 3,475.
        assert_eq!(e.trips_per_second, 232);
        assert_eq!(e.peak_trips_per_second, 695);
        assert_eq!(e.peak_searches_per_second, 3_475);
        // 2 × 10⁷ × 2,000 B = 40 GB a day; × 365 = 14,600 GB.
        assert_eq!(e.trip_records_per_day_gb, 40);
        assert_eq!(e.trip_records_per_year_gb, 14_600);
        // 20 min × 60 / 4 s = 300 points; 2 × 10⁷ × 300 × 100 B = 600 GB a day; × 365 = 219,000 GB.
        assert_eq!(e.points_per_trip, 300);
        assert_eq!(e.tracks_per_day_gb, 600);
        assert_eq!(e.tracks_per_year_gb, 219_000);
    }

    #[test]
    fn reporting_more_often_needs_more_shards_but_no_more_memory() {
        let base = ride_sharing(&RideSharingAssumptions::default());
        let eager = ride_sharing(&RideSharingAssumptions { location_update_interval_s: 1, ..Default::default() });
        assert_eq!(eager.index_shards, 4 * base.index_shards);
        assert_eq!(eager.live_index_mb, base.live_index_mb);
    }
}
