//! (placeholder; filled in by the problems work)
