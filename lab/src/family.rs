//! Scenario families, each declared in one place, and the registry the lab walks.
//!
//! A family (rate limiting, payments, circuit breaking, …) is its node logic in `nodes/`, its
//! messages in `proto/`, and one module under `lab/src/families/` that declares
//! - its **node kinds**: the `[nodes.<kind>]` table each reads, how that table is checked, and
//!   how it builds a node for one variant ([`NodeKindDef`], [`NodeGroup`]);
//! - its **variant settings**: the `<key> = { … }` entries a `[variants.<name>]` table may
//!   carry, read by the node kinds that need them ([`Setting`]);
//! - its **checks**: the `[checks.<name>]` table each reads and the verdict it computes from a
//!   run's history ([`CheckDef`], [`CheckSettings`], [`Check`]).
//!
//! The family is then listed once in [`crate::families::ALL`]. The scenario loader and the
//! engine only walk that list: nothing else in the lab matches on a kind, setting or check name,
//! and a node kind asks for a variant setting through the same typed [`Setting`] constant that
//! registers it, so a misspelt name cannot compile into a run-time surprise.
//!
//! Each table is read with toml's own deserializer at its path in the file ([`read_at`]), so
//! errors inside a family's table point at the exact line, column and field like any other.

use crate::checks::Outcome;
use crate::engine::RunResult;
use crate::engine::Transport;
use crate::scenario::{Checker, Diagnostic};
use nodes::{Node, Topology};
use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use std::any::Any;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;
use std::sync::Arc;
use toml::Spanned;

pub type Checked<T> = Result<T, Diagnostic>;

/// Reads the table at a path of the scenario file into a family's own type.
pub type ReadFn<T> = fn(source: &str, path: &[&str]) -> Result<T, toml::de::Error>;

/// One scenario family: everything the lab needs to know about it, in one value.
pub struct Family {
    pub name: &'static str,
    pub node_kinds: &'static [NodeKindDef],
    pub settings: &'static [SettingDef],
    pub checks: &'static [CheckDef],
}

/// A node kind: the name of its `[nodes.<name>]` table and how to read that table.
pub struct NodeKindDef {
    pub name: &'static str,
    pub read: ReadFn<Box<dyn NodeGroup>>,
    /// The fields of its table that size the workload (`count`, `requests_per_second`), each a
    /// positive number: `lab shrink` tries smaller values of these, and of nothing else.
    pub load: &'static [&'static str],
    /// The kinds of record a node of this kind makes (besides [`HOST_RECORDS`]): what a fault's
    /// `when` may wait for. `lab/tests/variants.rs` holds the list to what the runs record.
    pub records: &'static [&'static str],
}

/// The records every node may make, whatever its kind: its start (and each restart), its
/// messages and their fates (`crate::engine`'s host records them; docs/trace-format.md).
pub const HOST_RECORDS: &[&str] = &[
    "start",
    "msg-send",
    "msg-deliver",
    "msg-reply",
    "msg-result",
    "msg-lost",
    "msg-held",
    "rpc-fault",
    "dns-fault",
    "tcp-fault",
    "malformed-datagram",
    "datagrams-stopped",
    crate::engine::DATAGRAM_NOT_SENT,
    crate::engine::CONNECT_FAILED,
    crate::engine::SYNCED,
    crate::engine::DISK_LOST,
];

/// Every kind of record a node of `kind` makes: its own, then the host's.
pub fn records_of(kind: &str) -> Vec<&'static str> {
    let own = node_kinds().filter(|k| k.name == kind).flat_map(|k| k.records.iter().copied());
    own.chain(HOST_RECORDS.iter().copied()).collect()
}

impl NodeKindDef {
    pub const fn new<T: NodeGroup + DeserializeOwned>(name: &'static str) -> Self {
        Self { name, read: read_boxed_group::<T>, load: &[], records: &[] }
    }

    /// The same kind, with the kinds of record its nodes make.
    pub const fn with_records(self, records: &'static [&'static str]) -> Self {
        Self { records, ..self }
    }

    /// The same kind, with the fields of its table that size the workload.
    pub const fn with_load(self, fields: &'static [&'static str]) -> Self {
        Self { load: fields, ..self }
    }
}

/// A `[nodes.<kind>]` table as written: a group of `count` nodes of one kind.
pub trait NodeGroup: Any {
    /// The `name` and `count` every node table has.
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>);

    /// Checks the table and says how to build node `cx.name` for the variant `cx` is about.
    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder>;
}

/// Builds a node afresh: on its first start and on every restart after a crash; with the
/// connection settings its calls use, when the node kind has its own.
#[derive(Clone)]
pub struct NodeBuilder {
    build: Arc<dyn Fn() -> Box<dyn Node> + Send + Sync>,
    transport: Option<Transport>,
    datagrams: bool,
}

impl NodeBuilder {
    /// A builder that makes a new node from a copy of `config` each time it is called.
    pub fn new<C: Clone + Send + Sync + 'static, N: Node + 'static>(config: C, new: fn(C) -> N) -> Self {
        Self { build: Arc::new(move || Box::new(new(config.clone()))), transport: None, datagrams: false }
    }

    /// The same builder, for a node that sends or receives datagrams (`Out::send`): its host
    /// opens a UDP socket. A host whose software uses no UDP opens none, as a real process
    /// would — and, on turmoil, runs no receive task that would shift its tasks' polling order.
    pub fn with_datagrams(self) -> Self {
        Self { datagrams: true, ..self }
    }

    /// The same builder, whose node's calls go through connections set up as `transport` says.
    pub fn with_transport(self, transport: Transport) -> Self {
        Self { transport: Some(transport), ..self }
    }

    pub fn build(&self) -> Box<dyn Node> {
        (self.build)()
    }

    pub fn transport(&self) -> Option<Transport> {
        self.transport
    }

    pub fn uses_datagrams(&self) -> bool {
        self.datagrams
    }
}

impl fmt::Debug for NodeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NodeBuilder")
    }
}

/// What a node kind is told while it checks its table for one node of one variant.
pub struct NodeCx<'a> {
    pub checker: &'a Checker<'a>,
    pub kind: &'static str,
    /// The node's name (`gw-2`).
    pub name: &'a str,
    /// How many nodes its group has.
    pub count: u64,
    /// Every node of the scenario, by kind.
    pub topology: &'a Topology,
    pub variant: &'a VariantCx,
}

impl NodeCx<'_> {
    /// The path of a field of this kind's table, for diagnostics: `nodes.gateway.burst`.
    pub fn field(&self, name: &str) -> String {
        format!("nodes.{}.{name}", self.kind)
    }

    /// Rejects a group of more than one node for a kind the lab models as one (`what`: "broker").
    pub fn single(&self, count: &Spanned<u64>, what: &str) -> Checked<()> {
        if *count.get_ref() == 1 {
            return Ok(());
        }
        Err(self.checker.error(
            count.span(),
            &self.field("count"),
            format!("the lab's {what} is a single node"),
            "count = 1 (or leave it out)",
        ))
    }

    /// The variant's value of `setting`, which this kind needs: an error at the variant if the
    /// variant leaves it out.
    pub fn setting<T: 'static>(&self, setting: &Setting<T>) -> Checked<SettingRef<'_, T>> {
        let variant = self.variant;
        let Some(raw) = variant.settings.get(setting.key) else {
            return Err(self.checker.error(
                variant.summary_span.clone(),
                &format!("variants.{}.{}", variant.name, setting.key),
                format!("variant `{}` does not say {}", variant.name, setting.decides),
                setting.example,
            ));
        };
        variant.used.borrow_mut().insert(setting.key);
        let Some(value) = raw.value.downcast_ref::<T>() else {
            return Err(self.checker.error(
                raw.span.clone(),
                &format!("variants.{}.{}", variant.name, setting.key),
                format!("internal: setting `{}` is declared with two different types", setting.key),
                "a lab build whose families declare each setting once",
            ));
        };
        Ok(SettingRef { value, span: raw.span.clone(), prefix: format!("variants.{}.{}", variant.name, setting.key) })
    }
}

/// A variant setting as the node kind reads it: the value, where it is, and its field paths.
pub struct SettingRef<'a, T> {
    pub value: &'a T,
    pub span: Range<usize>,
    prefix: String,
}

impl<T> SettingRef<'_, T> {
    /// The path of a field inside the setting: `variants.sync.gateway.sync_interval_ms`.
    pub fn field(&self, name: &str) -> String {
        format!("{}.{name}", self.prefix)
    }
}

/// The variant a node is being configured for, with the settings its file table carries.
pub struct VariantCx {
    pub name: String,
    /// Where to point when the variant lacks a setting: its `summary`.
    pub summary_span: Range<usize>,
    pub settings: BTreeMap<&'static str, RawSetting>,
    /// Settings some node kind asked for; any other is a setting nothing would read.
    pub used: RefCell<BTreeSet<&'static str>>,
}

/// A variant setting as read from the file, typed by the [`Setting`] that read it.
pub struct RawSetting {
    pub span: Range<usize>,
    value: Box<dyn Any>,
}

/// A variant setting: `<key> = { … }` in a `[variants.<name>]` table. Declared once as a
/// constant; the family registers it with [`Setting::def`] and its node kinds read it with
/// [`NodeCx::setting`], so the name and the type are shared by construction.
pub struct Setting<T> {
    pub key: &'static str,
    /// What the setting decides, for the error when a variant leaves it out:
    /// "how gateways enforce the limit".
    pub decides: &'static str,
    /// A correct entry, for the same error.
    pub example: &'static str,
    /// The node kinds that read it, for the error when a scenario has none of them.
    pub used_by: &'static [&'static str],
    _type: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned + 'static> Setting<T> {
    pub const fn new(
        key: &'static str,
        decides: &'static str,
        example: &'static str,
        used_by: &'static [&'static str],
    ) -> Self {
        Self { key, decides, example, used_by, _type: PhantomData }
    }

    /// The registry entry that reads this setting from a variant table.
    pub const fn def(&self) -> SettingDef {
        SettingDef { key: self.key, used_by: self.used_by, read: read_setting::<T> }
    }
}

/// A variant setting's registry entry.
pub struct SettingDef {
    pub key: &'static str,
    pub used_by: &'static [&'static str],
    pub read: ReadFn<RawSetting>,
}

/// Which side of a run a check judges: nothing bad happens, something good does, or the load
/// the design puts on its dependencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Safety,
    Liveness,
    Load,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Safety => "safety",
            Phase::Liveness => "liveness",
            Phase::Load => "load",
        }
    }
}

/// A check: the name of its `[checks.<name>]` table, its phase, and how to read the table.
pub struct CheckDef {
    pub name: &'static str,
    pub phase: Phase,
    pub read: ReadFn<Box<dyn CheckSettings>>,
}

impl CheckDef {
    pub const fn new<T: CheckSettings + DeserializeOwned>(name: &'static str, phase: Phase) -> Self {
        Self { name, phase, read: read_boxed_check::<T> }
    }
}

/// A `[checks.<name>]` table as written.
pub trait CheckSettings: Any {
    /// Checks the table against the rest of the scenario and returns the configured check.
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>>;
}

/// A configured check: judges one run from its recorded history alone.
pub trait Check: fmt::Debug + Send + Sync {
    fn evaluate(&self, run: &RunResult) -> Outcome;
}

/// A check judged by a function of the run's events alone (a check with no settings).
pub struct ByEvents(pub fn(&[crate::trace::Event]) -> Outcome);

impl fmt::Debug for ByEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ByEvents")
    }
}

impl Check for ByEvents {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        (self.0)(&run.events)
    }
}

/// What a check is told while it checks its table.
pub struct CheckCx<'a> {
    pub checker: &'a Checker<'a>,
    pub name: &'static str,
    pub duration_ms: u64,
    pub topology: &'a Topology,
    pub groups: &'a [(&'static str, Box<dyn NodeGroup>)],
}

impl CheckCx<'_> {
    /// The path of a field of this check's table: `checks.recovery.within_ms`.
    pub fn field(&self, name: &str) -> String {
        format!("checks.{}.{name}", self.name)
    }

    /// The `[nodes.<kind>]` table of the scenario, read as the family's own type.
    pub fn group<T: NodeGroup>(&self, kind: &str) -> Option<&T> {
        self.groups.iter().find(|(k, _)| *k == kind).and_then(|(_, g)| (g.as_ref() as &dyn Any).downcast_ref::<T>())
    }

    /// Rejects a time (ms from the start) that lies beyond the run.
    pub fn within_run(&self, value: &Spanned<u64>, field: &str) -> Checked<u64> {
        let t = *value.get_ref();
        if t > self.duration_ms {
            return Err(self.checker.error(
                value.span(),
                &self.field(field),
                format!("{t} ms is after the run ends at {} ms", self.duration_ms),
                format!("a time from 0 to run.duration_ms ({})", self.duration_ms),
            ));
        }
        Ok(t)
    }
}

/// Every node kind of every family, in registry order (the order nodes are built in).
pub fn node_kinds() -> impl Iterator<Item = &'static NodeKindDef> {
    crate::families::ALL.iter().flat_map(|f| f.node_kinds.iter())
}

pub fn settings() -> impl Iterator<Item = &'static SettingDef> {
    crate::families::ALL.iter().flat_map(|f| f.settings.iter())
}

/// Every check of every family, in registry order (the order verdicts are shown in).
pub fn checks() -> impl Iterator<Item = &'static CheckDef> {
    crate::families::ALL.iter().flat_map(|f| f.checks.iter())
}

fn read_boxed_group<T: NodeGroup + DeserializeOwned>(
    source: &str,
    path: &[&str],
) -> Result<Box<dyn NodeGroup>, toml::de::Error> {
    Ok(Box::new(read_at::<T>(source, path)?))
}

fn read_boxed_check<T: CheckSettings + DeserializeOwned>(
    source: &str,
    path: &[&str],
) -> Result<Box<dyn CheckSettings>, toml::de::Error> {
    Ok(Box::new(read_at::<T>(source, path)?))
}

fn read_setting<T: DeserializeOwned + 'static>(source: &str, path: &[&str]) -> Result<RawSetting, toml::de::Error> {
    let value = read_at::<Spanned<T>>(source, path)?;
    Ok(RawSetting { span: value.span(), value: Box::new(value.into_inner()) })
}

/// Deserializes the value at `path` (`["nodes", "gateway"]`) of a TOML document as `T`, with
/// toml's own deserializer: [`Spanned`] values keep their place in the file and errors carry
/// their span. Everything else in the document is skipped.
pub fn read_at<T: DeserializeOwned>(source: &str, path: &[&str]) -> Result<T, toml::de::Error> {
    let found = AtPath::<T> { path, found: PhantomData }.deserialize(toml::Deserializer::new(source))?;
    found.ok_or_else(|| serde::de::Error::custom(format!("no table at `{}`", path.join("."))))
}

struct AtPath<'p, T> {
    path: &'p [&'p str],
    found: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for AtPath<'_, T> {
    type Value = Option<T>;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        match self.path.split_first() {
            None => T::deserialize(deserializer).map(Some),
            Some((head, rest)) => deserializer.deserialize_map(PathVisitor::<T> { head, rest, found: PhantomData }),
        }
    }
}

struct PathVisitor<'p, T> {
    head: &'p str,
    rest: &'p [&'p str],
    found: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> Visitor<'de> for PathVisitor<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a table with `{}`", self.head)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == self.head && found.is_none() {
                found = map.next_value_seed(AtPath::<T> { path: self.rest, found: PhantomData })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unique(names: impl Iterator<Item = &'static str>, what: &str) {
        let mut seen = BTreeSet::new();
        for name in names {
            assert!(seen.insert(name), "{what} `{name}` is registered twice");
        }
    }

    #[test]
    fn every_registered_name_is_unique_and_settings_do_not_shadow_variant_fields() {
        unique(node_kinds().map(|k| k.name), "node kind");
        unique(checks().map(|c| c.name), "check");
        unique(settings().map(|s| s.key), "variant setting");
        for setting in settings() {
            assert!(
                !crate::scenario::format::VARIANT_FIELDS.contains(&setting.key),
                "setting `{}` shadows a variant field",
                setting.key
            );
            for kind in setting.used_by {
                assert!(
                    node_kinds().any(|k| k.name == *kind),
                    "setting `{}` names an unknown kind `{kind}`",
                    setting.key
                );
            }
        }
    }

    #[test]
    fn read_at_keeps_spans_and_reports_errors_where_they_are() {
        let source = "[a.b]\nx = 5\n[c]\ny = 1\n";
        let x: BTreeMap<String, Spanned<u64>> = read_at(source, &["a", "b"]).unwrap();
        assert_eq!(&source[x["x"].span()], "5");
        let error = read_at::<BTreeMap<String, String>>(source, &["c"]).unwrap_err();
        assert_eq!(error.span().map(|s| &source[s]), Some("1"));
        assert!(read_at::<u64>(source, &["nope"]).is_err());
    }
}
