//! (placeholder; filled in by the algorithms work)
