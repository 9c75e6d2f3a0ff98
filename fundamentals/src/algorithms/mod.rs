//! Algorithms: the techniques behind most coding-interview questions, one lesson per module.
//!
//! Each module opens with the lesson (why interviewers ask, how it works, pitfalls, takeaways,
//! a break-it exercise backed by `fundamentals/breaks/<module>.patch`, interview questions),
//! states the time and space complexity of every function and why, and proves its claims with
//! table-driven tests plus property tests against a brute-force model on small inputs.
//!
//! | module | technique |
//! | --- | --- |
//! | [`binary_search`] | classic search, first/last occurrence, rotated arrays, search on the answer |
//! | [`two_pointers`] | opposite-end and reader/writer pointers: pair sum, dedup, palindrome, merge |
//! | [`sliding_window`] | fixed and variable windows, monotonic deque for window maxima |
//! | [`kadane`] | maximum subarray (with its indices), circular and maximum-product variants |
//! | [`sorting`] | insertion, merge, quick, heap, counting and radix sort; stability; benchmark vs std |

pub mod binary_search;
pub mod kadane;
pub mod sliding_window;
pub mod two_pointers;
pub mod sorting;
