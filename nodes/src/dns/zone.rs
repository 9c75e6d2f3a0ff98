//! A zone whose records change at scheduled times: `api.lab` points at `backend-blue` until
//! 20 s, then at `backend-green` — a blue/green cutover done in DNS.

/// From `from_ms` on, `name` points at `node`, cacheable for `ttl_s` seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneRecord {
    pub name: String,
    pub node: String,
    pub ttl_s: u32,
    pub from_ms: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Zone {
    /// In the order they take effect.
    records: Vec<ZoneRecord>,
}

/// Names compare without case and without the root's trailing dot (`API.lab.` is `api.lab`).
pub fn normalize(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

impl Zone {
    pub fn new(mut records: Vec<ZoneRecord>) -> Self {
        for record in &mut records {
            record.name = normalize(&record.name);
        }
        records.sort_by_key(|r| r.from_ms);
        Self { records }
    }

    /// What the zone says about `name` at `now_ms`: its latest record that has taken effect.
    pub fn lookup(&self, name: &str, now_ms: u64) -> Option<&ZoneRecord> {
        let name = normalize(name);
        self.records.iter().rev().find(|r| r.name == name && r.from_ms <= now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(node: &str, from_ms: u64) -> ZoneRecord {
        ZoneRecord { name: "api.lab".into(), node: node.into(), ttl_s: 5, from_ms }
    }

    #[test]
    fn a_cutover_changes_the_answer_at_its_time_and_not_before() {
        let zone = Zone::new(vec![record("backend-green", 20_000), record("backend-blue", 0)]);
        assert_eq!(zone.lookup("api.lab.", 19_999).map(|r| r.node.as_str()), Some("backend-blue"));
        assert_eq!(zone.lookup("API.LAB", 20_000).map(|r| r.node.as_str()), Some("backend-green"));
        assert_eq!(zone.lookup("other.lab", 30_000), None, "a name the zone does not hold");
    }
}
