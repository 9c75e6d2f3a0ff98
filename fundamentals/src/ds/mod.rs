//! (placeholder; filled in by the ds work)
