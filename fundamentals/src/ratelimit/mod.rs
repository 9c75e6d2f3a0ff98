//! Rate limiting (lessons arrive with the rate-limit modules).
