//! From the file as written to a checked [`Scenario`]: every rule a scenario file must obey,
//! each failing with a [`Diagnostic`] at the offending value.
//!
//! The rules shared by every scenario (run, network, faults, variants, lesson) live here; each
//! family's node kinds, settings and checks bring their own rules (`crate::family`), written
//! with the same [`Checker`] helpers so that every error reads alike.

use super::diagnostic::{field_path_at, Diagnostic};
use super::format::*;
use super::*;
use crate::checks::Decimal;
use crate::family::{self, CheckCx, Checked, NodeCx, NodeGroup, RawSetting, VariantCx};
use nodes::Topology;
use serde::de::IgnoredAny;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use toml::Spanned;

/// Limits that keep every run bounded whatever the file says.
const MAX_DURATION_MS: u64 = 3_600_000;
const MAX_NODES_PER_GROUP: u64 = 64;
/// The node kind `dns` faults act on (the DNS family's server).
const DNS_SERVER_KIND: &str = "dns-server";
const MAX_TICK_MS: u64 = 100;
const MAX_LATENCY_MS: u64 = 10_000;
/// A run's event budget: enough for an hour of a busy topology, small enough to fit in memory.
const MAX_EVENTS: u64 = 20_000_000;
/// A clock a day off is already absurd; a skew beyond it is a typo.
const MAX_SKEW_MS: i64 = 86_400_000;
/// Half again as fast, or half as fast: far beyond a real crystal (±100 ppm), still a clock
/// that counts forward.
const MAX_DRIFT_PPM: i64 = 500_000;
const DEFAULT_LATENCY_MS: [u64; 2] = [1, 5];
/// An fsync on a datacenter SSD: a few milliseconds; a slow disk may take a second.
const DEFAULT_FSYNC_MS: u64 = 2;
const MAX_FSYNC_MS: u64 = 10_000;

pub(super) fn parse(path: &Path, source: &str) -> Result<Scenario, Diagnostic> {
    let raw: RawScenario = toml::from_str(source).map_err(|e| toml_error(path, source, &e))?;
    Checker { path, source, names: Vec::new() }.scenario(raw)
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

/// The checks every value of a scenario file goes through, and the file they point into.
pub struct Checker<'a> {
    path: &'a Path,
    source: &'a str,
    /// Every node name, in declaration order, with its kind.
    names: Vec<(String, &'static str)>,
}

impl Checker<'_> {
    pub fn error(
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
    pub fn header_span(&self, table: &str) -> Range<usize> {
        let needle = format!("[{table}");
        self.source.find(&needle).map_or(0..0, |at| at + 1..at + 1 + table.len())
    }

    /// Reads a family's table at `path` with toml's own deserializer.
    fn read<T>(&self, read: family::ReadFn<T>, path: &[&str]) -> Checked<T> {
        read(self.source, path).map_err(|e| toml_error(self.path, self.source, &e))
    }

    pub fn positive(&self, value: &Spanned<u64>, field: &str) -> Checked<u64> {
        if *value.get_ref() == 0 {
            return Err(self.error(value.span(), field, "must be greater than 0", "a whole number > 0"));
        }
        Ok(*value.get_ref())
    }

    /// A whole number from 1 to `max`.
    pub fn at_most(&self, value: &Spanned<u64>, field: &str, max: u64, unit: &str) -> Checked<u64> {
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

    /// A whole number from 0 to `max` (a duration that may be zero, like local work time).
    pub fn up_to(&self, value: &Spanned<u64>, field: &str, max: u64, unit: &str) -> Checked<u64> {
        let v = *value.get_ref();
        if v > max {
            return Err(self.error(
                value.span(),
                field,
                format!("{v} {unit} is more than the lab allows"),
                format!("from 0 to {max} {unit}"),
            ));
        }
        Ok(v)
    }

    pub fn non_empty(&self, value: &Spanned<String>, field: &str) -> Checked<String> {
        if value.get_ref().trim().is_empty() {
            return Err(self.error(value.span(), field, "must not be empty", "some text"));
        }
        Ok(value.get_ref().clone())
    }

    /// A node name that exists in the scenario.
    pub fn node(&self, name: &Spanned<String>, field: &str) -> Checked<String> {
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

    /// A node name that exists and is of `kind`.
    pub fn node_of_kind(&self, name: &Spanned<String>, field: &str, kind: &str) -> Checked<String> {
        let node = self.node(name, field)?;
        let of_kind: Vec<&str> = self.names.iter().filter(|(_, k)| *k == kind).map(|(n, _)| n.as_str()).collect();
        if !of_kind.contains(&node.as_str()) {
            let expected = match of_kind.is_empty() {
                true => format!("a {kind} node (the scenario has none: add a [nodes.{kind}] table)"),
                false => format!("a {kind} node: {}", of_kind.join(", ")),
            };
            return Err(self.error(name.span(), field, format!("`{node}` is not a {kind}"), expected));
        }
        Ok(node)
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

    pub fn rate(&self, value: &Spanned<Number>, field: &str) -> Checked<f64> {
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

    /// A table of `name = weight` with at least one weight above 0; with `must_be_nodes`,
    /// every name must be a node of the scenario.
    pub fn weights(
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

    /// A percentage above 0 and at most 100, kept exact.
    pub fn percentage(&self, value: &Spanned<Number>, field: &str) -> Checked<Decimal> {
        match Decimal::from_f64(value.get_ref().0) {
            Some(d) if !d.is_zero() && d.is_at_most_ratio(100, 1) => Ok(d),
            _ => Err(self.error(
                value.span(),
                field,
                format!("{} is not a usable percentage", value.get_ref().0),
                "a percentage above 0 and at most 100, with at most 6 decimal places",
            )),
        }
    }

    fn scenario(mut self, raw: RawScenario) -> Checked<Scenario> {
        let name = self.non_empty(&raw.name, "name")?;
        let summary = self.non_empty(&raw.summary, "summary")?;
        let duration_ms = self.at_most(&raw.run.duration_ms, "run.duration_ms", MAX_DURATION_MS, "ms")?;
        let tick_ms = self.at_most(&raw.run.tick_ms, "run.tick_ms", MAX_TICK_MS, "ms")?;
        let max_events = self.at_most(&raw.run.max_events, "run.max_events", MAX_EVENTS, "events")?;
        let groups = self.node_groups(&raw.nodes)?;
        let topology = self.topology();
        let network = self.network(&raw.network)?;
        let storage = Storage {
            fsync_ms: match &raw.storage.fsync_ms {
                None => DEFAULT_FSYNC_MS,
                Some(fsync_ms) => self.up_to(fsync_ms, "storage.fsync_ms", MAX_FSYNC_MS, "ms")?,
            },
        };
        let variant_names: Vec<&str> = raw.variants.keys().map(String::as_str).collect();
        let faults = raw
            .faults
            .iter()
            .enumerate()
            .map(|(i, f)| self.fault(i, f, duration_ms, &variant_names))
            .collect::<Checked<Vec<_>>>()?;
        let checks = self.checks(&raw.checks, &groups, &topology, duration_ms)?;
        let variants = self.variants(&raw.variants, &checks, &groups, &topology)?;
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
        let nodes = self.names.iter().map(|(name, kind)| NodeName { name: name.clone(), kind }).collect();
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
            storage,
            nodes,
            faults,
            checks,
            variants,
            lesson,
        })
    }

    /// The registry entries of the keys of a `[table.<key>]` group, in registry order; an
    /// unknown key is an error that lists the known ones.
    fn registered<T>(
        &self,
        keys: &BTreeMap<Spanned<String>, IgnoredAny>,
        table: &str,
        what: &str,
        registry: Vec<(&'static str, T)>,
    ) -> Checked<Vec<T>> {
        let mut found = Vec::new();
        for key in keys.keys() {
            let Some(index) = registry.iter().position(|(name, _)| name == key.get_ref()) else {
                let known: Vec<String> = registry.iter().map(|(name, _)| format!("`{name}`")).collect();
                return Err(self.error(
                    key.span(),
                    &format!("{table}.{}", key.get_ref()),
                    format!("unknown field `{}`, expected one of {}", key.get_ref(), known.join(", ")),
                    format!("one of the {what} listed above (see scenarios/README.md)"),
                ));
            };
            found.push(index);
        }
        found.sort_unstable();
        let mut registry: Vec<Option<T>> = registry.into_iter().map(|(_, entry)| Some(entry)).collect();
        Ok(found.into_iter().filter_map(|index| registry[index].take()).collect())
    }

    /// Reads every `[nodes.<kind>]` table with its kind's family, in registry order, and
    /// registers the names of its nodes.
    fn node_groups(
        &mut self,
        raw: &BTreeMap<Spanned<String>, IgnoredAny>,
    ) -> Checked<Vec<(&'static str, Box<dyn NodeGroup>)>> {
        let found = self.registered(raw, "nodes", "node kinds", family::node_kinds().map(|k| (k.name, k)).collect())?;
        if found.is_empty() {
            return Err(self.error(0..0, "nodes", "the scenario has no nodes", "at least one [nodes.<kind>] table"));
        }
        // Every group's names first, so that any node may refer to one declared after it.
        let mut groups = Vec::new();
        for def in found {
            let group = self.read(def.read, &["nodes", def.name])?;
            let (name, count) = group.name_and_count();
            self.group_names(name, count, def.name)?;
            groups.push((def.name, group));
        }
        Ok(groups)
    }

    fn topology(&self) -> Topology {
        let mut topology = Topology::default();
        for (name, kind) in &self.names {
            topology.by_kind.entry(kind.to_string()).or_default().push(name.clone());
        }
        topology
    }

    /// Expands node groups into named nodes: `name` alone for a group of one, else `name-1`…`name-N`.
    fn group_names(&mut self, name: &Spanned<String>, count: &Spanned<u64>, kind: &'static str) -> Checked<()> {
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
        for n in names {
            if self.names.iter().any(|(existing, _)| *existing == n) {
                return Err(self.error(
                    name.span(),
                    &format!("{field}.name"),
                    format!("node name `{n}` is used twice"),
                    "a name no other group uses",
                ));
            }
            self.names.push((n, kind));
        }
        Ok(())
    }

    /// Reads and configures every `[checks.<name>]` table, in registry order.
    fn checks(
        &self,
        raw: &BTreeMap<Spanned<String>, IgnoredAny>,
        groups: &[(&'static str, Box<dyn NodeGroup>)],
        topology: &Topology,
        duration_ms: u64,
    ) -> Checked<Vec<CheckSpec>> {
        let found = self.registered(raw, "checks", "checks", family::checks().map(|c| (c.name, c)).collect())?;
        if found.is_empty() {
            return Err(self.error(
                self.header_span("checks"),
                "checks",
                "the scenario checks nothing",
                "at least one check, e.g. [checks.limit-conformance]",
            ));
        }
        found
            .into_iter()
            .map(|def| {
                let settings = self.read(def.read, &["checks", def.name])?;
                let cx = CheckCx { checker: self, name: def.name, duration_ms, topology, groups };
                Ok(CheckSpec { name: def.name, phase: def.phase, check: settings.configure(&cx)? })
            })
            .collect()
    }

    fn variants(
        &self,
        raw: &BTreeMap<String, BTreeMap<Spanned<String>, IgnoredAny>>,
        checks: &[CheckSpec],
        groups: &[(&'static str, Box<dyn NodeGroup>)],
        topology: &Topology,
    ) -> Checked<Vec<Variant>> {
        if raw.is_empty() {
            return Err(self.error(
                self.header_span("variants"),
                "variants",
                "the scenario has no variants",
                "at least one [variants.<name>] table",
            ));
        }
        raw.iter().map(|(name, keys)| self.variant(name, keys, checks, groups, topology)).collect()
    }

    fn variant(
        &self,
        name: &str,
        keys: &BTreeMap<Spanned<String>, IgnoredAny>,
        checks: &[CheckSpec],
        groups: &[(&'static str, Box<dyn NodeGroup>)],
        topology: &Topology,
    ) -> Checked<Variant> {
        let field = |f: &str| format!("variants.{name}.{f}");
        let mut settings: BTreeMap<&'static str, RawSetting> = BTreeMap::new();
        for key in keys.keys().filter(|k| !VARIANT_FIELDS.contains(&k.get_ref().as_str())) {
            let Some(def) = family::settings().find(|s| s.key == key.get_ref()) else {
                let known: Vec<String> = VARIANT_FIELDS
                    .iter()
                    .copied()
                    .chain(family::settings().map(|s| s.key))
                    .map(|k| format!("`{k}`"))
                    .collect();
                return Err(self.error(
                    key.span(),
                    &field(key.get_ref()),
                    format!("unknown field `{}`, expected one of {}", key.get_ref(), known.join(", ")),
                    "one of the names listed above (see scenarios/README.md)",
                ));
            };
            settings.insert(def.key, self.read(def.read, &["variants", name, def.key])?);
        }
        let base: RawVariantBase = self.read(family::read_at, &["variants", name])?;
        let summary = self.non_empty(&base.summary, &field("summary"))?;
        let check_names: Vec<&str> = checks.iter().map(|c| c.name).collect();
        let named_checks = |list: &[Spanned<String>], list_field: &str| -> Checked<Vec<String>> {
            list.iter()
                .map(|check| match check_names.contains(&check.get_ref().as_str()) {
                    true => Ok(check.get_ref().clone()),
                    false => Err(self.error(
                        check.span(),
                        &field(list_field),
                        format!("no check is named `{}`", check.get_ref()),
                        format!("names of this scenario's checks: {}", check_names.join(", ")),
                    )),
                })
                .collect()
        };
        let expect_fail = named_checks(&base.expect_fail, "expect_fail")?;
        let expect_inconclusive = named_checks(&base.expect_inconclusive, "expect_inconclusive")?;
        let may_fail = named_checks(&base.may_fail, "may_fail")?;
        if let Some(check) = base.may_fail.first().filter(|_| expect_fail.is_empty()) {
            return Err(self.error(
                check.span(),
                &field("may_fail"),
                "a correct variant (no `expect_fail`) must pass every check, so it may fail none",
                "no `may_fail`, or an `expect_fail` list naming what this variant is built to break",
            ));
        }
        if let Some(check) = base.may_fail.iter().find(|c| expect_fail.contains(c.get_ref())) {
            return Err(self.error(
                check.span(),
                &field("may_fail"),
                format!("`{}` is in `expect_fail` already", check.get_ref()),
                "checks this variant fails only on some seeds, none of them in `expect_fail`",
            ));
        }
        let cx = VariantCx {
            name: name.to_owned(),
            summary_span: base.summary.span(),
            settings,
            used: RefCell::new(BTreeSet::new()),
        };
        let mut nodes = Vec::new();
        for (kind, group) in groups {
            let names = topology.nodes_of_kind(kind);
            for node in names {
                let node_cx =
                    NodeCx { checker: self, kind, name: node, count: names.len() as u64, topology, variant: &cx };
                nodes.push(NodeSpec { name: node.clone(), kind, builder: group.configure(&node_cx)? });
            }
        }
        let used = cx.used.borrow();
        if let Some((key, setting)) = cx.settings.iter().find(|(key, _)| !used.contains(*key)) {
            let def = family::settings().find(|s| s.key == *key);
            let kinds = def.map_or(String::new(), |d| {
                d.used_by.iter().map(|k| format!("[nodes.{k}]")).collect::<Vec<_>>().join(" or ")
            });
            return Err(self.error(
                setting.span.clone(),
                &field(key),
                format!("no node of this scenario reads `{key}` settings"),
                format!("no `{key}` settings, or a {kinds} table"),
            ));
        }
        Ok(Variant { name: name.to_owned(), summary, expect_fail, expect_inconclusive, may_fail, nodes })
    }

    fn network(&self, raw: &RawNetwork) -> Checked<Network> {
        let [min_latency_ms, max_latency_ms] = match &raw.latency_ms {
            None => DEFAULT_LATENCY_MS,
            Some(range) => match range.get_ref()[..] {
                [min, max] if min <= max && max <= MAX_LATENCY_MS => [min, max],
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
                let latency_ms = self.up_to(&link.latency_ms, &format!("{field}.latency_ms"), MAX_LATENCY_MS, "ms")?;
                Ok(LinkLatency { a, b, latency_ms })
            })
            .collect::<Checked<_>>()?;
        Ok(Network { min_latency_ms, max_latency_ms, links })
    }

    fn fault(&self, index: usize, raw: &Spanned<RawFault>, duration_ms: u64, variants: &[&str]) -> Checked<Fault> {
        let field = |name: &str| format!("faults[{index}].{name}");
        let f = raw.get_ref();
        let kind = *f.kind.get_ref();
        let start = self.fault_start(index, raw, duration_ms)?;
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
                // A fault started by an event may end after the run: the run's end cuts it.
                let at_ms = match start {
                    FaultStart::At { at_ms } => at_ms,
                    FaultStart::When(_) => 0,
                };
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
        if kind == FaultKind::Pause && for_ms.is_none() {
            return Err(self.error(
                whole.clone(),
                &field("for_ms"),
                "a pause needs an end: a node paused for good is a crash",
                "for_ms = <milliseconds>",
            ));
        }
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
                        let latency_ms = self.at_most(latency, &field("latency_ms"), MAX_LATENCY_MS, "ms")?;
                        let jitter_ms = match &f.jitter_ms {
                            // Latency − jitter must stay a delay: no message arrives before it left.
                            Some(jitter) => self.up_to(jitter, &field("jitter_ms"), latency_ms, "ms (the latency)")?,
                            None => 0,
                        };
                        FaultAction::Latency { from, to, latency_ms, jitter_ms }
                    }
                }
            }
            FaultKind::Crash => FaultAction::Crash { nodes: self.node_list(&f.nodes, &field("nodes"), Some(whole))? },
            FaultKind::Restart => {
                FaultAction::Restart { nodes: self.node_list(&f.nodes, &field("nodes"), Some(whole))? }
            }
            FaultKind::Pause => FaultAction::Pause { nodes: self.node_list(&f.nodes, &field("nodes"), Some(whole))? },
            FaultKind::Clock => self.clock_fault(f, index, whole)?,
            FaultKind::Rpc => FaultAction::Rpc(self.rpc_rule(f, index, whole)?),
            FaultKind::Dns => FaultAction::Dns(self.dns_rule(f, index, whole)?),
            kind => self.tcp_fault(kind, f, index, whole)?,
        };
        let variants = self.fault_variants(f, index, variants)?;
        Ok(Fault { start, for_ms, action, variants })
    }

    /// A fault's `variants`: names of the file's variants, at least one, each once.
    fn fault_variants(&self, f: &RawFault, index: usize, known: &[&str]) -> Checked<Vec<String>> {
        let Some(list) = &f.variants else { return Ok(Vec::new()) };
        let field = format!("faults[{index}].variants");
        if list.get_ref().is_empty() {
            return Err(self.error(
                list.span(),
                &field,
                "an empty list: no variant would meet this fault",
                "the names of the variants that meet it (leave `variants` out for every variant)",
            ));
        }
        let mut names: Vec<String> = Vec::new();
        for name in list.get_ref() {
            if !known.contains(&name.get_ref().as_str()) {
                return Err(self.error(
                    name.span(),
                    &field,
                    format!("no variant is named `{}`", name.get_ref()),
                    format!("one of: {}", known.join(", ")),
                ));
            }
            if names.contains(name.get_ref()) {
                return Err(self.error(
                    name.span(),
                    &field,
                    format!("`{}` is listed twice", name.get_ref()),
                    "each variant once",
                ));
            }
            names.push(name.get_ref().clone());
        }
        Ok(names)
    }

    /// A `clock` fault: the nodes, and a skew or a drift (or both) within what a clock can do
    /// and still count forward.
    fn clock_fault(&self, f: &RawFault, index: usize, whole: Range<usize>) -> Checked<FaultAction> {
        let field = |name: &str| format!("faults[{index}].{name}");
        if f.skew_ms.is_none() && f.drift_ppm.is_none() {
            return Err(self.error(
                whole,
                &field("skew_ms"),
                "a clock fault that neither skews nor drifts changes nothing",
                "skew_ms = <ms, may be negative> and/or drift_ppm = <millionths, may be negative>",
            ));
        }
        let within = |value: &Option<Spanned<i64>>, name: &str, bound: i64, what: &str| -> Checked<i64> {
            match value {
                None => Ok(0),
                Some(v) if v.get_ref().abs() <= bound => Ok(*v.get_ref()),
                Some(v) => Err(self.error(
                    v.span(),
                    &field(name),
                    format!("{} is beyond what the lab models", v.get_ref()),
                    format!("{what} from -{bound} to {bound}"),
                )),
            }
        };
        Ok(FaultAction::Clock {
            nodes: self.node_list(&f.nodes, &field("nodes"), Some(whole))?,
            skew_ms: within(&f.skew_ms, "skew_ms", MAX_SKEW_MS, "milliseconds")?,
            drift_ppm: within(&f.drift_ppm, "drift_ppm", MAX_DRIFT_PPM, "millionths")?,
        })
    }

    /// `at_ms` (a time within the run) or `when` (an event), exactly one of them.
    fn fault_start(&self, index: usize, raw: &Spanned<RawFault>, duration_ms: u64) -> Checked<FaultStart> {
        let field = |name: &str| format!("faults[{index}].{name}");
        let f = raw.get_ref();
        match (&f.at_ms, &f.when) {
            (Some(_), Some(when)) => Err(self.error(
                when.span(),
                &field("when"),
                "a fault starts either at a time or on an event, not both",
                "`at_ms` or `when`, one of them",
            )),
            (None, None) => Err(self.error(
                raw.span(),
                &field("at_ms"),
                "the fault does not say when it starts",
                "`at_ms = <milliseconds>`, or `when = { node = \"<node>\", record = \"<record kind>\", nth = 1 }`",
            )),
            (Some(at), None) => {
                let at_ms = *at.get_ref();
                if at_ms >= duration_ms {
                    return Err(self.error(
                        at.span(),
                        &field("at_ms"),
                        format!("the fault starts at {at_ms} ms, but the run ends at {duration_ms} ms"),
                        format!("a time below run.duration_ms ({duration_ms})"),
                    ));
                }
                Ok(FaultStart::At { at_ms })
            }
            (None, Some(when)) => self.trigger(when.get_ref(), &field("when"), duration_ms).map(FaultStart::When),
        }
    }

    /// A fault's `when`: a node of the scenario, a kind of record that node makes, which one.
    fn trigger(&self, when: &RawWhen, field: &str, duration_ms: u64) -> Checked<Trigger> {
        let node = self.node(&when.node, &format!("{field}.node"))?;
        let kind = self.names.iter().find(|(name, _)| *name == node).map_or("", |(_, kind)| *kind);
        let records = family::records_of(kind);
        if !records.contains(&when.record.get_ref().as_str()) {
            return Err(self.error(
                when.record.span(),
                &format!("{field}.record"),
                format!("`{node}` is a {kind} node, and a {kind} never records `{}`", when.record.get_ref()),
                format!("one of the records a {kind} makes: {}", records.join(", ")),
            ));
        }
        let nth = self.at_most(&when.nth, &format!("{field}.nth"), MAX_EVENTS, "records")?;
        let delay_ms = match &when.delay_ms {
            Some(delay) => self.up_to(delay, &format!("{field}.delay_ms"), duration_ms, "ms")?,
            None => 0,
        };
        Ok(Trigger { node, record: when.record.get_ref().clone(), nth, delay_ms })
    }

    /// Rejects fields that mean nothing for this kind of fault, so a typo'd intent is not
    /// silently ignored (a `latency_ms` on a partition, say).
    fn only_fields_for(&self, kind: FaultKind, f: &RawFault, index: usize) -> Checked<()> {
        use FaultKind::*;
        let on_nodes = matches!(kind, Crash | Restart | Pause | Clock);
        let present: [(&str, Option<Range<usize>>, bool); 15] = [
            ("nodes", f.nodes.as_ref().map(|v| v.span()), on_nodes),
            ("from", f.from.as_ref().map(|v| v.span()), !on_nodes),
            ("to", f.to.as_ref().map(|v| v.span()), !on_nodes),
            ("skew_ms", f.skew_ms.as_ref().map(|v| v.span()), kind == Clock),
            ("drift_ppm", f.drift_ppm.as_ref().map(|v| v.span()), kind == Clock),
            ("latency_ms", f.latency_ms.as_ref().map(|v| v.span()), kind == Latency),
            ("jitter_ms", f.jitter_ms.as_ref().map(|v| v.span()), kind == Latency),
            ("action", f.action.as_ref().map(|v| v.span()), kind == Rpc || kind == Dns),
            ("probability", f.probability.as_ref().map(|v| v.span()), kind == Rpc || kind == Dns),
            ("delay_ms", f.delay_ms.as_ref().map(|v| v.span()), kind == Rpc || kind == SlowClose),
            ("timeout_ms", f.timeout_ms.as_ref().map(|v| v.span()), kind == Reset),
            ("bytes_per_second", f.bytes_per_second.as_ref().map(|v| v.span()), kind == Bandwidth),
            ("bytes", f.bytes.as_ref().map(|v| v.span()), kind == LimitData),
            ("names", f.names.as_ref().map(|v| v.span()), kind == Dns),
            ("points_to", f.points_to.as_ref().map(|v| v.span()), kind == Dns),
        ];
        for (name, span, allowed) in present {
            if let (Some(span), false) = (span, allowed) {
                let kind_name = kind.name();
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

    /// A fault on TCP connections: `from` (the nodes that dial) and `to`, and its own number.
    fn tcp_fault(&self, kind: FaultKind, f: &RawFault, index: usize, whole: Range<usize>) -> Checked<FaultAction> {
        let field = |name: &str| format!("faults[{index}].{name}");
        let required = |value: &Option<Spanned<u64>>, name: &str, example: &str| -> Checked<Spanned<u64>> {
            value.clone().ok_or_else(|| {
                self.error(whole.clone(), &field(name), format!("a {} fault needs `{name}`", kind.name()), example)
            })
        };
        let fault = match kind {
            FaultKind::Reset => TcpFault::Reset {
                after_ms: match &f.timeout_ms {
                    Some(t) => self.up_to(t, &field("timeout_ms"), MAX_LATENCY_MS, "ms")?,
                    None => 0,
                },
            },
            FaultKind::BlackHole => TcpFault::BlackHole,
            FaultKind::ConnectTimeout => TcpFault::ConnectTimeout,
            FaultKind::SlowClose => {
                let delay = required(&f.delay_ms, "delay_ms", "delay_ms = <milliseconds>")?;
                TcpFault::SlowClose { delay_ms: self.at_most(&delay, &field("delay_ms"), MAX_LATENCY_MS, "ms")? }
            }
            FaultKind::Bandwidth => {
                let rate = required(&f.bytes_per_second, "bytes_per_second", "bytes_per_second = <bytes>")?;
                let field = field("bytes_per_second");
                TcpFault::Bandwidth { bytes_per_second: self.at_most(&rate, &field, 1_000_000_000, "bytes a second")? }
            }
            _ => {
                let bytes = required(&f.bytes, "bytes", "bytes = <bytes>")?;
                TcpFault::LimitData { bytes: self.at_most(&bytes, &field("bytes"), 1 << 40, "bytes")? }
            }
        };
        let from = self.node_list(&f.from, &field("from"), Some(whole.clone()))?;
        let to = self.node_list(&f.to, &field("to"), Some(whole))?;
        if let Some(same) = from.iter().find(|n| to.contains(n)) {
            return Err(self.error(
                f.to.as_ref().map_or(0..0, |t| t.span()),
                &field("to"),
                format!("`{same}` is on both sides"),
                "two disjoint sets of nodes",
            ));
        }
        Ok(FaultAction::Tcp { from, to, fault })
    }

    /// An rpc or dns fault's `action` (one of `allowed`) and `probability`.
    fn action_and_probability(
        &self,
        f: &RawFault,
        index: usize,
        whole: Range<usize>,
        allowed: &[RawAction],
    ) -> Checked<(Spanned<RawAction>, f64)> {
        let field = |name: &str| format!("faults[{index}].{name}");
        let kind = f.kind.get_ref().name();
        let names: Vec<&str> = allowed.iter().map(|a| a.name()).collect();
        let action = f.action.as_ref().ok_or_else(|| {
            self.error(
                whole.clone(),
                &field("action"),
                format!("this {kind} fault needs an `action`"),
                format!("one of {}", names.join(", ")),
            )
        })?;
        if !allowed.contains(action.get_ref()) {
            return Err(self.error(
                action.span(),
                &field("action"),
                format!("`{}` is not an action of `{kind}` faults", action.get_ref().name()),
                format!("one of {}", names.join(", ")),
            ));
        }
        let probability = f.probability.as_ref().ok_or_else(|| {
            self.error(
                whole,
                &field("probability"),
                format!("this {kind} fault needs a `probability`"),
                "a number in (0, 1]",
            )
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
        Ok((action.clone(), p))
    }

    fn rpc_rule(&self, f: &RawFault, index: usize, whole: Range<usize>) -> Checked<RpcRule> {
        use RawAction::*;
        let field = |name: &str| format!("faults[{index}].{name}");
        let (action, p) =
            self.action_and_probability(f, index, whole, &[DropRequest, DropResponse, Duplicate, Delay])?;
        let fault = match (action.get_ref(), &f.delay_ms) {
            (Delay, Some(d)) => RpcFault::Delay { delay_ms: self.at_most(d, &field("delay_ms"), 60_000, "ms")? },
            (Delay, None) => {
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
            (DropRequest, None) => RpcFault::DropRequest,
            (DropResponse, None) => RpcFault::DropResponse,
            (_, None) => RpcFault::Duplicate,
        };
        Ok(RpcRule {
            from: self.node_list(&f.from, &field("from"), None)?,
            to: self.node_list(&f.to, &field("to"), None)?,
            fault,
            probability: p,
        })
    }

    /// A `dns` fault: what it answers, for which names, between which clients and DNS servers.
    fn dns_rule(&self, f: &RawFault, index: usize, whole: Range<usize>) -> Checked<DnsRule> {
        use RawAction::*;
        let field = |name: &str| format!("faults[{index}].{name}");
        let (action, p) =
            self.action_and_probability(f, index, whole.clone(), &[Nxdomain, Servfail, Timeout, Stale, WrongAddress])?;
        let fault = match (action.get_ref(), &f.points_to) {
            (WrongAddress, Some(node)) => {
                let node = self.node(node, &field("points_to"))?;
                let address = nodes::dns::Addresses::of_topology(&self.topology())
                    .of(&node)
                    .expect("every node of the scenario has an address");
                DnsFault::WrongAddress { node, address }
            }
            (WrongAddress, None) => {
                return Err(self.error(
                    action.span(),
                    &field("points_to"),
                    "a wrong-address fault needs the node whose address it answers with",
                    "points_to = \"<node>\"",
                ))
            }
            (_, Some(node)) => {
                return Err(self.error(
                    node.span(),
                    &field("points_to"),
                    "`points_to` applies only to action = \"wrong-address\"",
                    "no points_to here",
                ))
            }
            (Nxdomain, None) => DnsFault::NxDomain,
            (Servfail, None) => DnsFault::ServFail,
            (Timeout, None) => DnsFault::Timeout,
            (_, None) => DnsFault::Stale,
        };
        let to = self.node_list(&f.to, &field("to"), None)?;
        let servers: Vec<&str> =
            self.names.iter().filter(|(_, kind)| *kind == DNS_SERVER_KIND).map(|(n, _)| n.as_str()).collect();
        let not_a_server = to.iter().position(|n| !servers.contains(&n.as_str()));
        if servers.is_empty() || not_a_server.is_some() {
            let span = match (not_a_server, &f.to) {
                (Some(i), Some(list)) => list.get_ref()[i].span(),
                _ => whole,
            };
            let why = match not_a_server {
                Some(i) => format!("`{}` is not a DNS server", to[i]),
                None => "the scenario has no DNS server for this fault to act on".to_owned(),
            };
            let expected = format!("a [nodes.{DNS_SERVER_KIND}] node ({})", servers.join(", "));
            return Err(self.error(span, &field("to"), why, expected));
        }
        let mut names = Vec::new();
        for name in f.names.iter().flat_map(|list| list.get_ref()) {
            nodes::dns::wire::check_name(name.get_ref())
                .map_err(|why| self.error(name.span(), &field("names"), why, "domain names such as \"api.lab\""))?;
            names.push(nodes::dns::zone::normalize(name.get_ref()));
        }
        Ok(DnsRule { from: self.node_list(&f.from, &field("from"), None)?, to, names, fault, probability: p })
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
