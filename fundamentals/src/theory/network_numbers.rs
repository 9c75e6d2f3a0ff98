//! The numbers the networking chapter (`fundamentals/theory/networking.md`) quotes, each
//! computed from the assumptions the chapter states: the bandwidth-delay product, the ceiling
//! a small TCP window puts on throughput, the connection rate TIME_WAIT allows, round trips
//! before the first response byte, and the round trips slow start needs for a transfer.

/// The bytes in flight needed to keep a link of `bits_per_second` busy over `rtt_ms`.
pub fn bandwidth_delay_product_bytes(bits_per_second: u64, rtt_ms: u64) -> u64 {
    (bits_per_second / 8 * rtt_ms).div_ceil(1_000)
}

/// The most a connection can send with `window_bytes` unacknowledged per round trip, in
/// hundredths of a Mbit/s, rounded down (a ceiling should not be overstated).
pub fn window_limited_hundredths_mbit_per_second(window_bytes: u64, rtt_ms: u64) -> u64 {
    assert!(rtt_ms > 0, "a round trip takes time");
    // bits per ms = window × 8 / rtt; × 1,000 for per second; / 10,000 for hundredths of a Mbit.
    window_bytes * 8 * 1_000 / rtt_ms / 10_000
}

/// New connections per second one client address can open to one server address and port
/// when each closed connection keeps its ephemeral port in TIME_WAIT for `time_wait_s`.
pub fn time_wait_connections_per_second(ephemeral_ports: u64, time_wait_s: u64) -> u64 {
    assert!(time_wait_s > 0, "TIME_WAIT lasts a while");
    ephemeral_ports / time_wait_s
}

/// Milliseconds from "connect" to the first byte of the response: the handshake's round trips,
/// then one for the request itself.
pub fn time_to_first_byte_ms(handshake_rtts: u64, rtt_ms: u64) -> u64 {
    (handshake_rtts + 1) * rtt_ms
}

/// Handshake round trips before the client may send its request.
pub mod handshake_rtts {
    /// TCP (1) then a full TLS 1.2 handshake (2).
    pub const TCP_TLS12: u64 = 3;
    /// TCP (1) then TLS 1.3 (1).
    pub const TCP_TLS13: u64 = 2;
    /// QUIC: transport and TLS 1.3 in one round trip.
    pub const QUIC: u64 = 1;
    /// QUIC resuming a session with 0-RTT data: the request rides in the first flight.
    pub const QUIC_0RTT: u64 = 0;
}

/// Round trips slow start needs to deliver `bytes` from a fresh connection: the window starts
/// at `initial_window_segments` segments of `mss_bytes` and doubles every round trip (no loss).
pub fn slow_start_rtts(bytes: u64, initial_window_segments: u64, mss_bytes: u64) -> u64 {
    let initial_window_bytes = initial_window_segments * mss_bytes;
    assert!(initial_window_bytes > 0, "the first flight carries something");
    let (mut sent, mut window, mut rtts) = (0u64, initial_window_bytes, 0u64);
    // Bounded: the window doubles, so at most 64 doublings reach any u64.
    while sent < bytes && rtts < 64 {
        sent = sent.saturating_add(window);
        window = window.saturating_mul(2);
        rtts += 1;
    }
    rtts
}

/// The examples' inputs, as the chapter states them.
pub mod stated {
    pub const LINK_BITS_PER_SECOND: u64 = 1_000_000_000;
    pub const LONG_RTT_MS: u64 = 100;
    pub const EDGE_RTT_MS: u64 = 10;
    pub const UNSCALED_WINDOW_BYTES: u64 = 65_535;
    /// Linux's default `ip_local_port_range`, 32768–60999.
    pub const EPHEMERAL_PORTS: u64 = 60_999 - 32_768 + 1;
    /// Linux keeps a closed connection in TIME_WAIT for 60 s (2 × MSL, hard-coded).
    pub const TIME_WAIT_S: u64 = 60;
    pub const TRANSFER_BYTES: u64 = 1_000_000;
    /// RFC 6928's initial window.
    pub const INITIAL_WINDOW_SEGMENTS: u64 = 10;
    /// The largest TCP payload in a 1,500-byte Ethernet frame (IPv4, no options).
    pub const MSS_BYTES: u64 = 1_460;
}

#[cfg(test)]
mod tests {
    use super::stated::*;
    use super::*;

    #[test]
    fn a_gigabit_across_a_continent_needs_a_12_5_mb_window() {
        assert_eq!(bandwidth_delay_product_bytes(LINK_BITS_PER_SECOND, LONG_RTT_MS), 12_500_000);
        // Without window scaling, 64 KiB per 100 ms is all a connection can do: 5.24 Mbit/s.
        assert_eq!(window_limited_hundredths_mbit_per_second(UNSCALED_WINDOW_BYTES, LONG_RTT_MS), 524);
    }

    #[test]
    fn time_wait_caps_connections_to_one_destination() {
        assert_eq!(EPHEMERAL_PORTS, 28_232);
        assert_eq!(time_wait_connections_per_second(EPHEMERAL_PORTS, TIME_WAIT_S), 470);
    }

    #[test]
    fn each_handshake_generation_saves_a_round_trip() {
        let ttfb = |rtts| time_to_first_byte_ms(rtts, LONG_RTT_MS);
        assert_eq!(ttfb(handshake_rtts::TCP_TLS12), 400);
        assert_eq!(ttfb(handshake_rtts::TCP_TLS13), 300);
        assert_eq!(ttfb(handshake_rtts::QUIC), 200);
        assert_eq!(ttfb(handshake_rtts::QUIC_0RTT), 100);
    }

    #[test]
    fn slow_start_needs_seven_round_trips_for_a_megabyte() {
        // 14,600 B × (1 + 2 + 4 + … + 64) = 14,600 × 127 = 1,854,200 ≥ 10⁶; six give 919,800.
        assert_eq!(slow_start_rtts(TRANSFER_BYTES, INITIAL_WINDOW_SEGMENTS, MSS_BYTES), 7);
        assert_eq!(slow_start_rtts(14_600, INITIAL_WINDOW_SEGMENTS, MSS_BYTES), 1);
        assert_eq!(slow_start_rtts(0, INITIAL_WINDOW_SEGMENTS, MSS_BYTES), 0);
    }
}
