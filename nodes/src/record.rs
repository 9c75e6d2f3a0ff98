//! Records: what a node says happened, in its own words, for the run's history.
//!
//! A record has a kind ("decision", "request", …), a level for the human log, and named
//! fields in a fixed order. Checkers read records; the lab adds the time and the node name.

/// How loud a record is in the human log (`RUST_LOG` filters on it); the JSON trace keeps all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Warn,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    U64(u64),
    I64(i64),
    F64(f64),
    Bool(bool),
    Str(String),
}

impl From<u64> for Field {
    fn from(v: u64) -> Self {
        Field::U64(v)
    }
}
impl From<i64> for Field {
    fn from(v: i64) -> Self {
        Field::I64(v)
    }
}
impl From<bool> for Field {
    fn from(v: bool) -> Self {
        Field::Bool(v)
    }
}
impl From<f64> for Field {
    fn from(v: f64) -> Self {
        Field::F64(v)
    }
}
impl From<&str> for Field {
    fn from(v: &str) -> Self {
        Field::Str(v.to_owned())
    }
}
impl From<String> for Field {
    fn from(v: String) -> Self {
        Field::Str(v)
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Field::U64(v) => write!(f, "{v}"),
            Field::I64(v) => write!(f, "{v}"),
            Field::F64(v) => write!(f, "{v}"),
            Field::Bool(v) => write!(f, "{v}"),
            Field::Str(v) => write!(f, "{v}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub kind: &'static str,
    pub level: Level,
    pub fields: Vec<(&'static str, Field)>,
}

impl Record {
    pub fn info(kind: &'static str) -> Self {
        Self { kind, level: Level::Info, fields: Vec::new() }
    }

    pub fn debug(kind: &'static str) -> Self {
        Self { kind, level: Level::Debug, fields: Vec::new() }
    }

    pub fn warn(kind: &'static str) -> Self {
        Self { kind, level: Level::Warn, fields: Vec::new() }
    }

    /// Adds a field; builder style so a record reads as one expression. The trace puts fields
    /// beside the event's own `seq`, `t_us`, `node` and `kind`, so those names are taken.
    pub fn with(mut self, name: &'static str, value: impl Into<Field>) -> Self {
        debug_assert!(!["seq", "t_us", "node", "kind"].contains(&name), "`{name}` is an event's own field");
        self.fields.push((name, value.into()));
        self
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}
