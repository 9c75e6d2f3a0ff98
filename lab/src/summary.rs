//! A sweep's result as a file: what ran (scenario, variant, engine, seeds, which share of
//! them), how many passed, and every run that did not — enough to merge the shares of one
//! sweep run on many machines (`lab sweep … --partition K/N`, then `lab sweep-merge`) into
//! the summary a single machine would have printed.
//!
//! Partitions follow cargo-nextest's `count:K/N`: seed `first + i` belongs to share
//! `i mod N + 1`, so every share gets the same number of seeds (±1) from across the range.

use crate::sweep::SeedOutcome;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// The K-th of N shares of a sweep's seeds (1 ≤ K ≤ N).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partition {
    pub k: u64,
    pub n: u64,
}

/// Most shares a sweep may be split into: far beyond any fleet of runners, small enough that
/// a typo (`--partition 1/10000000000`) is caught.
pub const MAX_SHARES: u64 = 100_000;

impl Partition {
    /// Parses `K/N` or nextest's `count:K/N`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let expected = "expected K/N (or count:K/N) with 1 <= K <= N, e.g. 2/4";
        let bare = text.strip_prefix("count:").unwrap_or(text);
        let (k, n) = bare.split_once('/').ok_or_else(|| format!("`{text}`: {expected}"))?;
        let number = |part: &str| {
            part.trim().parse::<u64>().map_err(|_| format!("`{text}`: `{part}` is not a whole number; {expected}"))
        };
        let (k, n) = (number(k)?, number(n)?);
        if n == 0 || k == 0 || k > n {
            return Err(format!("`{text}`: {expected}"));
        }
        if n > MAX_SHARES {
            return Err(format!("`{text}`: at most {MAX_SHARES} shares"));
        }
        Ok(Self { k, n })
    }

    /// How many of `count` seeds fall in this share.
    pub fn seeds_in_share(&self, count: u64) -> u64 {
        let offset = self.k - 1;
        if count <= offset {
            0
        } else {
            (count - offset).div_ceil(self.n)
        }
    }

    /// The `index`-th seed of this share of the seeds `first..first + count`.
    pub fn seed(&self, first: u64, index: u64) -> u64 {
        first + (self.k - 1) + index * self.n
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// Tags the file format, so that a merge refuses anything else with a clear error.
pub const FORMAT: &str = "lab-sweep-summary/1";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepSummary {
    pub format: String,
    /// The scenario as the user named it (a name or a path), for the replay command.
    pub scenario_arg: String,
    pub scenario: String,
    /// SHA-256 of the scenario file: shares run from different files must not be merged.
    pub scenario_sha256: String,
    pub variant: String,
    /// Whether `variant` is the file's default (the replay command then leaves it out).
    pub default_variant: bool,
    pub engine: String,
    pub first_seed: u64,
    pub count: u64,
    /// Which share of the seeds this summary covers; `None` for all of them.
    pub partition: Option<Partition>,
    pub seeds_run: u64,
    /// Every run that did not pass, in seed order.
    pub not_passed: Vec<SeedOutcome>,
}

/// What a sweep ran, for its summary.
pub struct SweepOf<'a> {
    pub scenario_arg: &'a str,
    pub scenario: &'a crate::scenario::Scenario,
    pub variant: &'a crate::scenario::Variant,
    pub engine: crate::engine::Engine,
    pub first_seed: u64,
    pub count: u64,
    pub partition: Option<Partition>,
}

impl SweepSummary {
    pub fn new(of: &SweepOf<'_>, outcomes: &[SeedOutcome]) -> std::io::Result<Self> {
        let bytes = std::fs::read(&of.scenario.path)?;
        Ok(Self {
            format: FORMAT.into(),
            scenario_arg: of.scenario_arg.into(),
            scenario: of.scenario.name.clone(),
            scenario_sha256: format!("{:x}", Sha256::digest(bytes)),
            variant: of.variant.name.clone(),
            default_variant: of.variant.name == of.scenario.default_variant,
            engine: of.engine.name().into(),
            first_seed: of.first_seed,
            count: of.count,
            partition: of.partition,
            seeds_run: outcomes.len() as u64,
            not_passed: outcomes.iter().filter(|o| !o.passed()).cloned().collect(),
        })
    }

    pub fn passed(&self) -> bool {
        self.not_passed.is_empty()
    }

    /// Reads a summary file; an error names the file and what was expected.
    pub fn read(path: &Path) -> Result<Self, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read it: {e}", path.display()))?;
        let summary: Self = serde_json::from_slice(&bytes).map_err(|e| {
            format!("{}: not a sweep summary ({e}); expected the JSON file `lab sweep` writes", path.display())
        })?;
        if summary.format != FORMAT {
            return Err(format!("{}: format `{}`, expected `{FORMAT}`", path.display(), summary.format));
        }
        summary.check().map_err(|what| format!("{}: {what}", path.display()))?;
        Ok(summary)
    }

    /// What a summary read from a file must satisfy before anything computes with it: a file
    /// may have been edited or corrupted.
    fn check(&self) -> Result<(), String> {
        if self.count == 0 || self.first_seed.checked_add(self.count - 1).is_none() {
            return Err(format!(
                "seeds {}.. ({} of them): expected at least one seed, the last at most {}",
                self.first_seed,
                self.count,
                u64::MAX
            ));
        }
        if let Some(Partition { k, n }) = self.partition {
            if n == 0 || k == 0 || k > n || n > MAX_SHARES {
                return Err(format!("partition {k}/{n}: expected K/N with 1 <= K <= N <= {MAX_SHARES}"));
            }
        }
        let most = self.partition.map_or(self.count, |p| p.seeds_in_share(self.count));
        if self.seeds_run > most || (self.not_passed.len() as u64) > self.seeds_run {
            return Err(format!(
                "{} seeds run, {} not passed: expected at most {most} run, and no more failures than runs",
                self.seeds_run,
                self.not_passed.len()
            ));
        }
        Ok(())
    }

    /// The command that replays `seed`, as a user types it.
    pub fn replay_command(&self, seed: u64) -> String {
        let variant = (!self.default_variant).then_some(self.variant.as_str());
        crate::runner::replay_line(&self.scenario_arg, seed, variant, &self.engine)
    }
}

/// Combines the N shares of one sweep into the summary of the whole sweep. Every share must
/// come from the same scenario file, variant, engine and seed range, and each of 1..N must be
/// there exactly once.
pub fn merge(parts: &[(String, SweepSummary)]) -> Result<SweepSummary, String> {
    let Some((first_name, first)) = parts.first() else {
        return Err("nothing to merge: give the summary files of every share".into());
    };
    let Some(Partition { n, .. }) = first.partition else {
        return Err(format!("{first_name}: a whole sweep, not a share (written without --partition)"));
    };
    let mut shares: BTreeMap<u64, &str> = BTreeMap::new();
    for (name, part) in parts {
        let same = |what: &str, a: &dyn fmt::Debug, b: &dyn fmt::Debug| -> Result<(), String> {
            match format!("{a:?}") == format!("{b:?}") {
                true => Ok(()),
                false => Err(format!("{name}: {what} is {a:?}, but {first_name} has {b:?}: not shares of one sweep")),
            }
        };
        same("the scenario file", &part.scenario_sha256, &first.scenario_sha256)?;
        same("the scenario", &part.scenario, &first.scenario)?;
        same("the variant", &part.variant, &first.variant)?;
        same("the engine", &part.engine, &first.engine)?;
        same("the first seed", &part.first_seed, &first.first_seed)?;
        same("the seed count", &part.count, &first.count)?;
        let Some(partition) = part.partition else {
            return Err(format!("{name}: a whole sweep, not a share (written without --partition)"));
        };
        same("the number of shares", &partition.n, &n)?;
        let expected = partition.seeds_in_share(part.count);
        if part.seeds_run != expected {
            return Err(format!(
                "{name}: share {partition} ran {} seeds, expected {expected}: incomplete",
                part.seeds_run
            ));
        }
        if let Some(other) = shares.insert(partition.k, name) {
            return Err(format!("share {partition} is given twice: {other} and {name}"));
        }
    }
    let missing: Vec<String> = (1..=n).filter(|k| !shares.contains_key(k)).map(|k| format!("{k}/{n}")).collect();
    if !missing.is_empty() {
        return Err(format!("missing shares: {} (of {n})", missing.join(", ")));
    }
    let mut not_passed: Vec<SeedOutcome> = parts.iter().flat_map(|(_, p)| p.not_passed.iter().cloned()).collect();
    not_passed.sort_by_key(|o| o.seed);
    Ok(SweepSummary {
        partition: None,
        seeds_run: parts.iter().map(|(_, p)| p.seeds_run).sum(),
        not_passed,
        ..first.clone()
    })
}

impl fmt::Display for SweepSummary {
    /// The summary as `lab sweep` prints it: counts, failures by check, the failing seeds and
    /// the first failure with its replay command.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed = self.not_passed.len() as u64;
        writeln!(f, "{} passed, {failed} failed", self.seeds_run - failed)?;
        let mut by_check: BTreeMap<(&str, &str), u64> = BTreeMap::new();
        for outcome in &self.not_passed {
            for (check, _) in &outcome.failures {
                *by_check.entry((check, "failed")).or_default() += 1;
            }
            for (check, _) in &outcome.inconclusive {
                *by_check.entry((check, "had nothing to judge")).or_default() += 1;
            }
            if outcome.error.is_some() {
                *by_check.entry(("(the simulation)", "panicked")).or_default() += 1;
            }
        }
        for ((check, how), n) in &by_check {
            writeln!(f, "  {check}: {how} in {n} seeds")?;
        }
        let Some(first) = self.not_passed.first() else {
            return Ok(());
        };
        const SHOWN: usize = 20;
        let seeds: Vec<String> = self.not_passed.iter().take(SHOWN).map(|o| o.seed.to_string()).collect();
        let more = match self.not_passed.len() > SHOWN {
            true => format!(" and {} more", self.not_passed.len() - SHOWN),
            false => String::new(),
        };
        writeln!(f, "failing seeds: {}{more}", seeds.join(", "))?;
        writeln!(f, "\nfirst failure: seed {}", first.seed)?;
        for (check, figure) in first.failures.iter().chain(&first.inconclusive) {
            writeln!(f, "  {check}: {figure}")?;
        }
        if let Some(error) = &first.error {
            writeln!(f, "  {error}")?;
        }
        write!(f, "replay:  {}", self.replay_command(first.seed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_parse_as_nextest_writes_them_and_reject_the_rest() {
        assert_eq!(Partition::parse("2/4"), Ok(Partition { k: 2, n: 4 }));
        assert_eq!(Partition::parse("count:1/3"), Ok(Partition { k: 1, n: 3 }));
        for bad in ["0/4", "5/4", "1/0", "2", "a/4", "1/-2", "", "hash:1/2", "1/1000000"] {
            let error = Partition::parse(bad).unwrap_err();
            assert!(error.contains(&format!("`{bad}`")), "{error}");
        }
    }

    #[test]
    fn the_shares_cover_every_seed_exactly_once() {
        for count in [1, 2, 7, 100, 101] {
            for n in [1, 2, 3, 7, 200] {
                let mut seen: Vec<u64> = (1..=n)
                    .flat_map(|k| {
                        let p = Partition { k, n };
                        (0..p.seeds_in_share(count)).map(move |i| p.seed(1_000, i))
                    })
                    .collect();
                seen.sort_unstable();
                assert_eq!(seen, (1_000..1_000 + count).collect::<Vec<_>>(), "{count} seeds in {n} shares");
            }
        }
    }

    fn share(k: u64, n: u64, failing: &[u64]) -> (String, SweepSummary) {
        let partition = Partition { k, n };
        let summary = SweepSummary {
            format: FORMAT.into(),
            scenario_arg: "rate-limiter".into(),
            scenario: "rate-limiter".into(),
            scenario_sha256: "ab".into(),
            variant: "sync".into(),
            default_variant: true,
            engine: "madsim".into(),
            first_seed: 1,
            count: 10,
            partition: Some(partition),
            seeds_run: partition.seeds_in_share(10),
            not_passed: failing
                .iter()
                .map(|&seed| SeedOutcome {
                    seed,
                    failures: vec![("limit-conformance".into(), "over".into())],
                    inconclusive: vec![],
                    error: None,
                    simulated_ms: 60_000,
                })
                .collect(),
        };
        (format!("part-{k}.json"), summary)
    }

    #[test]
    fn merging_every_share_gives_the_whole_sweep_with_the_first_failure_first() {
        let merged = merge(&[share(2, 3, &[8]), share(1, 3, &[7]), share(3, 3, &[])]).unwrap();
        assert_eq!(merged.seeds_run, 10);
        assert_eq!(merged.partition, None);
        assert_eq!(merged.not_passed.iter().map(|o| o.seed).collect::<Vec<_>>(), [7, 8]);
        let text = merged.to_string();
        assert!(text.starts_with("8 passed, 2 failed"), "{text}");
        assert!(text.contains("replay:  just replay rate-limiter 7 --engine madsim"), "{text}");
    }

    #[test]
    fn a_missing_doubled_or_foreign_share_is_refused_by_name() {
        let missing = merge(&[share(1, 3, &[]), share(3, 3, &[])]).unwrap_err();
        assert!(missing.contains("missing shares: 2/3"), "{missing}");
        let doubled = merge(&[share(1, 2, &[]), share(1, 2, &[]), share(2, 2, &[])]).unwrap_err();
        assert!(doubled.contains("share 1/2 is given twice"), "{doubled}");
        let mut foreign = share(2, 2, &[]);
        foreign.1.variant = "local".into();
        let error = merge(&[share(1, 2, &[]), foreign]).unwrap_err();
        assert!(error.contains("part-2.json: the variant"), "{error}");
        let mut short = share(2, 2, &[]);
        short.1.seeds_run -= 1;
        assert!(merge(&[share(1, 2, &[]), short]).unwrap_err().contains("incomplete"));
        assert!(merge(&[]).is_err());
    }

    #[test]
    fn a_summary_file_that_does_not_add_up_is_refused_before_any_arithmetic() {
        let dir = std::env::temp_dir().join(format!("lab-summary-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
            let mut json = serde_json::to_value(share(1, 2, &[3]).1).unwrap();
            edit(&mut json);
            let path = dir.join(name);
            std::fs::write(&path, json.to_string()).unwrap();
            path
        };
        assert!(SweepSummary::read(&write("ok.json", &|_| {})).is_ok());
        let refused = |name: &str, edit: &dyn Fn(&mut serde_json::Value), words: &str| {
            let error = SweepSummary::read(&write(name, edit)).unwrap_err();
            assert!(error.starts_with(&dir.join(name).display().to_string()), "{error}");
            assert!(error.contains(words), "{name}: {error}");
        };
        refused("zero-shares.json", &|j| j["partition"]["n"] = 0.into(), "partition 1/0");
        refused("k-past-n.json", &|j| j["partition"]["k"] = 3.into(), "partition 3/2");
        refused("no-seeds.json", &|j| j["count"] = 0.into(), "expected at least one seed");
        refused("past-max.json", &|j| j["first_seed"] = u64::MAX.into(), "the last at most");
        refused("too-many-runs.json", &|j| j["seeds_run"] = 9.into(), "9 seeds run");
        refused("wrong-format.json", &|j| j["format"] = "lab-sweep-summary/9".into(), "expected `lab-sweep-summary/1`");
        refused("wrong-type.json", &|j| j["count"] = "ten".into(), "not a sweep summary");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
