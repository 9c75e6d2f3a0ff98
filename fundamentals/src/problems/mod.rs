//! The interview-problem sandbox: classic coding questions grouped by theme, each with its
//! statement, the key insight, the complexity, a solution, and a table-driven test (a `cases`
//! array of inputs and expected outputs, edge cases included: empty, single element,
//! duplicates, negatives, overflow). Files with a break-it patch say so in their `## Break it`
//! section (`fundamentals/breaks/<file>.patch`). The techniques behind them are taught in
//! [`crate::algorithms`].
//!
//! | problem | where | one line |
//! | --- | --- | --- |
//! | two sum | [`hashing::two_sum`] | map value → index; look up the complement before inserting |
//! | valid anagram | [`hashing::is_anagram`] | count characters up for one string, down for the other |
//! | group anagrams | [`hashing::group_anagrams`] | sorted letters are the group key |
//! | top K frequent elements | [`hashing::top_k_frequent`] | bucket values by count, read from the top: `O(n)` |
//! | longest consecutive sequence | [`hashing::longest_consecutive`] | only run starts (no predecessor in the set) walk up |
//! | best time to buy and sell stock | [`arrays::max_profit`] | sell today against the running minimum |
//! | maximum subarray | [`arrays::max_subarray`] | Kadane: extend or restart |
//! | product of array except self | [`arrays::product_except_self`] | prefix products times suffix products, no division |
//! | rotate array | [`arrays::rotate_right`] | three reversals, `k mod n` |
//! | container with most water | [`arrays::max_area`] | two pointers; move the shorter line |
//! | 3sum | [`arrays::three_sum`] | sort, fix one, two-pointer the rest, skip duplicates |
//! | longest substring without repeating characters | [`strings::longest_unique_substring`] | window start jumps past the last occurrence, never back |
//! | longest palindromic substring | [`strings::longest_palindrome`] | expand around all `2n - 1` centres |
//! | valid parentheses | [`stacks::is_valid_parentheses`] | stack of openers; must end empty |
//! | min stack | [`stacks::MinStack`] | store the running minimum with each element |
//! | daily temperatures | [`stacks::daily_temperatures`] | monotonic stack of days waiting for warmth |
//! | evaluate reverse Polish notation | [`stacks::eval_rpn`] | operand stack; right operand pops first; typed errors |
//! | merge intervals | [`intervals::merge_intervals`] | sort by start, extend the last group's end |
//! | insert interval | [`intervals::insert_interval`] | copy before, absorb overlapping, copy after |
//! | meeting rooms | [`intervals::can_attend_all`] | sorted, no meeting starts before the previous ends |
//! | meeting rooms II | [`intervals::min_meeting_rooms`] | min-heap of end times; reuse the earliest-free room |
//! | reverse linked list | [`linked_lists::reverse_list`] | `take` next, point back, advance |
//! | merge two sorted lists | [`linked_lists::merge_two_lists`] | cursor on the slot to fill; splice the smaller head |
//! | remove n-th node from end | [`linked_lists::remove_nth_from_end`] | it is node `len - n` from the start |
//! | search in rotated sorted array | [`searching::search_rotated`] | one half around `mid` is sorted; test the target against it |
//! | find minimum in rotated sorted array | [`searching::find_min_rotated`] | compare `mid` with the window's last element |
//! | kth largest element | [`searching::kth_largest`] | min-heap of the `k` largest so far |
//! | number of islands | [`grids_and_graphs::num_islands`] | count flood-fill starts |
//! | course schedule (I and II) | [`grids_and_graphs::course_order`] | Kahn's topological sort; a cycle leaves courses behind |
//! | spiral matrix | [`grids_and_graphs::spiral_order`] | four shrinking boundaries |
//! | rotate image | [`grids_and_graphs::rotate_clockwise`] | transpose, then reverse each row |
//! | climbing stairs | [`dp_problems::climb_stairs`] | Fibonacci with two variables |
//! | unique paths | [`dp_problems::unique_paths`] | from above plus from the left, one row |
//! | word break | [`dp_problems::word_break`] | prefix `i` splits if prefix `j` does and `text[j..i]` is a word |
//! | decode ways | [`dp_problems::decode_ways`] | one-digit or two-digit last letter |
//! | LRU cache | [`lru_design::LruCache`] | hash map to nodes of a recency list (arena indices in Rust) |

// Test tables spell out their `(input, expected)` types in full, on purpose: the type is the
// table's column header.
#![cfg_attr(test, allow(clippy::type_complexity))]

pub mod arrays;
pub mod dp_problems;
pub mod grids_and_graphs;
pub mod hashing;
pub mod intervals;
pub mod linked_lists;
pub mod lru_design;
pub mod searching;
pub mod stacks;
pub mod strings;
