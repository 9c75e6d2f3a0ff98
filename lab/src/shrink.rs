//! `lab shrink`: from a run that fails a check, a smaller scenario that still fails it.
//!
//! Delta debugging over the parts of a scenario file that make a run big: the faults (dropped
//! in ever smaller groups, as Zeller's ddmin does), the run's length, each fault's start and
//! length, and the workload fields the families declare ([`crate::family::NodeKindDef::load`]).
//! Every candidate is a whole scenario file; whether it still fails is for the caller's judge
//! to say — `lab shrink` runs it as a normal seeded run in its own process — so the search here
//! is pure, and tested against plain predicates.
//!
//! Candidates are judged `jobs` at a time, and the first in a fixed order that still fails
//! wins, so the result depends only on the files and the seed, never on which process finished
//! first. The search ends when no candidate is smaller, or when the budget (runs, wall time) is
//! spent; either way the smallest failing file found so far is the result.

use crate::family::Family;
use std::collections::BTreeMap;
use std::time::Instant;
use toml_edit::{DocumentMut, Item, Value};

/// What the judge says of one candidate file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// The run still fails the check; the check's figure.
    StillFails(String),
    /// The run passes the check (or fails only others, or could not run).
    Passes,
    /// The file is not a valid scenario (a fault past the end of a shorter run, say): no run.
    Invalid,
}

/// When to stop searching, whatever is left to try.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Most candidate runs (invalid files are not runs).
    pub max_runs: usize,
    /// Wall-clock deadline; the shrink is a driver of runs, not a simulation, so the wall
    /// clock is fair here — it decides only how long to keep looking.
    pub deadline: Option<Instant>,
}

/// One accepted step: the file got smaller in this way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub what: String,
    /// The check's figure on the smaller file.
    pub figure: String,
}

/// How big a scenario file is, in the terms shrinking reduces.
#[derive(Debug, Clone, PartialEq)]
pub struct Size {
    pub faults: usize,
    /// Sum of the faults' `for_ms` (a fault without one counts until the run's end).
    pub fault_ms: u64,
    pub run_ms: u64,
    /// `kind.field` → value, for every declared workload field present in the file.
    pub load: BTreeMap<String, f64>,
}

/// The outcome of a search.
#[derive(Debug)]
pub struct Shrunk {
    pub doc: DocumentMut,
    /// The original numbers (1-based, in file order) of the faults that are left.
    pub faults_kept: Vec<usize>,
    pub steps: Vec<Step>,
    /// Candidate runs made (invalid files excluded).
    pub runs: usize,
    /// Whether the budget ended the search before it ran out of candidates.
    pub out_of_budget: bool,
}

/// A candidate file and what it changes.
struct Candidate {
    doc: DocumentMut,
    fault_ids: Vec<usize>,
    what: String,
}

/// The workload fields the registry declares, as (node kind, field) pairs.
pub fn load_fields(families: &[&Family]) -> Vec<(&'static str, &'static str)> {
    families.iter().flat_map(|f| f.node_kinds).flat_map(|k| k.load.iter().map(move |field| (k.name, *field))).collect()
}

/// Searches for a smaller file than `doc` that `judge` still finds failing. `doc` itself is
/// taken to fail (the caller has run it). `load` names the workload fields that may be lowered.
pub fn shrink(
    doc: DocumentMut,
    load: &[(&str, &str)],
    jobs: usize,
    budget: Budget,
    judge: impl Fn(&DocumentMut) -> Judgement + Sync,
    mut on_step: impl FnMut(&Step),
) -> Shrunk {
    let fault_ids = (1..=faults(&doc).map_or(0, |f| f.len())).collect();
    let mut search = Search {
        doc,
        fault_ids,
        steps: Vec::new(),
        runs: 0,
        out_of_budget: false,
        judged: BTreeMap::new(),
        jobs: jobs.max(1),
        budget,
        judge: &judge,
    };
    loop {
        let mut progress = false;
        progress |= search.drop_faults(&mut on_step);
        progress |= search.shorten_run(&mut on_step);
        for field in &FAULT_FIELDS {
            progress |= search.lower_fault_field(field, &mut on_step);
        }
        progress |= search.lower_load(load, &mut on_step);
        if !progress || search.out_of_budget {
            break;
        }
    }
    Shrunk {
        doc: search.doc,
        faults_kept: search.fault_ids,
        steps: search.steps,
        runs: search.runs,
        out_of_budget: search.out_of_budget,
    }
}

struct Search<'j, J> {
    doc: DocumentMut,
    fault_ids: Vec<usize>,
    steps: Vec<Step>,
    runs: usize,
    out_of_budget: bool,
    /// Every file judged so far, so no candidate runs twice.
    judged: BTreeMap<String, Judgement>,
    jobs: usize,
    budget: Budget,
    judge: &'j J,
}

impl<J: Fn(&DocumentMut) -> Judgement + Sync> Search<'_, J> {
    /// ddmin over the faults: drop them all, then halves, quarters, … down to single faults.
    fn drop_faults(&mut self, on_step: &mut impl FnMut(&Step)) -> bool {
        let mut progress = false;
        let mut groups = 1;
        while !self.fault_ids.is_empty() {
            let count = self.fault_ids.len();
            groups = groups.min(count);
            let candidates = chunks(count, groups)
                .into_iter()
                .map(|drop| {
                    let keep: Vec<usize> = (0..count).filter(|i| !drop.contains(i)).collect();
                    let dropped: Vec<String> = drop.iter().map(|&i| self.fault_ids[i].to_string()).collect();
                    let noun = if dropped.len() == 1 { "fault" } else { "faults" };
                    Candidate {
                        doc: with_faults(&self.doc, &keep),
                        fault_ids: keep.iter().map(|&i| self.fault_ids[i]).collect(),
                        what: format!("dropped {noun} {} ({} left)", dropped.join(", "), keep.len()),
                    }
                })
                .collect();
            if self.try_candidates(candidates, on_step) {
                progress = true;
                groups = groups.saturating_sub(1).max(1);
            } else if groups >= count {
                break;
            } else {
                groups = (groups * 2).min(count);
            }
        }
        progress
    }

    /// A shorter run: as short as the faults allow, else an eighth, a quarter, half.
    fn shorten_run(&mut self, on_step: &mut impl FnMut(&Step)) -> bool {
        self.lower_while_failing(on_step, |search| {
            let run_ms = int(at(&search.doc, &["run", "duration_ms"]))?;
            let floor = fault_list(&search.doc)
                .map(|f| int(f.get("at_ms")).unwrap_or(0) + int(f.get("for_ms")).unwrap_or(1))
                .max()
                .unwrap_or(1)
                .max(1);
            let candidate = |ms| {
                let mut doc = search.doc.clone();
                replace_value(&mut doc["run"]["duration_ms"], whole(ms));
                search.candidate(doc, format!("run {} instead of {}", millis(ms), millis(run_ms)))
            };
            Some(smaller_values(run_ms, floor).into_iter().map(candidate).collect())
        })
    }

    /// Lowers one whole-number field of each fault in turn, as far as the check still fails.
    fn lower_fault_field(&mut self, field: &FaultField, on_step: &mut impl FnMut(&Step)) -> bool {
        let mut progress = false;
        for index in 0..self.fault_ids.len() {
            progress |= self.lower_while_failing(on_step, |search| {
                let fault = fault_list(&search.doc).nth(index)?;
                let current = value_at(fault, field.path).and_then(Value::as_integer)?;
                let id = search.fault_ids[index];
                let candidate = |new| {
                    let mut doc = search.doc.clone();
                    set_fault_field(&mut doc, index, field.path, new);
                    search.candidate(doc, (field.describe)(id, new, current))
                };
                Some(smaller_values(current, field.floor).into_iter().map(candidate).collect())
            });
        }
        progress
    }

    /// Each declared workload field, lower: whole numbers stay whole, down to 1.
    fn lower_load(&mut self, load: &[(&str, &str)], on_step: &mut impl FnMut(&Step)) -> bool {
        let mut progress = false;
        for (kind, field) in load {
            progress |= self.lower_while_failing(on_step, |search| {
                let item = at(&search.doc, &["nodes", kind, field]);
                if let Some(current) = int(item) {
                    let candidate = |v| search.load_candidate(kind, field, whole(v), current.to_string());
                    return Some(smaller_values(current, 1).into_iter().map(candidate).collect());
                }
                let current = item.and_then(Item::as_float)?;
                let candidate = |v: f64| search.load_candidate(kind, field, Value::from(v), current.to_string());
                let values =
                    [current / 8.0, current / 4.0, current / 2.0].into_iter().map(|v| (v * 100.0).round() / 100.0);
                Some(values.filter(|v| *v > 0.0 && *v < current).map(candidate).collect())
            });
        }
        progress
    }

    /// Takes the smallest still-failing candidate `candidates` offers, again and again, until
    /// none fails or there is nothing to lower (`None`). Returns whether anything was lowered.
    fn lower_while_failing(
        &mut self,
        on_step: &mut impl FnMut(&Step),
        candidates: impl Fn(&Self) -> Option<Vec<Candidate>>,
    ) -> bool {
        let mut progress = false;
        while let Some(batch) = candidates(self) {
            if !self.try_candidates(batch, on_step) {
                break;
            }
            progress = true;
        }
        progress
    }

    fn load_candidate(&self, kind: &str, field: &str, value: Value, old: String) -> Candidate {
        let mut doc = self.doc.clone();
        let new = value.to_string();
        replace_value(&mut doc["nodes"][kind][field], value);
        self.candidate(doc, format!("nodes.{kind}.{field} = {} instead of {old}", new.trim()))
    }

    /// A candidate that keeps the current faults.
    fn candidate(&self, doc: DocumentMut, what: String) -> Candidate {
        Candidate { doc, fault_ids: self.fault_ids.clone(), what }
    }

    /// Judges `candidates` in order, `jobs` at a time; the first that still fails becomes the
    /// current file. Returns whether one did.
    fn try_candidates(&mut self, candidates: Vec<Candidate>, on_step: &mut impl FnMut(&Step)) -> bool {
        let mut fresh: Vec<Candidate> = Vec::new();
        for candidate in candidates {
            let text = candidate.doc.to_string();
            if !fresh.iter().any(|c| c.doc.to_string() == text) {
                fresh.push(candidate);
            }
        }
        for batch in fresh.chunks(self.jobs) {
            let unjudged: Vec<&Candidate> =
                batch.iter().filter(|c| !self.judged.contains_key(&c.doc.to_string())).collect();
            let runs_left = self.budget.max_runs.saturating_sub(self.runs);
            let past_deadline = self.budget.deadline.is_some_and(|d| Instant::now() >= d);
            if !unjudged.is_empty() && (runs_left == 0 || past_deadline) {
                self.out_of_budget = true;
                return false;
            }
            let unjudged = &unjudged[..unjudged.len().min(runs_left)];
            let judge = self.judge;
            let results = crate::sweep::in_parallel(
                unjudged.len() as u64,
                self.jobs,
                |i| judge(&unjudged[i as usize].doc),
                |_| {},
            );
            for (candidate, judgement) in unjudged.iter().zip(results) {
                self.runs += usize::from(judgement != Judgement::Invalid);
                self.judged.insert(candidate.doc.to_string(), judgement);
            }
            let winner = batch.iter().find_map(|c| match self.judged.get(&c.doc.to_string()) {
                Some(Judgement::StillFails(figure)) => Some((c, figure.clone())),
                _ => None,
            });
            if let Some((candidate, figure)) = winner {
                let step = Step { what: candidate.what.clone(), figure };
                on_step(&step);
                self.steps.push(step);
                self.doc = candidate.doc.clone();
                self.fault_ids = candidate.fault_ids.clone();
                return true;
            }
        }
        false
    }
}

/// The size of a scenario file, in the terms shrinking reduces.
pub fn size(doc: &DocumentMut, load: &[(&str, &str)]) -> Size {
    let run_ms = int(at(doc, &["run", "duration_ms"])).unwrap_or(0);
    let fault_ms = fault_list(doc)
        .map(|f| int(f.get("for_ms")).unwrap_or_else(|| run_ms - int(f.get("at_ms")).unwrap_or(0).min(run_ms)))
        .sum::<i64>();
    let load = load
        .iter()
        .filter_map(|(kind, field)| {
            let item = at(doc, &["nodes", kind, field]);
            let value = int(item).map(|v| v as f64).or_else(|| item.and_then(Item::as_float))?;
            Some((format!("{kind}.{field}"), value))
        })
        .collect();
    Size {
        faults: fault_list(doc).count(),
        fault_ms: u64::try_from(fault_ms).unwrap_or(0),
        run_ms: u64::try_from(run_ms).unwrap_or(0),
        load,
    }
}

fn faults(doc: &DocumentMut) -> Option<&toml_edit::ArrayOfTables> {
    doc.get("faults").and_then(Item::as_array_of_tables)
}

fn fault_list(doc: &DocumentMut) -> impl Iterator<Item = &toml_edit::Table> {
    faults(doc).into_iter().flat_map(|f| f.iter())
}

/// `doc` with only the faults at `keep` (indices into its fault list), in their order.
fn with_faults(doc: &DocumentMut, keep: &[usize]) -> DocumentMut {
    let mut doc = doc.clone();
    if let Some(faults) = doc.get_mut("faults").and_then(Item::as_array_of_tables_mut) {
        let mut index = 0;
        faults.retain(|_| {
            let kept = keep.contains(&index);
            index += 1;
            kept
        });
        if faults.is_empty() {
            doc.remove("faults");
        }
    }
    doc
}

/// A whole-number field of a fault that shrinking lowers.
struct FaultField {
    /// Where it is in the fault's table: `["for_ms"]`, or `["when", "nth"]` in an inline table.
    path: &'static [&'static str],
    floor: i64,
    /// How the step reads, given the fault's number and the new and old values.
    describe: fn(usize, i64, i64) -> String,
}

/// In the order they are lowered: an earlier start (by time or by record) lets the run end
/// sooner; a shorter fault is a smaller one.
const FAULT_FIELDS: [FaultField; 3] = [
    FaultField { path: &["at_ms"], floor: 0, describe: starts_earlier },
    FaultField { path: &["when", "nth"], floor: 1, describe: starts_on_an_earlier_record },
    FaultField { path: &["for_ms"], floor: 1, describe: lasts_less },
];

fn starts_earlier(id: usize, new: i64, old: i64) -> String {
    format!("fault {id} starts at {} instead of {}", millis(new), millis(old))
}

fn starts_on_an_earlier_record(id: usize, new: i64, old: i64) -> String {
    format!("fault {id} starts on record #{new} of its kind instead of #{old}")
}

fn lasts_less(id: usize, new: i64, old: i64) -> String {
    format!("fault {id} lasts {} instead of {}", millis(new), millis(old))
}

/// The value at `path` in a fault's table, through inline tables.
fn value_at<'t>(fault: &'t toml_edit::Table, path: &[&str]) -> Option<&'t Value> {
    let (first, rest) = path.split_first()?;
    rest.iter().try_fold(fault.get(first)?.as_value()?, |value, key| value.as_inline_table()?.get(key))
}

fn set_fault_field(doc: &mut DocumentMut, index: usize, path: &[&str], value: i64) {
    let Some(fault) = doc.get_mut("faults").and_then(Item::as_array_of_tables_mut).and_then(|f| f.get_mut(index))
    else {
        return;
    };
    let Some((first, rest)) = path.split_first() else { return };
    let found = fault
        .get_mut(first)
        .and_then(Item::as_value_mut)
        .and_then(|top| rest.iter().try_fold(top, |value, key| value.as_inline_table_mut()?.get_mut(key)));
    if let Some(old) = found {
        replace_in(old, whole(value));
    }
}

/// Puts `new` in the place of the value `item` holds, keeping its spacing and comment.
fn replace_value(item: &mut Item, new: Value) {
    if let Item::Value(old) = item {
        replace_in(old, new);
    }
}

fn replace_in(old: &mut Value, mut new: Value) {
    *new.decor_mut() = old.decor().clone();
    *old = new;
}

/// A whole number as the scenario files write them: `30_000`, not `30000`.
fn whole(value: i64) -> Value {
    let digits = value.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('_');
        }
        grouped.push(digit);
    }
    let sign = if value < 0 { "-" } else { "" };
    format!("{sign}{grouped}").parse().unwrap_or_else(|_| Value::from(value))
}

/// The item at a path of tables, if every step exists.
fn at<'d>(doc: &'d DocumentMut, path: &[&str]) -> Option<&'d Item> {
    let (first, rest) = path.split_first()?;
    rest.iter().try_fold(doc.get(first)?, |item, key| item.get(key))
}

fn int(item: Option<&Item>) -> Option<i64> {
    item.and_then(Item::as_integer)
}

/// Values below `current` and at least `floor` worth trying, smallest first: the floor, an
/// eighth, a quarter, a half. Long times are rounded to whole 100 ms so the file reads well.
fn smaller_values(current: i64, floor: i64) -> Vec<i64> {
    let round = |v: i64| if v >= 1_000 { v / 100 * 100 } else { v };
    let mut values: Vec<i64> = [floor, round(current / 8), round(current / 4), round(current / 2)]
        .into_iter()
        .filter(|v| *v >= floor && *v < current)
        .collect();
    values.sort_unstable();
    values.dedup();
    values
}

/// Indices `0..count` split into `groups` contiguous, nearly equal chunks.
fn chunks(count: usize, groups: usize) -> Vec<Vec<usize>> {
    let groups = groups.clamp(1, count.max(1));
    (0..groups)
        .map(|g| (g * count / groups..(g + 1) * count / groups).collect())
        .filter(|c: &Vec<usize>| !c.is_empty())
        .collect()
}

/// `1.500 s` for 1500, `250 ms` below a second.
fn millis(ms: i64) -> String {
    if ms >= 1_000 {
        format!("{}.{:03} s", ms / 1_000, ms % 1_000)
    } else {
        format!("{ms} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
name = "toy"
[run]
duration_ms = 60_000
seed = 1
[nodes.payer]
count = 4
payments_per_second = 10.0
# one
[[faults]]
id = 1
at_ms = 5_000
for_ms = 10_000
# two
[[faults]]
id = 2
at_ms = 20_000
for_ms = 8_000 # the one that matters
[[faults]]
id = 3
at_ms = 30_000
for_ms = 1_000
[[faults]]
id = 4
at_ms = 40_000
for_ms = 10_000
[[faults]]
id = 5
at_ms = 45_000
[[faults]]
id = 6
when = { node = "ledger", record = "charge-applied", nth = 900 }
for_ms = 500
"#;

    const LOAD: &[(&str, &str)] = &[("payer", "count"), ("payer", "payments_per_second")];

    fn doc() -> DocumentMut {
        FILE.parse().unwrap()
    }

    fn ids(doc: &DocumentMut) -> Vec<i64> {
        fault_list(doc).map(|f| int(f.get("id")).unwrap()).collect()
    }

    fn unlimited() -> Budget {
        Budget { max_runs: usize::MAX, deadline: None }
    }

    /// Fails while faults 2 and 4 are both in, fault 2 lasts at least 3 s, the run is at least
    /// 12 s long and there are at least 2 payers.
    fn toy_judge(doc: &DocumentMut) -> Judgement {
        let faults: Vec<&toml_edit::Table> = fault_list(doc).collect();
        let has = |id| faults.iter().any(|f| int(f.get("id")) == Some(id));
        let six_at = faults.iter().find(|f| int(f.get("id")) == Some(6)).and_then(|f| value_at(f, &["when", "nth"]));
        let six_at = six_at.and_then(Value::as_integer).unwrap_or(0);
        let two_lasts =
            faults.iter().find(|f| int(f.get("id")) == Some(2)).and_then(|f| int(f.get("for_ms"))).unwrap_or(0);
        let run = int(at(doc, &["run", "duration_ms"])).unwrap();
        let at_past_end =
            faults.iter().any(|f| int(f.get("at_ms")).unwrap_or(0) + int(f.get("for_ms")).unwrap_or(1) > run);
        if at_past_end {
            return Judgement::Invalid;
        }
        let payers = int(at(doc, &["nodes", "payer", "count"])).unwrap();
        let fails = has(2) && has(4) && has(6) && six_at >= 100 && two_lasts >= 3_000 && run >= 12_000 && payers >= 2;
        if fails {
            Judgement::StillFails(format!("{} faults", faults.len()))
        } else {
            Judgement::Passes
        }
    }

    #[test]
    fn keeps_exactly_the_faults_the_failure_needs_and_shrinks_every_knob_it_can() {
        let shrunk = shrink(doc(), LOAD, 2, unlimited(), toy_judge, |_| {});
        assert_eq!(ids(&shrunk.doc), [2, 4, 6]);
        assert_eq!(shrunk.faults_kept, [2, 4, 6]);
        assert_eq!(toy_judge(&shrunk.doc), Judgement::StillFails("3 faults".into()));
        let six = fault_list(&shrunk.doc).nth(2).unwrap();
        let nth = value_at(six, &["when", "nth"]).and_then(Value::as_integer).unwrap();
        assert!((100..200).contains(&nth), "an event-started fault starts on an earlier record: {six}");
        assert!(six.to_string().contains(r#"record = "charge-applied""#), "the rest of `when` stays: {six}");
        let size = size(&shrunk.doc, LOAD);
        assert!((12_000..24_000).contains(&size.run_ms), "run {} ms", size.run_ms);
        let two = fault_list(&shrunk.doc).next().unwrap();
        assert!((3_000..6_000).contains(&int(two.get("for_ms")).unwrap()), "{two}");
        assert_eq!(size.load["payer.count"], 2.0);
        // The rate does not matter to this failure: it goes as low as the candidates go.
        assert!(size.load["payer.payments_per_second"] < 1.0);
        assert!(!shrunk.out_of_budget);
        // The comment on a kept fault's field survives the edit of its value.
        assert!(shrunk.doc.to_string().contains("# the one that matters"), "{}", shrunk.doc);
    }

    #[test]
    fn the_result_does_not_depend_on_how_many_candidates_run_at_once() {
        let one = shrink(doc(), LOAD, 1, unlimited(), toy_judge, |_| {});
        let three = shrink(doc(), LOAD, 3, unlimited(), toy_judge, |_| {});
        assert_eq!(one.doc.to_string(), three.doc.to_string());
        assert_eq!(one.steps, three.steps);
    }

    #[test]
    fn a_spent_budget_ends_the_search_with_the_smallest_failing_file_so_far() {
        let mut seen = Vec::new();
        let shrunk =
            shrink(doc(), LOAD, 2, Budget { max_runs: 4, deadline: None }, toy_judge, |s| seen.push(s.what.clone()));
        assert!(shrunk.out_of_budget);
        assert!(shrunk.runs <= 4, "{} runs", shrunk.runs);
        assert!(matches!(toy_judge(&shrunk.doc), Judgement::StillFails(_)));
        assert_eq!(seen.len(), shrunk.steps.len());
    }

    #[test]
    fn a_failure_that_needs_nothing_loses_every_fault_in_one_step() {
        let always = |_: &DocumentMut| Judgement::StillFails("always".into());
        let shrunk = shrink(doc(), &[], 2, unlimited(), always, |_| {});
        assert_eq!(shrunk.steps[0].what, "dropped faults 1, 2, 3, 4, 5, 6 (0 left)");
        assert!(shrunk.doc.get("faults").is_none());
        assert_eq!(size(&shrunk.doc, &[]).run_ms, 1);
    }

    #[test]
    fn a_file_no_candidate_improves_on_comes_back_unchanged() {
        let never = |_: &DocumentMut| Judgement::Passes;
        let shrunk = shrink(doc(), LOAD, 2, unlimited(), never, |_| {});
        assert!(shrunk.steps.is_empty());
        assert_eq!(shrunk.doc.to_string(), doc().to_string());
    }

    #[test]
    fn sizes_count_open_ended_faults_to_the_end_of_the_run() {
        let size = size(&doc(), LOAD);
        assert_eq!(size.faults, 6);
        assert_eq!(size.fault_ms, 10_000 + 8_000 + 1_000 + 10_000 + 15_000 + 500);
        assert_eq!(size.run_ms, 60_000);
    }

    #[test]
    fn candidate_values_are_below_the_current_one_and_never_below_the_floor() {
        assert_eq!(smaller_values(60_000, 1), [1, 7_500, 15_000, 30_000]);
        assert_eq!(smaller_values(10, 4), [4, 5]);
        assert!(smaller_values(1, 1).is_empty());
        assert_eq!(chunks(5, 2), [vec![0, 1], vec![2, 3, 4]]);
        assert_eq!(chunks(2, 8), [vec![0], vec![1]]);
        assert_eq!(whole(30_000).to_string(), "30_000");
        assert_eq!(whole(1_500).to_string(), "1_500");
        assert_eq!(whole(150).to_string(), "150");
        assert_eq!(whole(1_234_567).to_string(), "1_234_567");
    }
}
