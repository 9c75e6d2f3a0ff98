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

pub mod binary_search;
