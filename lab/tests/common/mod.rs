//! Shared helpers for the lab's integration tests: a small valid scenario to mutate, and
//! loading the repository's own scenario files.

#![allow(dead_code)]

use lab::scenario::Scenario;
use std::path::{Path, PathBuf};

/// A small, valid scenario: 2 gateways, a limiter, one client, 4 s. Tests derive broken or
/// differently-shaped files from it by text replacement.
pub const SMALL: &str = r#"
name = "small"
summary = "a small scenario for tests"
default_variant = "sync"

[run]
duration_ms = 4_000
seed = 7

[nodes.client]
name = "client"
requests_per_second = 60
api_keys = { k = 1 }
targets = { gw-1 = 3, gw-2 = 1 }
timeout_ms = 200

[nodes.gateway]
name = "gw"
count = 2
limit_per_second = 40
burst = 2

[nodes.limiter]
name = "limiter"
limit_per_second = 40

[[faults]]
kind = "partition"
at_ms = 1_000
for_ms = 1_000
from = ["gw-1"]
to = ["limiter"]

[checks.limit-conformance]
limit_per_second = 40
tolerance_pct = 10

[variants.sync]
summary = "synced counts"
gateway = { strategy = "sync", sync_interval_ms = 20 }

[variants.undivided]
summary = "each gateway takes the whole limit"
expect_fail = ["limit-conformance"]
gateway = { strategy = "local-undivided" }

[variants.central]
summary = "central limiter, fail closed"
gateway = { strategy = "central", on_limiter_unreachable = "fail-closed" }

[lesson]
why_interviewers_ask = "w"
how_it_works = "h"
pitfalls = "p"
takeaways = "t"
break_it = "b"
interview_questions = "q"
"#;

/// `SMALL` with `from` replaced by `to` (the replacement must apply).
pub fn small_with(from: &str, to: &str) -> String {
    assert!(SMALL.contains(from), "test bug: `{from}` is not in the small scenario");
    SMALL.replacen(from, to, 1)
}

pub fn parse(text: &str) -> Result<Scenario, lab::scenario::Diagnostic> {
    Scenario::parse(Path::new("test.toml"), text)
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn repo_scenario(name: &str) -> Scenario {
    let path = repo_root().join("scenarios").join(format!("{name}.toml"));
    Scenario::load(&path).unwrap_or_else(|d| panic!("{d}"))
}

/// A repository scenario with its run shortened, for tests that need many runs.
pub fn repo_scenario_shortened(name: &str, duration_ms: u64) -> Scenario {
    let mut scenario = repo_scenario(name);
    scenario.duration_ms = duration_ms;
    // Timed faults that no longer fit go; an event-started fault is cut by the run's end.
    scenario.faults.retain(|f| match f.start {
        lab::scenario::FaultStart::At { at_ms } => at_ms + f.for_ms.unwrap_or(0) <= duration_ms,
        lab::scenario::FaultStart::When(_) => true,
    });
    scenario
}

/// Two clients resolving `api.lab` (TTL 1 s) 20 times a second; the zone moves it from
/// backend-1 to backend-2 at 4 s. `resolver` decides whether stale answers stand in.
pub fn dns_small(faults: &str, resolver: &str) -> String {
    format!(
        r#"
name = "dns-test"
summary = "s"
default_variant = "v"

[run]
duration_ms = 8_000
seed = 1

[network]
latency_ms = [1, 3]

[nodes.dns-server]
name = "dns"
records = [
  {{ name = "api.lab", node = "backend-1", ttl_s = 1 }},
  {{ name = "api.lab", node = "backend-2", ttl_s = 1, from_ms = 4_000 }},
]

[nodes.dns-client]
name = "client"
count = 2
dns_server = "dns"
service = "api.lab"
requests_per_second = 20
timeout_ms = 200
dns_timeout_ms = 100

[nodes.backend]
name = "backend"
count = 2

{faults}

[checks.dns-query-rate]
max_per_second = 100

[variants.v]
summary = "v"
resolver = {{ ttl = "respect", negative_cache_ms = 0, {resolver}, stale_refresh_ms = 0 }}

[lesson]
why_interviewers_ask = "w"
how_it_works = "h"
pitfalls = "p"
takeaways = "t"
break_it = "b"
interview_questions = "q"
"#
    )
}
