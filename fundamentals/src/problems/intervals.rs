//! # Interval problems
//!
//! Merge intervals, insert interval, meeting rooms I and II: sort by start, then sweep while
//! remembering only what can still overlap.
//!
//! Conventions matter in interval questions, so they are explicit here: [`merge_intervals`]
//! and [`insert_interval`] use **closed** intervals `[start, end]` (touching intervals merge);
//! meetings are **half-open** `[start, end)` (a meeting ending at 10 frees its room for one
//! starting at 10). Ask which one the interviewer means.
//!
//! ## Break it
//! `breaks/intervals.patch` makes [`min_meeting_rooms`] free a room only when its meeting ended
//! strictly *before* the next one starts. `min_meeting_rooms_reuses_rooms_freed_in_time` fails:
//! back-to-back meetings `[1, 5)` and `[5, 10)` get two rooms instead of one.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A closed interval `[start, end]` (or a half-open meeting `[start, end)`), `start <= end`.
pub type Interval = (i32, i32);

/// **Merge intervals.** Merge all overlapping (or touching) closed intervals; the result is
/// sorted by start.
///
/// **Insight:** after sorting by start, an interval overlaps the merged group so far iff it
/// starts no later than the group's end; then extend the end (with `max` — it may be nested).
///
/// **Complexity:** `O(n log n)` for the sort, `O(n)` for the sweep; `O(n)` output.
pub fn merge_intervals(intervals: &[Interval]) -> Vec<Interval> {
    let mut sorted = intervals.to_vec();
    sorted.sort_unstable();
    let mut merged: Vec<Interval> = Vec::with_capacity(sorted.len());
    for (start, end) in sorted {
        debug_assert!(start <= end, "interval [{start}, {end}] is reversed");
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// **Insert interval.** Insert a closed interval into a sorted list of disjoint ones, merging
/// as needed.
///
/// **Insight:** three phases in one pass: copy those ending before the new one starts, absorb
/// every one that overlaps it (grow its bounds), copy the rest. No sort needed.
///
/// **Complexity:** `O(n)` time and output.
pub fn insert_interval(sorted_disjoint: &[Interval], new: Interval) -> Vec<Interval> {
    let (mut start, mut end) = new;
    let mut out = Vec::with_capacity(sorted_disjoint.len() + 1);
    let mut rest = sorted_disjoint.iter().copied().peekable();
    while let Some(&(s, e)) = rest.peek() {
        if e >= start {
            break;
        }
        out.push((s, e));
        rest.next();
    }
    while let Some(&(s, e)) = rest.peek() {
        if s > end {
            break;
        }
        start = start.min(s);
        end = end.max(e);
        rest.next();
    }
    out.push((start, end));
    out.extend(rest);
    out
}

/// **Meeting rooms.** Can one person attend all the half-open meetings `[start, end)`?
///
/// **Insight:** sorted by start, it fails exactly when some meeting starts before the
/// previous one ends.
///
/// **Complexity:** `O(n log n)` time, `O(n)` space for the sorted copy.
pub fn can_attend_all(meetings: &[Interval]) -> bool {
    let mut sorted = meetings.to_vec();
    sorted.sort_unstable();
    sorted.windows(2).all(|pair| pair[1].0 >= pair[0].1)
}

/// **Meeting rooms II.** The fewest rooms that host all the half-open meetings `[start, end)`.
///
/// **Insight:** process meetings by start time; keep a min-heap of the end times of rooms in
/// use. If the earliest-ending room is free by the time the meeting starts, reuse it; else
/// open a room. The heap's largest size is the answer (= the maximum number of meetings
/// running at once).
///
/// **Complexity:** `O(n log n)` time, `O(n)` space.
pub fn min_meeting_rooms(meetings: &[Interval]) -> usize {
    let mut sorted = meetings.to_vec();
    sorted.sort_unstable();
    let mut room_free_at: BinaryHeap<Reverse<i32>> = BinaryHeap::new();
    let mut rooms = 0;
    for (start, end) in sorted {
        // Half-open meetings: a room whose meeting ends exactly at `start` is free.
        if room_free_at.peek().is_some_and(|&Reverse(free_at)| free_at <= start) {
            room_free_at.pop();
        }
        room_free_at.push(Reverse(end));
        rooms = rooms.max(room_free_at.len());
    }
    rooms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_intervals_joins_overlapping_touching_and_nested_ones() {
        let cases: [(&[Interval], Vec<Interval>); 7] = [
            (&[(1, 3), (2, 6), (8, 10), (15, 18)], vec![(1, 6), (8, 10), (15, 18)]),
            (&[(1, 4), (4, 5)], vec![(1, 5)]),
            (&[(1, 10), (2, 3), (4, 5)], vec![(1, 10)]),
            (&[(5, 6), (1, 2)], vec![(1, 2), (5, 6)]),
            (&[(-3, -1), (-2, 0)], vec![(-3, 0)]),
            (&[(7, 7)], vec![(7, 7)]),
            (&[], vec![]),
        ];
        for (intervals, expected) in cases {
            assert_eq!(merge_intervals(intervals), expected, "{intervals:?}");
        }
    }

    #[test]
    fn insert_interval_absorbs_everything_it_overlaps() {
        let cases: [((&[Interval], Interval), Vec<Interval>); 6] = [
            ((&[(1, 3), (6, 9)], (2, 5)), vec![(1, 5), (6, 9)]),
            ((&[(1, 2), (3, 5), (6, 7), (8, 10), (12, 16)], (4, 8)), vec![(1, 2), (3, 10), (12, 16)]),
            ((&[], (5, 7)), vec![(5, 7)]),
            ((&[(1, 5)], (6, 8)), vec![(1, 5), (6, 8)]),
            ((&[(3, 5)], (0, 1)), vec![(0, 1), (3, 5)]),
            ((&[(1, 5)], (0, 9)), vec![(0, 9)]),
        ];
        for ((intervals, new), expected) in cases {
            assert_eq!(insert_interval(intervals, new), expected, "{intervals:?} + {new:?}");
        }
    }

    #[test]
    fn one_person_can_attend_back_to_back_but_not_overlapping_meetings() {
        let cases: [(&[Interval], bool); 6] = [
            (&[(0, 30), (5, 10), (15, 20)], false),
            (&[(7, 10), (2, 4)], true),
            (&[(1, 5), (5, 8)], true),
            (&[(1, 5), (4, 8)], false),
            (&[(3, 4)], true),
            (&[], true),
        ];
        for (meetings, expected) in cases {
            assert_eq!(can_attend_all(meetings), expected, "{meetings:?}");
        }
    }

    #[test]
    fn min_meeting_rooms_reuses_rooms_freed_in_time() {
        let cases: [(&[Interval], usize); 7] = [
            (&[(0, 30), (5, 10), (15, 20)], 2),
            (&[(7, 10), (2, 4)], 1),
            (&[(1, 5), (5, 10)], 1),
            (&[(1, 5), (5, 10), (5, 10)], 2),
            (&[(1, 10), (2, 9), (3, 8), (4, 7)], 4),
            (&[(1, 2)], 1),
            (&[], 0),
        ];
        for (meetings, expected) in cases {
            assert_eq!(min_meeting_rooms(meetings), expected, "{meetings:?}");
        }
    }
}
