//! Scenario files: the repository's own load, other shapes just run, and every kind of
//! mistake gets an error naming the line, column and field — never a panic.

mod common;

use common::{parse, small_with, SMALL};
use lab::scenario::FaultAction;

#[test]
fn every_scenario_in_the_repository_loads() {
    let dir = common::repo_root().join("scenarios");
    let mut loaded = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            lab::scenario::Scenario::load(&path).unwrap_or_else(|d| panic!("{d}"));
            loaded += 1;
        }
    }
    assert!(loaded >= 1, "no scenario files found in {}", dir.display());
}

#[test]
fn node_groups_expand_to_named_nodes_and_counts_come_from_the_file() {
    let scenario = parse(&small_with("count = 2", "count = 5")).unwrap();
    let gateways: Vec<&str> = scenario.nodes.iter().filter(|n| n.kind == "gateway").map(|n| n.name.as_str()).collect();
    assert_eq!(gateways, ["gw-1", "gw-2", "gw-3", "gw-4", "gw-5"]);
    assert!(scenario.nodes.iter().any(|n| n.name == "limiter"), "a group of one keeps its plain name");
    assert!(matches!(scenario.faults[0].action, FaultAction::Partition { one_way: false, .. }));
}

/// (what is wrong, replace this, with this, text on the line the error must point at,
/// expected field, words in the message)
const BROKEN: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("TOML syntax error", "seed = 7", "seed = = 7", "seed = = 7", "run.seed", "invalid"),
    ("unknown field", "seed = 7", "seed = 7\nsede = 8", "sede = 8", "run.sede", "unknown field `sede`"),
    (
        "wrong type",
        "timeout_ms = 200",
        "timeout_ms = \"fast\"",
        "\"fast\"",
        "nodes.client.timeout_ms",
        "invalid type: string",
    ),
    (
        "unknown node kind",
        "[nodes.limiter]",
        "[nodes.limitr]",
        "[nodes.limitr]",
        "nodes.limitr",
        "unknown field `limitr`",
    ),
    (
        "unknown strategy",
        "strategy = \"sync\"",
        "strategy = \"gossip\"",
        "gossip",
        "variants.sync.gateway.strategy",
        "unknown variant `gossip`",
    ),
    (
        "unknown default variant",
        "default_variant = \"sync\"",
        "default_variant = \"synk\"",
        "synk",
        "default_variant",
        "no variant is named `synk`",
    ),
    (
        "fault naming a missing node",
        "from = [\"gw-1\"]",
        "from = [\"gw-9\"]",
        "gw-9",
        "faults[0].from",
        "no node is named `gw-9`",
    ),
    (
        "fault past the end of the run",
        "at_ms = 1_000",
        "at_ms = 9_000",
        "at_ms = 9_000",
        "faults[0].at_ms",
        "the run ends at 4000 ms",
    ),
    (
        "fault ending past the run",
        "for_ms = 1_000",
        "for_ms = 5_000",
        "for_ms = 5_000",
        "faults[0].for_ms",
        "after the run ends",
    ),
    (
        "negative rate",
        "requests_per_second = 60",
        "requests_per_second = -60",
        "= -60",
        "nodes.client.requests_per_second",
        "-60 is not a usable request rate",
    ),
    (
        "zero rate",
        "requests_per_second = 60",
        "requests_per_second = 0",
        "requests_per_second = 0",
        "nodes.client.requests_per_second",
        "0 is not a usable request rate",
    ),
    (
        "zero limit",
        "limit_per_second = 40\nburst",
        "limit_per_second = 0\nburst",
        "limit_per_second = 0",
        "nodes.gateway.limit_per_second",
        "greater than 0",
    ),
    (
        "negative limit",
        "limit_per_second = 40\nburst",
        "limit_per_second = -40\nburst",
        "limit_per_second = -40",
        "nodes.gateway.limit_per_second",
        "invalid value",
    ),
    (
        "expect_fail naming a missing check",
        "expect_fail = [\"limit-conformance\"]",
        "expect_fail = [\"conformance\"]",
        "[\"conformance\"]",
        "variants.undivided.expect_fail",
        "no check is named `conformance`",
    ),
    (
        "field that does not apply to the fault",
        "to = [\"limiter\"]",
        "to = [\"limiter\"]\nlatency_ms = 5",
        "latency_ms = 5",
        "faults[0].latency_ms",
        "does not apply to a `partition` fault",
    ),
    (
        "client target that does not exist",
        "gw-2 = 1",
        "gw-7 = 1",
        "gw-7 = 1",
        "nodes.client.targets.gw-7",
        "no node is named `gw-7`",
    ),
    (
        "setting of another strategy",
        "strategy = \"local-undivided\"",
        "strategy = \"local-undivided\", sync_interval_ms = 5",
        "sync_interval_ms = 5",
        "variants.undivided.gateway.sync_interval_ms",
        "does not apply to strategy `local-undivided`",
    ),
    (
        "a stray field names the fault kind as the file spells it",
        "kind = \"partition\"",
        "kind = \"partition-one-way\"\nlatency_ms = 5",
        "latency_ms = 5",
        "faults[0].latency_ms",
        "does not apply to a `partition-one-way` fault",
    ),
    (
        "link latency out of range",
        "[nodes.client]",
        "[[network.links]]\nbetween = [\"gw-1\", \"gw-2\"]\nlatency_ms = 50_000\n\n[nodes.client]",
        "latency_ms = 50_000",
        "network.links[0].latency_ms",
        "more than the lab allows",
    ),
    (
        "unknown check",
        "[checks.limit-conformance]",
        "[checks.limit-conformanse]",
        "[checks.limit-conformanse]",
        "checks.limit-conformanse",
        "unknown field `limit-conformanse`",
    ),
    (
        "unknown variant setting",
        "gateway = { strategy = \"sync\"",
        "gatway = { strategy = \"sync\"",
        "gatway = {",
        "variants.sync.gatway",
        "unknown field `gatway`",
    ),
    (
        "a variant setting no node reads",
        "gateway = { strategy = \"local-undivided\" }",
        "gateway = { strategy = \"local-undivided\" }\npayments = { idempotency = \"none\" }",
        "payments = {",
        "variants.undivided.payments",
        "no node of this scenario reads `payments` settings",
    ),
    (
        "a variant that leaves out a setting its nodes need",
        "gateway = { strategy = \"local-undivided\" }",
        "",
        "summary = \"each gateway",
        "variants.undivided.gateway",
        "does not say how gateways enforce the limit",
    ),
    (
        "a tolerance period past the run",
        "tolerance_pct = 10",
        "tolerance_pct = 10\n\n[[checks.limit-conformance.during]]\nfrom_ms = 3_000\nto_ms = 9_000\ntolerance_pct = 20",
        "to_ms = 9_000",
        "checks.limit-conformance.during[0].to_ms",
        "9000 ms is after the run ends at 4000 ms",
    ),
    (
        "a correct variant that may fail",
        "summary = \"synced counts\"",
        "summary = \"synced counts\"\nmay_fail = [\"limit-conformance\"]",
        "may_fail = [\"limit-conformance\"]",
        "variants.sync.may_fail",
        "a correct variant (no `expect_fail`) must pass every check",
    ),
    (
        "a check both expected to fail and allowed to",
        "expect_fail = [\"limit-conformance\"]",
        "expect_fail = [\"limit-conformance\"]\nmay_fail = [\"limit-conformance\"]",
        "may_fail = [\"limit-conformance\"]",
        "variants.undivided.may_fail",
        "is in `expect_fail` already",
    ),
    (
        "client timeout out of range",
        "timeout_ms = 200",
        "timeout_ms = 9_000_000",
        "timeout_ms = 9_000_000",
        "nodes.client.timeout_ms",
        "more than the lab allows",
    ),
];

fn line_of(text: &str, marker: &str) -> usize {
    let at = text.find(marker).unwrap_or_else(|| panic!("test bug: `{marker}` not in the mutated file"));
    text[..at].matches('\n').count() + 1
}

#[test]
fn broken_files_get_errors_naming_line_field_and_what_was_expected() {
    for (what, from, to, marker, field, words) in BROKEN {
        let text = small_with(from, to);
        let line = &line_of(&text, marker);
        let error = match parse(&text) {
            Ok(_) => panic!("{what}: the broken file was accepted"),
            Err(error) => error,
        };
        let text = error.to_string();
        assert_eq!(error.line, *line, "{what}: wrong line in\n{text}");
        assert_eq!(error.field, *field, "{what}: wrong field in\n{text}");
        assert!(text.contains(words), "{what}: message lacks `{words}`:\n{text}");
        assert!(text.starts_with(&format!("test.toml:{line}:")), "{what}: no file:line prefix:\n{text}");
        assert!(text.contains("expected: "), "{what}: does not say what was expected:\n{text}");
        assert!(error.column >= 1);
    }
}

#[test]
fn garbage_and_empty_input_are_errors_not_panics() {
    for text in ["", "\u{0}\u{1}", "[[[", "name = 1", &SMALL[..SMALL.len() / 2]] {
        assert!(parse(text).is_err(), "accepted {text:?}");
    }
}

/// (scenario, what is wrong, replace this, with this, expected field, words in the message)
const BROKEN_RESILIENCE: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "idempotent-retries",
        "backoff cap below its base",
        "backoff_cap_ms = 800",
        "backoff_cap_ms = 20",
        "nodes.payer.backoff_cap_ms",
        "below the base",
    ),
    (
        "idempotent-retries",
        "unknown jitter",
        "jitter = \"full\"",
        "jitter = \"random\"",
        "nodes.payer.jitter",
        "unknown variant `random`",
    ),
    (
        "idempotent-retries",
        "payer calling a missing service",
        "service = \"payments\"",
        "service = \"payment\"",
        "nodes.payer.service",
        "no node is named `payment`",
    ),
    (
        "idempotent-retries",
        "unknown key placement",
        "idempotency = \"in-ledger\"",
        "idempotency = \"in-redis\"",
        "variants.idempotency-key.payments.idempotency",
        "unknown variant `in-redis`",
    ),
    (
        "idempotent-retries",
        "zero payment rate",
        "payments_per_second = 10",
        "payments_per_second = 0",
        "nodes.payer.payments_per_second",
        "not a usable request rate",
    ),
    (
        "idempotent-retries",
        "amplification bound below one",
        "max_attempts_per_payment = 1.5",
        "max_attempts_per_payment = 0.5",
        "checks.retry-amplification.max_attempts_per_payment",
        "cannot be met",
    ),
    (
        "circuit-breaker",
        "unknown breaker",
        "breaker = \"standard\"",
        "breaker = \"fancy\"",
        "variants.breaker.front.breaker",
        "unknown variant `fancy`",
    ),
    (
        "circuit-breaker",
        "availability window backwards",
        "to_ms = 35_000",
        "to_ms = 5_000",
        "checks.healthy-availability.to_ms",
        "ends before it starts",
    ),
    (
        "circuit-breaker",
        "zero pool",
        "max_in_flight = 32",
        "max_in_flight = 0",
        "nodes.front.max_in_flight",
        "greater than 0",
    ),
    (
        "circuit-breaker",
        "percentage above 100",
        "min_pct = 95",
        "min_pct = 195",
        "checks.healthy-availability.min_pct",
        "not a usable percentage",
    ),
    (
        "circuit-breaker",
        "misspelt endpoint in the callers' table",
        "endpoints = { healthy = 1, dependent = 1 }",
        "endpoints = { healthy = 1, dependant = 1 }",
        "nodes.caller.endpoints.dependant",
        "the front service serves no endpoint `dependant`",
    ),
    (
        "circuit-breaker",
        "misspelt endpoint in a check",
        "endpoint = \"dependent\"",
        "endpoint = \"dependant\"",
        "checks.recovery.endpoint",
        "the front service serves no endpoint `dependant`",
    ),
    (
        "circuit-breaker",
        "recovery time after the run",
        "recovered_at_ms = 35_000",
        "recovered_at_ms = 95_000",
        "checks.recovery.recovered_at_ms",
        "after the run ends at 60000 ms",
    ),
    (
        "circuit-breaker",
        "availability window past the run",
        "to_ms = 35_000",
        "to_ms = 70_000",
        "checks.healthy-availability.to_ms",
        "after the run ends",
    ),
    (
        "circuit-breaker",
        "service time out of range",
        "service_time_ms = 10",
        "service_time_ms = 9_000_000",
        "nodes.dependency.service_time_ms",
        "more than the lab allows",
    ),
    (
        "circuit-breaker",
        "healthy work out of range",
        "healthy_work_ms = 5",
        "healthy_work_ms = 100_000",
        "nodes.front.healthy_work_ms",
        "more than the lab allows",
    ),
    (
        "circuit-breaker",
        "callers aimed at a node that is not a front service",
        "target = \"front\"",
        "target = \"dependency\"",
        "nodes.caller.target",
        "`dependency` is not a front",
    ),
    (
        "idempotent-retries",
        "a fault waiting for a node that does not exist",
        "when = { node = \"ledger\",",
        "when = { node = \"ledgr\",",
        "faults[4].when.node",
        "no node is named `ledgr`",
    ),
    (
        "idempotent-retries",
        "a fault waiting for a record its node never makes",
        "record = \"charge-applied\", nth = 900 }",
        "record = \"charge-aplied\", nth = 900 }",
        "faults[4].when.record",
        "a ledger never records `charge-aplied`",
    ),
    (
        "idempotent-retries",
        "a fault waiting for the 0th record",
        "nth = 900 }",
        "nth = 0 }",
        "faults[4].when.nth",
        "must be greater than 0",
    ),
    (
        "idempotent-retries",
        "a fault with a time and an event",
        "when = { node = \"ledger\", record = \"charge-applied\", nth = 900 }",
        "when = { node = \"ledger\", record = \"charge-applied\", nth = 900 }\nat_ms = 1_000",
        "faults[4].when",
        "either at a time or on an event, not both",
    ),
    (
        "idempotent-retries",
        "deadline slack out of range",
        "slack_ms = 0",
        "slack_ms = 9_000_000",
        "checks.deadlines.slack_ms",
        "more than the lab allows",
    ),
];

#[test]
fn broken_payment_and_breaker_files_get_the_same_precise_errors() {
    for (scenario, what, from, to, field, words) in BROKEN_RESILIENCE {
        let path = common::repo_root().join("scenarios").join(format!("{scenario}.toml"));
        let original = std::fs::read_to_string(&path).unwrap();
        assert!(original.contains(from), "test bug: `{from}` is not in {scenario}.toml");
        let text = original.replacen(from, to, 1);
        let error = match parse(&text) {
            Ok(_) => panic!("{what}: the broken file was accepted"),
            Err(error) => error,
        };
        let rendered = error.to_string();
        assert_eq!(error.line, line_of(&text, to.lines().next().unwrap()), "{what}: wrong line in\n{rendered}");
        assert_eq!(error.field, *field, "{what}: wrong field in\n{rendered}");
        assert!(rendered.contains(words), "{what}: message lacks `{words}`:\n{rendered}");
    }
}

#[test]
fn a_fault_needs_a_time_or_an_event_and_the_error_lists_what_its_node_records() {
    let path = common::repo_root().join("scenarios/idempotent-retries.toml");
    let original = std::fs::read_to_string(path).unwrap();
    let without_start =
        original.replacen("when = { node = \"ledger\", record = \"charge-applied\", nth = 900 }\n", "", 1);
    let error = parse(&without_start).map(|_| ()).unwrap_err().to_string();
    assert!(error.contains("faults[4].at_ms") && error.contains("does not say when it starts"), "{error}");
    assert!(error.contains("when = { node ="), "the error shows the other way to start: {error}");

    let wrong_record = original.replacen("record = \"charge-applied\"", "record = \"decision\"", 1);
    let error = parse(&wrong_record).map(|_| ()).unwrap_err().to_string();
    assert!(
        error.contains("one of the records a ledger makes: charge-applied, charge-replayed, start, msg-send"),
        "{error}"
    );
}

/// `lab shrink` lowers the workload fields the families declare (`NodeKindDef::load`): each must
/// be a number in that kind's table of some repository scenario, or the declaration is a typo.
#[test]
fn every_declared_workload_field_is_a_number_in_a_repository_scenario() {
    let dir = common::repo_root().join("scenarios");
    let files: Vec<toml::Table> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| std::fs::read_to_string(p).unwrap().parse().unwrap())
        .collect();
    let fields = lab::shrink::load_fields(lab::families::ALL);
    assert!(fields.len() >= 6, "{fields:?}");
    for (kind, field) in fields {
        let found = files.iter().any(|file| {
            let value = file.get("nodes").and_then(|n| n.get(kind)).and_then(|k| k.get(field));
            value.is_some_and(|v| v.is_integer() || v.is_float())
        });
        assert!(found, "`{field}` of [nodes.{kind}] is declared as workload but no scenario has it as a number");
    }
}

#[test]
fn a_pause_needs_an_end_and_names_nodes_not_links() {
    let pause = |body: &str| {
        common::small_with(
            "[[faults]]\nkind = \"partition\"\nat_ms = 1_000\nfor_ms = 1_000\nfrom = [\"gw-1\"]\nto = [\"limiter\"]\n",
            &format!("[[faults]]\nkind = \"pause\"\nat_ms = 1_000\n{body}"),
        )
    };
    let endless = parse(&pause("nodes = [\"gw-1\"]\n")).map(|_| ()).unwrap_err().to_string();
    assert!(endless.contains("faults[0].for_ms") && endless.contains("a pause needs an end"), "{endless}");
    let on_a_link = parse(&pause("for_ms = 500\nfrom = [\"gw-1\"]\nto = [\"limiter\"]\n")).map(|_| ()).unwrap_err();
    assert!(on_a_link.to_string().contains("`from` does not apply to a `pause` fault"), "{on_a_link}");
    assert!(parse(&pause("for_ms = 500\nnodes = [\"gw-1\"]\n")).is_ok());
}

#[test]
fn a_faults_variants_must_be_variants_of_the_file_each_once() {
    let partition =
        "[[faults]]\nkind = \"partition\"\nat_ms = 1_000\nfor_ms = 1_000\nfrom = [\"gw-1\"]\nto = [\"limiter\"]\n";
    let with = |variants: &str| {
        let crash = format!("[[faults]]\nkind = \"crash\"\nat_ms = 1_000\nnodes = [\"gw-1\"]\nvariants = {variants}\n");
        common::small_with(partition, &format!("{crash}{partition}"))
    };
    let unknown = parse(&with("[\"central\", \"centrl\"]")).map(|_| ()).unwrap_err().to_string();
    assert!(unknown.contains("faults[0].variants") && unknown.contains("no variant is named `centrl`"), "{unknown}");
    assert!(unknown.contains("central, sync, undivided") || unknown.contains("one of:"), "{unknown}");
    let empty = parse(&with("[]")).map(|_| ()).unwrap_err().to_string();
    assert!(empty.contains("no variant would meet this fault"), "{empty}");
    let twice = parse(&with("[\"sync\", \"sync\"]")).map(|_| ()).unwrap_err().to_string();
    assert!(twice.contains("`sync` is listed twice"), "{twice}");
    let scenario = parse(&with("[\"sync\"]")).unwrap_or_else(|d| panic!("{d}"));
    assert!(scenario.faults[0].applies_to("sync") && !scenario.faults[0].applies_to("central"));
    assert!(scenario.faults[1].applies_to("central"), "a fault without `variants` meets every variant");
}
