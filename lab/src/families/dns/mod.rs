//! The DNS family: clients that find their service by name through a caching resolver, the
//! lab's DNS server whose zone changes at scheduled times (a blue/green cutover), and the
//! backends the name points at. Node logic: `nodes::dns`; messages: `proto/proto/dns.proto`.
//!
//! File tables: `[nodes.dns-server]`, `[nodes.dns-client]`, `[nodes.backend]`; the variant
//! setting `resolver = { ttl, negative_cache_ms, max_stale_ms, stale_refresh_ms }`; the checks
//! `availability`, `dns-query-rate` and `calls-to-stopped-backend`.

mod checks;

use crate::checks::{Decimal, Outcome};
use crate::engine::RunResult;
use crate::family::{
    ByEvents, Check, CheckCx, CheckDef, CheckSettings, Checked, Family, NodeBuilder, NodeCx, NodeGroup, NodeKindDef,
    Phase, Setting,
};
use crate::scenario::format::{one, Number};
use crate::scenario::Checker;
use nodes::dns::backend::{Backend, BackendConfig};
use nodes::dns::client::{DnsClient, DnsClientConfig};
use nodes::dns::resolver::{ResolverConfig, TtlPolicy};
use nodes::dns::server::{DnsServer, DnsServerConfig};
use nodes::dns::wire;
use nodes::dns::zone::{Zone, ZoneRecord};
use nodes::dns::Addresses;
use nodes::records::dns as records;
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;

pub const DNS_SERVER: &str = "dns-server";
pub const DNS_CLIENT: &str = "dns-client";
pub const BACKEND: &str = "backend";

pub static FAMILY: Family = Family {
    name: "dns",
    node_kinds: &[
        NodeKindDef::new::<RawDnsServers>(DNS_SERVER).with_records(records::DNS_SERVER_RECORDS),
        NodeKindDef::new::<RawDnsClients>(DNS_CLIENT)
            .with_load(&["count", "requests_per_second"])
            .with_records(records::DNS_CLIENT_RECORDS),
        NodeKindDef::new::<RawBackends>(BACKEND).with_records(records::BACKEND_RECORDS),
    ],
    settings: &[RESOLVER.def()],
    checks: &[
        CheckDef::new::<RawAvailability>("availability", Phase::Liveness),
        CheckDef::new::<RawQueryRate>("dns-query-rate", Phase::Liveness),
        CheckDef::new::<RawStoppedBackend>("calls-to-stopped-backend", Phase::Safety),
    ],
};

const MAX_TIME_MS: u64 = 600_000;
/// A day, the longest TTL a lab zone may give.
const MAX_TTL_S: u64 = 86_400;

/// How a variant's clients cache what DNS tells them.
const RESOLVER: Setting<RawResolver> = Setting::new(
    "resolver",
    "how the clients' resolvers cache answers",
    "resolver = { ttl = \"respect\" | \"forever\", negative_cache_ms = <ms>, max_stale_ms = <ms>, stale_refresh_ms = <ms> }",
    &[DNS_CLIENT],
);

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawTtl {
    Respect,
    Forever,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResolver {
    ttl: RawTtl,
    negative_cache_ms: Spanned<u64>,
    max_stale_ms: Spanned<u64>,
    stale_refresh_ms: Spanned<u64>,
}

/// A domain name a query can carry, or an error at `value`.
fn domain_name(checker: &Checker<'_>, value: &Spanned<String>, field: &str) -> Checked<String> {
    let name = checker.non_empty(value, field)?;
    wire::check_name(&name).map_err(|why| {
        checker.error(value.span(), field, why, "a domain name such as \"api.lab\" (letters, digits, '-', dots)")
    })?;
    Ok(name)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDnsServers {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    /// The zone: each record points a name at a backend from `from_ms` on.
    records: Spanned<Vec<RawZoneRecord>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawZoneRecord {
    name: Spanned<String>,
    node: Spanned<String>,
    ttl_s: Spanned<u64>,
    from_ms: Option<Spanned<u64>>,
}

impl NodeGroup for RawDnsServers {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let c = cx.checker;
        if self.records.get_ref().is_empty() {
            return Err(c.error(
                self.records.span(),
                &cx.field("records"),
                "a zone without records answers every query with NXDOMAIN",
                "records = [{ name = \"api.lab\", node = \"<backend>\", ttl_s = 5 }, …]",
            ));
        }
        let mut zone = Vec::new();
        for (i, record) in self.records.get_ref().iter().enumerate() {
            let field = |name: &str| cx.field(&format!("records[{i}].{name}"));
            zone.push(ZoneRecord {
                name: domain_name(c, &record.name, &field("name"))?,
                node: c.node_of_kind(&record.node, &field("node"), BACKEND)?,
                ttl_s: c.up_to(&record.ttl_s, &field("ttl_s"), MAX_TTL_S, "s")? as u32,
                from_ms: match &record.from_ms {
                    Some(from_ms) => c.up_to(from_ms, &field("from_ms"), MAX_TIME_MS, "ms")?,
                    None => 0,
                },
            });
        }
        let config = DnsServerConfig { zone: Zone::new(zone), addresses: Addresses::of_topology(cx.topology) };
        Ok(NodeBuilder::new(config, DnsServer::new).with_datagrams())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDnsClients {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    dns_server: Spanned<String>,
    /// The name it looks up for every request.
    service: Spanned<String>,
    requests_per_second: Spanned<Number>,
    timeout_ms: Spanned<u64>,
    dns_timeout_ms: Spanned<u64>,
}

impl NodeGroup for RawDnsClients {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let c = cx.checker;
        let setting = cx.setting(&RESOLVER)?;
        let resolver = setting.value;
        let ms = |value: &Spanned<u64>, name: &str| c.up_to(value, &setting.field(name), MAX_TIME_MS, "ms");
        let config = DnsClientConfig {
            dns_server: c.node_of_kind(&self.dns_server, &cx.field("dns_server"), DNS_SERVER)?,
            service: domain_name(c, &self.service, &cx.field("service"))?,
            requests_per_second: c.rate(&self.requests_per_second, &cx.field("requests_per_second"))?,
            timeout_ms: c.at_most(&self.timeout_ms, &cx.field("timeout_ms"), MAX_TIME_MS, "ms")?,
            dns_timeout_ms: c.at_most(&self.dns_timeout_ms, &cx.field("dns_timeout_ms"), MAX_TIME_MS, "ms")?,
            resolver: ResolverConfig {
                ttl: match resolver.ttl {
                    RawTtl::Respect => TtlPolicy::Respect,
                    RawTtl::Forever => TtlPolicy::Forever,
                },
                negative_cache_ms: ms(&resolver.negative_cache_ms, "negative_cache_ms")?,
                max_stale_ms: ms(&resolver.max_stale_ms, "max_stale_ms")?,
                stale_refresh_ms: ms(&resolver.stale_refresh_ms, "stale_refresh_ms")?,
            },
            addresses: Addresses::of_topology(cx.topology),
        };
        Ok(NodeBuilder::new(config, DnsClient::new).with_datagrams())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBackends {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
}

impl NodeGroup for RawBackends {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        Ok(NodeBuilder::new(BackendConfig { name: cx.name.to_owned() }, Backend::new))
    }
}

/// Liveness: in each window, at least `min_pct` of the requests started there succeeded (a
/// request never answered counts as failed). Read by the connection-pool family too.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAvailability {
    min_pct: Spanned<Number>,
    /// `[from_ms, to_ms]` pairs.
    windows: Spanned<Vec<Spanned<Vec<Spanned<u64>>>>>,
    /// Requests still unanswered at the end that started this close to it are not judged.
    settle_ms: Option<Spanned<u64>>,
}

#[derive(Debug)]
struct Availability {
    windows: Vec<(u64, u64)>,
    min_pct: Decimal,
    settle_ms: u64,
}

/// The default `settle_ms`: longer than any call the scenarios make takes when it works.
const SETTLE_MS: u64 = 1_000;

impl CheckSettings for RawAvailability {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        let c = cx.checker;
        let expected = "windows = [[<from_ms>, <to_ms>], …], each within the run, from before to";
        if self.windows.get_ref().is_empty() {
            return Err(c.error(self.windows.span(), &cx.field("windows"), "no window to judge", expected));
        }
        let mut windows = Vec::new();
        for (i, window) in self.windows.get_ref().iter().enumerate() {
            let field = format!("windows[{i}]");
            let [from, to] = window.get_ref().as_slice() else {
                return Err(c.error(window.span(), &cx.field(&field), "a window is two times", expected));
            };
            let (from_ms, to_ms) = (cx.within_run(from, &field)?, cx.within_run(to, &field)?);
            if from_ms >= to_ms {
                let why = format!("the window {from_ms}–{to_ms} ms is empty");
                return Err(c.error(window.span(), &cx.field(&field), why, expected));
            }
            windows.push((from_ms, to_ms));
        }
        let min_pct = c.percentage(&self.min_pct, &cx.field("min_pct"))?;
        let settle_ms = match &self.settle_ms {
            Some(settle) => cx.within_run(settle, "settle_ms")?,
            None => SETTLE_MS,
        };
        Ok(Arc::new(Availability { windows, min_pct, settle_ms }))
    }
}

impl Check for Availability {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        let end_us = run.simulated_ms * 1_000;
        checks::availability(&run.events, end_us, self.settle_ms * 1_000, &self.windows, self.min_pct)
    }
}

/// Liveness of the DNS server: no client sends it more than `max_per_second` queries in any
/// second of the run.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQueryRate {
    max_per_second: Spanned<u64>,
}

#[derive(Debug)]
struct QueryRate {
    max_per_second: u64,
}

impl CheckSettings for RawQueryRate {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        let field = cx.field("max_per_second");
        let max_per_second = cx.checker.at_most(&self.max_per_second, &field, 1_000_000, "queries")?;
        Ok(Arc::new(QueryRate { max_per_second }))
    }
}

impl Check for QueryRate {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        checks::dns_query_rate(&run.events, self.max_per_second)
    }
}

/// Safety: no client calls a backend while the lab has it stopped.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStoppedBackend {}

impl CheckSettings for RawStoppedBackend {
    fn configure(&self, _cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        Ok(Arc::new(ByEvents(checks::calls_to_stopped_backend)))
    }
}
