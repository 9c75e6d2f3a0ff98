//! From the file as written to a checked [`Scenario`]: every rule a scenario file must obey,
//! each failing with a [`Diagnostic`] at the offending value.

use super::diagnostic::{field_path_at, Diagnostic};
use super::format::*;
use super::*;
use fundamentals::resilience::{Backoff, BreakerConfig, Jitter, RetryPolicy};
use nodes::front::BreakerMode;
use nodes::gateway::{FailMode, SilentPeer};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use toml::Spanned;

/// Limits that keep every run bounded whatever the file says.
const MAX_DURATION_MS: u64 = 3_600_000;
const MAX_NODES_PER_GROUP: u64 = 64;
const MAX_TICK_MS: u64 = 100;
const DEFAULT_LATENCY_MS: [u64; 2] = [1, 5];
const DEFAULT_LIMITER_TIMEOUT_MS: u64 = 50;

pub(super) fn parse(path: &Path, source: &str) -> Result<Scenario, Diagnostic> {
    let raw: RawScenario = toml::from_str(source).map_err(|e| toml_error(path, source, &e))?;
    Checker { path, source, names: Vec::new(), half_open_probes: None }.scenario(raw)
}

fn toml_error(path: &Path, source: &str, error: &toml::de::Error) -> Diagnostic {
    let span = error.span().unwrap_or(0..0);
    let message = error.message().trim().to_owned();
    let expected = if message.contains("unknown field") || message.contains("unknown variant") {
        "one of the names listed above (see scenarios/README.md)"
    } else if message.contains("missing field") {
        "the field to be present (see scenarios/README.md)"
    } else {
        "a value of the type described above (see scenarios/README.md)"
    };
    Diagnostic::at(path, source, span.clone(), field_path_at(source, span.start), message, expected)
}

struct Checker<'a> {
    path: &'a Path,
    source: &'a str,
    /// Every node name, in declaration order, with its kind.
    names: Vec<(String, &'static str)>,
    /// The front service's probe budget, which the breaker-conformance check holds it to.
    half_open_probes: Option<u64>,
}

type Checked<T> = Result<T, Diagnostic>;

impl Checker<'_> {
    fn error(
        &self,
        span: Range<usize>,
        field: &str,
        message: impl Into<String>,
        expected: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::at(self.path, self.source, span, field, message, expected)
    }

    /// Where a table's header (`[name` or `[name.`) first appears, for errors about a whole
    /// table; toml does not keep spans for tables built from dotted headers.
    fn header_span(&self, table: &str) -> Range<usize> {
        let needle = format!("[{table}");
        self.source.find(&needle).map_or(0..0, |at| at + 1..at + 1 + table.len())
    }

    fn positive(&self, value: &Spanned<u64>, field: &str) -> Checked<u64> {
        if *value.get_ref() == 0 {
            return Err(self.error(value.span(), field, "must be greater than 0", "a whole number > 0"));
        }
        Ok(*value.get_ref())
    }

    fn at_most(&self, value: &Spanned<u64>, field: &str, max: u64, unit: &str) -> Checked<u64> {
        let v = self.positive(value, field)?;
        if v > max {
            return Err(self.error(
                value.span(),
                field,
                format!("{v} {unit} is more than the lab allows"),
                format!("at most {max} {unit}"),
            ));
        }
        Ok(v)
    }

    fn non_empty(&self, value: &Spanned<String>, field: &str) -> Checked<String> {
        if value.get_ref().trim().is_empty() {
            return Err(self.error(value.span(), field, "must not be empty", "some text"));
        }
        Ok(value.get_ref().clone())
    }

    fn node(&self, name: &Spanned<String>, field: &str) -> Checked<String> {
        if self.names.iter().any(|(n, _)| n == name.get_ref()) {
            return Ok(name.get_ref().clone());
        }
        let known: Vec<&str> = self.names.iter().map(|(n, _)| n.as_str()).collect();
        Err(self.error(
            name.span(),
            field,
            format!("no node is named `{}`", name.get_ref()),
            format!("one of the scenario's nodes: {}", known.join(", ")),
        ))
    }

    fn node_list(
        &self,
        list: &Option<Spanned<Vec<Spanned<String>>>>,
        field: &str,
        required: Option<Range<usize>>,
    ) -> Checked<Vec<String>> {
        match list {
            Some(list) => {
                if list.get_ref().is_empty() && required.is_some() {
                    return Err(self.error(list.span(), field, "must name at least one node", "a list of node names"));
                }
                list.get_ref().iter().map(|n| self.node(n, field)).collect()
            }
            None => match required {
                Some(span) => Err(self.error(
                    span,
                    field,
                    format!("this fault needs `{field}`"),
                    "a list of node names, like [\"gw-1\"]",
                )),
                None => Ok(Vec::new()),
            },
        }
    }

    fn scenario(mut self, raw: RawScenario) -> Checked<Scenario> {
        let name = self.non_empty(&raw.name, "name")?;
        let summary = self.non_empty(&raw.summary, "summary")?;
        let duration_ms = self.at_most(&raw.run.duration_ms, "run.duration_ms", MAX_DURATION_MS, "ms")?;
        let tick_ms = self.at_most(&raw.run.tick_ms, "run.tick_ms", MAX_TICK_MS, "ms")?;
        let max_events = self.positive(&raw.run.max_events, "run.max_events")?;
        let nodes = self.nodes(&raw.nodes)?;
        let network = self.network(&raw.network)?;
        let faults =
            raw.faults.iter().enumerate().map(|(i, f)| self.fault(i, f, duration_ms)).collect::<Checked<Vec<_>>>()?;
        self.half_open_probes = nodes.iter().find_map(|n| match &n.kind {
            NodeKind::Front(FrontConfig { breaker: BreakerMode::Standard(c), .. }) => {
                Some(u64::from(c.half_open_probes))
            }
            _ => None,
        });
        let checks = self.checks(&raw.checks)?;
        let kinds: BTreeSet<&str> = nodes.iter().map(|n| n.kind.name()).collect();
        let variants = self.variants(&raw.variants, &checks, &kinds)?;
        if !variants.iter().any(|v| &v.name == raw.default_variant.get_ref()) {
            let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
            return Err(self.error(
                raw.default_variant.span(),
                "default_variant",
                format!("no variant is named `{}`", raw.default_variant.get_ref()),
                format!("one of: {}", names.join(", ")),
            ));
        }
        let lesson = self.lesson(&raw.lesson)?;
        Ok(Scenario {
            path: self.path.to_owned(),
            name,
            summary,
            default_variant: raw.default_variant.into_inner(),
            duration_ms,
            default_seed: raw.run.seed,
            tick_ms,
            max_events,
            network,
            nodes,
            faults,
            checks,
            variants,
            lesson,
        })
    }

    /// Expands node groups into named nodes: `name` alone for a group of one, else `name-1`…`name-N`.
    fn group_names(
        &mut self,
        name: &Spanned<String>,
        count: &Spanned<u64>,
        kind: &'static str,
    ) -> Checked<Vec<String>> {
        let field = format!("nodes.{kind}");
        let base = self.non_empty(name, &format!("{field}.name"))?;
        if !base.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') || base == crate::trace::LAB_NODE {
            return Err(self.error(
                name.span(),
                &format!("{field}.name"),
                format!("`{base}` cannot be a node name"),
                "letters, digits, '-' or '_', and not `lab`",
            ));
        }
        let count = self.at_most(count, &format!("{field}.count"), MAX_NODES_PER_GROUP, "nodes")?;
        let names: Vec<String> =
            if count == 1 { vec![base] } else { (1..=count).map(|i| format!("{base}-{i}")).collect() };
        for n in &names {
            if self.names.iter().any(|(existing, _)| existing == n) {
                return Err(self.error(
                    name.span(),
                    &format!("{field}.name"),
                    format!("node name `{n}` is used twice"),
                    "a name no other group uses",
                ));
            }
            self.names.push((n.clone(), kind));
        }
        Ok(names)
    }

    fn nodes(&mut self, raw: &RawNodes) -> Checked<Vec<NodeSpec>> {
        // Every group's names first, so that any node may refer to one declared after it.
        let mut groups: Vec<(Vec<String>, &'static str)> = Vec::new();
        macro_rules! names {
            ($group:expr, $kind:literal) => {
                if let Some(g) = &$group {
                    groups.push((self.group_names(&g.name, &g.count, $kind)?, $kind));
                }
            };
        }
        names!(raw.client, "client");
        names!(raw.gateway, "gateway");
        names!(raw.limiter, "limiter");
        names!(raw.payer, "payer");
        names!(raw.payment_service, "payment-service");
        names!(raw.ledger, "ledger");
        names!(raw.caller, "caller");
        names!(raw.front, "front");
        names!(raw.dependency, "dependency");
        if self.names.is_empty() {
            return Err(self.error(0..0, "nodes", "the scenario has no nodes", "at least one [nodes.<kind>] table"));
        }
        let mut specs = Vec::new();
        for (names, kind) in groups {
            let count = names.len() as u64;
            for name in names {
                let kind = self.node_kind(raw, kind, &name, count)?;
                specs.push(NodeSpec { name, kind });
            }
        }
        Ok(specs)
    }

    /// The checked configuration of one node of `kind` (named `name`, one of `count`).
    fn node_kind(&self, raw: &RawNodes, kind: &str, name: &str, count: u64) -> Checked<NodeKind> {
        Ok(match kind {
            "client" => NodeKind::Client(self.client_config(present(raw.client.as_ref()))?),
            "gateway" => {
                let g: &RawGateways = present(raw.gateway.as_ref());
                NodeKind::Gateway {
                    limit_per_second: self.positive(&g.limit_per_second, "nodes.gateway.limit_per_second")?,
                    burst: self.positive(&g.burst, "nodes.gateway.burst")?,
                    gateway_count: count,
                }
            }
            "limiter" => {
                let l: &RawLimiters = present(raw.limiter.as_ref());
                if count != 1 {
                    return Err(self.error(
                        l.count.span(),
                        "nodes.limiter.count",
                        "the central limiter is a single node",
                        "count = 1",
                    ));
                }
                NodeKind::Limiter(LimiterConfig {
                    limit_per_second: self.positive(&l.limit_per_second, "nodes.limiter.limit_per_second")?,
                })
            }
            "payer" => NodeKind::Payer(self.payer_config(present(raw.payer.as_ref()), name)?),
            "payment-service" => {
                let p: &RawPaymentServices = present(raw.payment_service.as_ref());
                NodeKind::PaymentService(PaymentServiceConfig {
                    ledger: self.node(&p.ledger, "nodes.payment-service.ledger")?,
                    ledger_timeout_ms: self.at_most(
                        &p.ledger_timeout_ms,
                        "nodes.payment-service.ledger_timeout_ms",
                        60_000,
                        "ms",
                    )?,
                    idempotency: Idempotency::None,
                })
            }
            "ledger" => NodeKind::Ledger,
            "caller" => {
                let c: &RawCallers = present(raw.caller.as_ref());
                NodeKind::Caller(CallerConfig {
                    requests_per_second: self.rate(&c.requests_per_second, "nodes.caller.requests_per_second")?,
                    endpoints: self.weights(&c.endpoints, "nodes.caller.endpoints", false)?,
                    target: self.node(&c.target, "nodes.caller.target")?,
                    timeout_ms: self.at_most(&c.timeout_ms, "nodes.caller.timeout_ms", 600_000, "ms")?,
                })
            }
            "front" => {
                let f: &RawFronts = present(raw.front.as_ref());
                let field = |n: &str| format!("nodes.front.{n}");
                NodeKind::Front(FrontConfig {
                    dependency: self.node(&f.dependency, &field("dependency"))?,
                    max_in_flight: self.at_most(&f.max_in_flight, &field("max_in_flight"), 100_000, "requests")? as u32,
                    dependency_timeout_ms: self.at_most(
                        &f.dependency_timeout_ms,
                        &field("dependency_timeout_ms"),
                        600_000,
                        "ms",
                    )?,
                    healthy_work_ms: *f.healthy_work_ms.get_ref(),
                    breaker: BreakerMode::Standard(BreakerConfig {
                        failure_threshold: self.at_most(
                            &f.failure_threshold,
                            &field("failure_threshold"),
                            10_000,
                            "failures",
                        )? as u32,
                        open_for_ms: self.at_most(&f.open_for_ms, &field("open_for_ms"), 600_000, "ms")?,
                        half_open_probes: self.at_most(
                            &f.half_open_probes,
                            &field("half_open_probes"),
                            10_000,
                            "probes",
                        )? as u32,
                    }),
                })
            }
            "dependency" => {
                let d: &RawDependencies = present(raw.dependency.as_ref());
                NodeKind::Dependency(DependencyConfig { service_time_ms: *d.service_time_ms.get_ref() })
            }
            other => unreachable!("node kind {other} is registered above"),
        })
    }

    fn rate(&self, value: &Spanned<Number>, field: &str) -> Checked<f64> {
        let rate = value.get_ref().0;
        if !(rate.is_finite() && rate > 0.0 && rate <= 100_000.0) {
            return Err(self.error(
                value.span(),
                field,
                format!("{rate} is not a usable request rate"),
                "a number of requests per second > 0 and at most 100000",
            ));
        }
        Ok(rate)
    }

    fn payer_config(&self, p: &RawPayers, name: &str) -> Checked<PayerConfig> {
        let field = |n: &str| format!("nodes.payer.{n}");
        let base_ms = self.positive(&p.backoff_base_ms, &field("backoff_base_ms"))?;
        let cap_ms = self.at_most(&p.backoff_cap_ms, &field("backoff_cap_ms"), 600_000, "ms")?;
        if cap_ms < base_ms {
            return Err(self.error(
                p.backoff_cap_ms.span(),
                &field("backoff_cap_ms"),
                format!("the cap ({cap_ms} ms) is below the base ({base_ms} ms)"),
                "backoff_cap_ms >= backoff_base_ms",
            ));
        }
        let jitter = match p.jitter {
            JitterName::None => Jitter::None,
            JitterName::Full => Jitter::Full,
            JitterName::Equal => Jitter::Equal,
            JitterName::Decorrelated => Jitter::Decorrelated,
        };
        Ok(PayerConfig {
            name: name.to_owned(),
            payments_per_second: self.rate(&p.payments_per_second, &field("payments_per_second"))?,
            service: self.node(&p.service, &field("service"))?,
            amount_cents: self.positive(&p.amount_cents, &field("amount_cents"))?,
            deadline_ms: self.at_most(&p.deadline_ms, &field("deadline_ms"), 600_000, "ms")?,
            attempt_timeout_ms: self.at_most(&p.attempt_timeout_ms, &field("attempt_timeout_ms"), 600_000, "ms")?,
            retry: RetryPolicy {
                max_attempts: self.at_most(&p.max_attempts, &field("max_attempts"), 100, "attempts")? as u32,
                backoff: Backoff { base_ms, cap_ms, jitter },
            },
            send_idempotency_key: false,
        })
    }

    fn weights(
        &self,
        table: &Spanned<BTreeMap<String, Spanned<u32>>>,
        field: &str,
        must_be_nodes: bool,
    ) -> Checked<Vec<(String, u32)>> {
        if table.get_ref().values().all(|w| *w.get_ref() == 0) {
            return Err(self.error(
                table.span(),
                field,
                "needs at least one entry with a weight above 0",
                "a table of name = weight, like { alpha = 9, beta = 1 }",
            ));
        }
        let mut weighted = Vec::new();
        for (name, weight) in table.get_ref() {
            if must_be_nodes {
                self.node(&Spanned::new(weight.span(), name.clone()), &format!("{field}.{name}"))?;
            }
            weighted.push((name.clone(), *weight.get_ref()));
        }
        Ok(weighted)
    }

    fn client_config(&self, raw: &RawClients) -> Checked<ClientConfig> {
        Ok(ClientConfig {
            requests_per_second: self.rate(&raw.requests_per_second, "nodes.client.requests_per_second")?,
            api_keys: self.weights(&raw.api_keys, "nodes.client.api_keys", false)?,
            gateways: self.weights(&raw.targets, "nodes.client.targets", true)?,
            timeout_ms: self.positive(&raw.timeout_ms, "nodes.client.timeout_ms")?,
        })
    }

    fn network(&self, raw: &RawNetwork) -> Checked<Network> {
        let [min_latency_ms, max_latency_ms] = match &raw.latency_ms {
            None => DEFAULT_LATENCY_MS,
            Some(range) => match range.get_ref()[..] {
                [min, max] if min <= max && max <= 10_000 => [min, max],
                _ => {
                    return Err(self.error(
                        range.span(),
                        "network.latency_ms",
                        "not a latency range",
                        "[min, max] in milliseconds with min <= max <= 10000",
                    ))
                }
            },
        };
        let links = raw
            .links
            .iter()
            .enumerate()
            .map(|(i, link)| {
                let field = format!("network.links[{i}]");
                let [a, b] = &link.between.get_ref()[..] else {
                    return Err(self.error(
                        link.between.span(),
                        &format!("{field}.between"),
                        "a link joins exactly two nodes",
                        "[\"node-a\", \"node-b\"]",
                    ));
                };
                let (a, b) = (self.node(a, &format!("{field}.between"))?, self.node(b, &format!("{field}.between"))?);
                if a == b {
                    return Err(self.error(
                        link.between.span(),
                        &format!("{field}.between"),
                        "a link joins two different nodes",
                        "two distinct node names",
                    ));
                }
                let latency_ms = *link.latency_ms.get_ref();
                Ok(LinkLatency { a, b, latency_ms })
            })
            .collect::<Checked<_>>()?;
        Ok(Network { min_latency_ms, max_latency_ms, links })
    }

    fn fault(&self, index: usize, raw: &Spanned<RawFault>, duration_ms: u64) -> Checked<Fault> {
        let field = |name: &str| format!("faults[{index}].{name}");
        let f = raw.get_ref();
        let kind = *f.kind.get_ref();
        let at_ms = *f.at_ms.get_ref();
        if at_ms >= duration_ms {
            return Err(self.error(
                f.at_ms.span(),
                &field("at_ms"),
                format!("the fault starts at {at_ms} ms, but the run ends at {duration_ms} ms"),
                format!("a time below run.duration_ms ({duration_ms})"),
            ));
        }
        let for_ms = match &f.for_ms {
            None => None,
            Some(_) if kind == FaultKind::Restart => {
                return Err(self.error(
                    f.for_ms.as_ref().unwrap().span(),
                    &field("for_ms"),
                    "a restart is instantaneous",
                    "no `for_ms` on a `restart` fault",
                ))
            }
            Some(d) => {
                let d_ms = self.positive(d, &field("for_ms"))?;
                if at_ms + d_ms > duration_ms {
                    return Err(self.error(
                        d.span(),
                        &field("for_ms"),
                        format!("the fault would end at {} ms, after the run ends at {duration_ms} ms", at_ms + d_ms),
                        "a duration that ends within the run (leave `for_ms` out to keep the fault until the end)",
                    ));
                }
                Some(d_ms)
            }
        };
        self.only_fields_for(kind, f, index)?;
        let whole = raw.span();
        let action = match kind {
            FaultKind::Partition | FaultKind::PartitionOneWay | FaultKind::Hold | FaultKind::Latency => {
                let from = self.node_list(&f.from, &field("from"), Some(whole.clone()))?;
                let to = self.node_list(&f.to, &field("to"), Some(whole.clone()))?;
                if let Some(same) = from.iter().find(|n| to.contains(n)) {
                    return Err(self.error(
                        f.to.as_ref().unwrap().span(),
                        &field("to"),
                        format!("`{same}` is on both sides"),
                        "two disjoint sets of nodes",
                    ));
                }
                match kind {
                    FaultKind::Partition => FaultAction::Partition { from, to, one_way: false },
                    FaultKind::PartitionOneWay => FaultAction::Partition { from, to, one_way: true },
                    FaultKind::Hold => FaultAction::Hold { from, to },
                    _ => {
                        let latency = f.latency_ms.as_ref().ok_or_else(|| {
                            self.error(
                                whole.clone(),
                                &field("latency_ms"),
                                "a latency fault needs `latency_ms`",
                                "latency_ms = <milliseconds>",
                            )
                        })?;
                        FaultAction::Latency {
                            from,
                            to,
                            latency_ms: self.at_most(latency, &field("latency_ms"), 10_000, "ms")?,
                        }
                    }
                }
            }
            FaultKind::Crash => FaultAction::Crash { nodes: self.node_list(&f.nodes, &field("nodes"), Some(whole))? },
            FaultKind::Restart => {
                FaultAction::Restart { nodes: self.node_list(&f.nodes, &field("nodes"), Some(whole))? }
            }
            FaultKind::Rpc => FaultAction::Rpc(self.rpc_rule(f, index, whole)?),
        };
        Ok(Fault { at_ms, for_ms, action })
    }

    /// Rejects fields that mean nothing for this kind of fault, so a typo'd intent is not
    /// silently ignored (a `latency_ms` on a partition, say).
    fn only_fields_for(&self, kind: FaultKind, f: &RawFault, index: usize) -> Checked<()> {
        use FaultKind::*;
        let present: [(&str, Option<Range<usize>>, bool); 7] = [
            ("nodes", f.nodes.as_ref().map(|v| v.span()), matches!(kind, Crash | Restart)),
            ("from", f.from.as_ref().map(|v| v.span()), !matches!(kind, Crash | Restart)),
            ("to", f.to.as_ref().map(|v| v.span()), !matches!(kind, Crash | Restart)),
            ("latency_ms", f.latency_ms.as_ref().map(|v| v.span()), kind == Latency),
            ("action", f.action.as_ref().map(|v| v.span()), kind == Rpc),
            ("probability", f.probability.as_ref().map(|v| v.span()), kind == Rpc),
            ("delay_ms", f.delay_ms.as_ref().map(|v| v.span()), kind == Rpc),
        ];
        for (name, span, allowed) in present {
            if let (Some(span), false) = (span, allowed) {
                let kind_name = format!("{kind:?}").to_lowercase();
                return Err(self.error(
                    span,
                    &format!("faults[{index}].{name}"),
                    format!("`{name}` does not apply to a `{kind_name}` fault"),
                    "only the fields scenarios/README.md lists for this kind",
                ));
            }
        }
        Ok(())
    }

    fn rpc_rule(&self, f: &RawFault, index: usize, whole: Range<usize>) -> Checked<RpcRule> {
        let field = |name: &str| format!("faults[{index}].{name}");
        let action = f.action.as_ref().ok_or_else(|| {
            self.error(
                whole.clone(),
                &field("action"),
                "an rpc fault needs an `action`",
                "one of drop-request, drop-response, duplicate, delay",
            )
        })?;
        let probability = f.probability.as_ref().ok_or_else(|| {
            self.error(whole.clone(), &field("probability"), "an rpc fault needs a `probability`", "a number in (0, 1]")
        })?;
        let p = probability.get_ref().0;
        if !(p > 0.0 && p <= 1.0) {
            return Err(self.error(
                probability.span(),
                &field("probability"),
                format!("{p} is not a probability"),
                "a number in (0, 1]",
            ));
        }
        let fault = match (action.get_ref(), &f.delay_ms) {
            (RpcAction::Delay, Some(d)) => {
                RpcFault::Delay { delay_ms: self.at_most(d, &field("delay_ms"), 60_000, "ms")? }
            }
            (RpcAction::Delay, None) => {
                return Err(self.error(
                    action.span(),
                    &field("delay_ms"),
                    "a delay fault needs `delay_ms`",
                    "delay_ms = <milliseconds>",
                ))
            }
            (_, Some(d)) => {
                return Err(self.error(
                    d.span(),
                    &field("delay_ms"),
                    "`delay_ms` applies only to action = \"delay\"",
                    "no delay_ms here",
                ))
            }
            (RpcAction::DropRequest, None) => RpcFault::DropRequest,
            (RpcAction::DropResponse, None) => RpcFault::DropResponse,
            (RpcAction::Duplicate, None) => RpcFault::Duplicate,
        };
        Ok(RpcRule {
            from: self.node_list(&f.from, &field("from"), None)?,
            to: self.node_list(&f.to, &field("to"), None)?,
            fault,
            probability: p,
        })
    }

    fn checks(&self, r: &RawChecks) -> Checked<Vec<CheckSpec>> {
        let mut checks = Vec::new();
        if let Some(c) = &r.limit_conformance {
            let tolerance_pct = match &c.tolerance_pct {
                None => 0.0,
                Some(t) if t.get_ref().0 >= 0.0 && t.get_ref().0 <= 100.0 => t.get_ref().0,
                Some(t) => {
                    return Err(self.error(
                        t.span(),
                        "checks.limit-conformance.tolerance_pct",
                        "not a usable tolerance",
                        "a percentage from 0 to 100",
                    ))
                }
            };
            checks.push(CheckSpec::LimitConformance {
                limit_per_second: self.positive(&c.limit_per_second, "checks.limit-conformance.limit_per_second")?,
                tolerance_pct,
            });
        }
        if let Some(c) = &r.limit_utilization {
            let min_pct = c.min_pct.get_ref().0;
            if !(min_pct > 0.0 && min_pct <= 100.0) {
                return Err(self.error(
                    c.min_pct.span(),
                    "checks.limit-utilization.min_pct",
                    "not a usable percentage",
                    "a percentage above 0 and at most 100",
                ));
            }
            checks.push(CheckSpec::LimitUtilization {
                limit_per_second: self.positive(&c.limit_per_second, "checks.limit-utilization.limit_per_second")?,
                min_pct,
            });
        }
        if r.exactly_once.is_some() {
            checks.push(CheckSpec::ExactlyOnce);
        }
        if let Some(d) = &r.deadlines {
            checks.push(CheckSpec::Deadlines { slack_ms: d.slack_ms });
        }
        if let Some(a) = &r.retry_amplification {
            let max = a.max_attempts_per_payment.get_ref().0;
            if !(max >= 1.0 && max.is_finite()) {
                return Err(self.error(
                    a.max_attempts_per_payment.span(),
                    "checks.retry-amplification.max_attempts_per_payment",
                    format!("{max} attempts per payment cannot be met"),
                    "a number >= 1",
                ));
            }
            checks.push(CheckSpec::RetryAmplification { max_attempts_per_payment: max });
        }
        if let Some(a) = &r.healthy_availability {
            let (from_ms, to_ms) = (*a.from_ms.get_ref(), *a.to_ms.get_ref());
            if to_ms <= from_ms {
                return Err(self.error(
                    a.to_ms.span(),
                    "checks.healthy-availability.to_ms",
                    "the window ends before it starts",
                    format!("a time after from_ms ({from_ms})"),
                ));
            }
            let min_pct = self.percentage(&a.min_pct, "checks.healthy-availability.min_pct")?;
            checks.push(CheckSpec::EndpointAvailability { endpoint: a.endpoint.clone(), from_ms, to_ms, min_pct });
        }
        if r.breaker_conformance.is_some() {
            let probes = self.half_open_probes.unwrap_or(0);
            checks.push(CheckSpec::BreakerConformance { half_open_probes: probes });
        }
        if let Some(c) = &r.recovery {
            let min_pct = self.percentage(&c.min_pct, "checks.recovery.min_pct")?;
            checks.push(CheckSpec::Recovery {
                endpoint: c.endpoint.clone(),
                recovered_at_ms: *c.recovered_at_ms.get_ref(),
                within_ms: *c.within_ms.get_ref(),
                min_pct,
            });
        }
        if checks.is_empty() {
            return Err(self.error(
                self.header_span("checks"),
                "checks",
                "the scenario checks nothing",
                "at least one check, e.g. [checks.limit-conformance]",
            ));
        }
        Ok(checks)
    }

    fn percentage(&self, value: &Spanned<Number>, field: &str) -> Checked<f64> {
        let pct = value.get_ref().0;
        if !(pct > 0.0 && pct <= 100.0) {
            return Err(self.error(
                value.span(),
                field,
                format!("{pct} is not a usable percentage"),
                "a percentage above 0 and at most 100",
            ));
        }
        Ok(pct)
    }

    fn variants(
        &self,
        raw: &BTreeMap<String, RawVariant>,
        checks: &[CheckSpec],
        kinds: &BTreeSet<&str>,
    ) -> Checked<Vec<Variant>> {
        let has_gateways = kinds.contains("gateway");
        if raw.is_empty() {
            return Err(self.error(
                self.header_span("variants"),
                "variants",
                "the scenario has no variants",
                "at least one [variants.<name>] table",
            ));
        }
        let check_names: BTreeSet<&str> = checks.iter().map(CheckSpec::name).collect();
        raw.iter()
            .map(|(name, v)| {
                let field = |f: &str| format!("variants.{name}.{f}");
                let summary = self.non_empty(&v.summary, &field("summary"))?;
                let mut expect_fail = Vec::new();
                for check in &v.expect_fail {
                    if !check_names.contains(check.get_ref().as_str()) {
                        let known: Vec<&str> = check_names.iter().copied().collect();
                        return Err(self.error(check.span(), &field("expect_fail"), format!("no check is named `{}`", check.get_ref()), format!("names of this scenario's checks: {}", known.join(", "))));
                    }
                    expect_fail.push(check.get_ref().clone());
                }
                let gateway_strategy = match (&v.gateway, has_gateways) {
                    (Some(g), true) => Some(self.strategy(name, g)?),
                    (Some(g), false) => return Err(self.error(g.span(), &field("gateway"), "the scenario has no gateways", "no `gateway` settings, or a [nodes.gateway] table")),
                    (None, true) => return Err(self.error(v.summary.span(), &field("gateway"), format!("variant `{name}` does not say how gateways enforce the limit"), "gateway = { strategy = \"local\" | \"local-undivided\" | \"central\" | \"sync\", … }")),
                    (None, false) => None,
                };
                let idempotency = match (&v.payments, kinds.contains("payment-service")) {
                    (Some(p), true) => Some(match p.get_ref().idempotency {
                        IdempotencyName::None => Idempotency::None,
                        IdempotencyName::InLedger => Idempotency::InLedger,
                        IdempotencyName::InMemory => Idempotency::InMemory,
                    }),
                    (Some(p), false) => return Err(self.error(p.span(), &field("payments"), "the scenario has no payment service", "no `payments` settings, or a [nodes.payment-service] table")),
                    (None, true) => return Err(self.error(v.summary.span(), &field("payments"), format!("variant `{name}` does not say where idempotency keys live"), "payments = { idempotency = \"none\" | \"in-ledger\" | \"in-memory\" }")),
                    (None, false) => None,
                };
                let breaker = match (&v.front, kinds.contains("front")) {
                    (Some(f), true) => Some(f.get_ref().breaker),
                    (Some(f), false) => return Err(self.error(f.span(), &field("front"), "the scenario has no front service", "no `front` settings, or a [nodes.front] table")),
                    (None, true) => return Err(self.error(v.summary.span(), &field("front"), format!("variant `{name}` does not say which breaker the front service uses"), "front = { breaker = \"none\" | \"standard\" | \"all-through-in-half-open\" | \"stuck-half-open\" }")),
                    (None, false) => None,
                };
                Ok(Variant { name: name.clone(), summary, expect_fail, gateway_strategy, idempotency, breaker })
            })
            .collect()
    }

    fn strategy(&self, variant: &str, raw: &Spanned<RawGatewayVariant>) -> Checked<Strategy> {
        let g = raw.get_ref();
        let field = |f: &str| format!("variants.{variant}.gateway.{f}");
        let strategy = *g.strategy.get_ref();
        let stray = |name: &str, span: Option<Range<usize>>, allowed: bool| -> Checked<()> {
            match span {
                Some(span) if !allowed => Err(self.error(
                    span,
                    &field(name),
                    format!("`{name}` does not apply to strategy `{}`", strategy_name(strategy)),
                    "only the settings of the chosen strategy",
                )),
                _ => Ok(()),
            }
        };
        let central = strategy == StrategyName::Central;
        let sync = strategy == StrategyName::Sync;
        stray("on_limiter_unreachable", g.on_limiter_unreachable.as_ref().map(|s| s.span()), central)?;
        stray("limiter_timeout_ms", g.limiter_timeout_ms.as_ref().map(|s| s.span()), central)?;
        stray("sync_interval_ms", g.sync_interval_ms.as_ref().map(|s| s.span()), sync)?;
        stray("peer_stale_after_ms", g.peer_stale_after_ms.as_ref().map(|s| s.span()), sync)?;
        stray("silent_peer_counts_as", g.silent_peer_counts_as.as_ref().map(|s| s.span()), sync)?;
        Ok(match strategy {
            StrategyName::Local => Strategy::Local,
            StrategyName::LocalUndivided => Strategy::LocalUndivided,
            StrategyName::Central => {
                let Some((limiter, _)) = self.names.iter().find(|(_, kind)| *kind == "limiter") else {
                    return Err(self.error(
                        g.strategy.span(),
                        &field("strategy"),
                        "the central strategy needs a limiter node",
                        "a [nodes.limiter] table",
                    ));
                };
                let on_unreachable = g.on_limiter_unreachable.as_ref().ok_or_else(|| {
                    self.error(
                        raw.span(),
                        &field("on_limiter_unreachable"),
                        "a central limiter must say what gateways do when it cannot be reached",
                        "on_limiter_unreachable = \"fail-open\" or \"fail-closed\"",
                    )
                })?;
                let timeout_ms = match &g.limiter_timeout_ms {
                    Some(t) => self.at_most(t, &field("limiter_timeout_ms"), 60_000, "ms")?,
                    None => DEFAULT_LIMITER_TIMEOUT_MS,
                };
                let on_unreachable = match on_unreachable.get_ref() {
                    FailModeName::FailOpen => FailMode::Open,
                    FailModeName::FailClosed => FailMode::Closed,
                };
                Strategy::Central { limiter: limiter.clone(), timeout_ms, on_unreachable }
            }
            StrategyName::Sync => {
                let interval = g.sync_interval_ms.as_ref().ok_or_else(|| {
                    self.error(
                        raw.span(),
                        &field("sync_interval_ms"),
                        "the sync strategy needs an interval",
                        "sync_interval_ms = <milliseconds>",
                    )
                })?;
                let interval_ms = self.at_most(interval, &field("sync_interval_ms"), 60_000, "ms")?;
                let stale_after_ms = match &g.peer_stale_after_ms {
                    Some(s) => self.at_most(s, &field("peer_stale_after_ms"), 600_000, "ms")?,
                    None => interval_ms * 4,
                };
                let silent_peer = match g.silent_peer_counts_as.as_ref().map(|s| *s.get_ref()) {
                    None | Some(SilentPeerName::LastReport) => SilentPeer::LastReport,
                    Some(SilentPeerName::FairShare) => SilentPeer::FairShare,
                };
                Strategy::Sync { peers: Vec::new(), interval_ms, stale_after_ms, silent_peer }
            }
        })
    }

    fn lesson(&self, raw: &RawLesson) -> Checked<Lesson> {
        Ok(Lesson {
            why_interviewers_ask: self.non_empty(&raw.why_interviewers_ask, "lesson.why_interviewers_ask")?,
            how_it_works: self.non_empty(&raw.how_it_works, "lesson.how_it_works")?,
            pitfalls: self.non_empty(&raw.pitfalls, "lesson.pitfalls")?,
            takeaways: self.non_empty(&raw.takeaways, "lesson.takeaways")?,
            break_it: self.non_empty(&raw.break_it, "lesson.break_it")?,
            interview_questions: self.non_empty(&raw.interview_questions, "lesson.interview_questions")?,
        })
    }
}

/// A node group that `nodes` registered names for, so its table exists.
fn present<T>(group: Option<&T>) -> &T {
    group.expect("a group with names has its table")
}

fn strategy_name(s: StrategyName) -> &'static str {
    match s {
        StrategyName::Local => "local",
        StrategyName::LocalUndivided => "local-undivided",
        StrategyName::Central => "central",
        StrategyName::Sync => "sync",
    }
}
