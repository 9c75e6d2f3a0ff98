//! Does a "Run it" command name something that exists? The chapters point readers at
//! `just lesson X`, `just scenario S [seed] [--variant V]`, `just break T` (and `replay`,
//! `sweep`); [`Repo::check`] answers from the files in the repository, the way the `lab` CLI
//! and `scripts/break-it.sh` find them:
//! - a lesson is a scenario (`scenarios/X.toml`) or a fundamentals module whose `//!` doc opens
//!   with a `# ` title, named by its path (`ds::lru_cache`) or, when unambiguous, its last
//!   segment (`lru_cache`);
//! - a scenario is `scenarios/S.toml`, and a variant a `[variants.V]` table in it;
//! - a break-it is `fundamentals/breaks/T.patch`, a scenario with patches
//!   (`scenarios/breaks/S/`), or one of them (`scenarios/breaks/S/N.patch`, named `S/N`);
//! - any other `just` command must be a recipe of the justfile.

use std::path::{Path, PathBuf};

/// The repository the commands run in.
#[derive(Debug, Clone)]
pub struct Repo {
    root: PathBuf,
}

impl Repo {
    /// The repository whose root is `root` (the directory holding `justfile`).
    pub fn at(root: &Path) -> Repo {
        Repo { root: root.to_owned() }
    }

    /// `Ok` if `command` runs something that exists, else what is wrong with it.
    pub fn check(&self, command: &str) -> Result<(), String> {
        let words: Vec<&str> = command.split_whitespace().collect();
        match words[..] {
            ["just", "lesson", topic] => self.lesson(topic),
            ["just", "lesson", ..] => Err("`just lesson` takes one topic".to_owned()),
            ["just", "break", topic] => self.break_it(topic),
            ["just", "break", ..] => Err("`just break` takes one topic".to_owned()),
            ["just", "scenario" | "replay" | "sweep"] => Err("names no scenario".to_owned()),
            ["just", "scenario", name, ref rest @ ..] => self.scenario_run(name, rest, false),
            ["just", "replay" | "sweep", name, ref rest @ ..] => self.scenario_run(name, rest, true),
            ["just", recipe, ..] => self.recipe(recipe),
            _ => Err("not a `just` command".to_owned()),
        }
    }

    fn recipe(&self, recipe: &str) -> Result<(), String> {
        let justfile = std::fs::read_to_string(self.root.join("justfile")).map_err(|e| format!("justfile: {e}"))?;
        let defined = justfile.lines().any(|line| {
            let head = line.split(':').next().unwrap_or("");
            let starts_a_recipe = line.starts_with(|c: char| c.is_ascii_lowercase()) && !line.contains(":=");
            starts_a_recipe && head.split_whitespace().next() == Some(recipe)
        });
        if defined {
            Ok(())
        } else {
            Err(format!("the justfile has no recipe `{recipe}`"))
        }
    }

    /// `just scenario S [seed] [--variant V]`; `replay` and `sweep` take one number first.
    fn scenario_run(&self, name: &str, rest: &[&str], number_required: bool) -> Result<(), String> {
        let toml = self.scenario_file(name)?;
        let mut rest = rest;
        match rest {
            [number, tail @ ..] if number.bytes().all(|b| b.is_ascii_digit()) => rest = tail,
            _ if number_required => return Err("a seed or a count must follow the scenario".to_owned()),
            _ => {}
        }
        match rest {
            [] => Ok(()),
            ["--variant", variant] => {
                let text = std::fs::read_to_string(&toml).map_err(|e| format!("{}: {e}", toml.display()))?;
                let header = format!("[variants.{variant}]");
                let quoted = format!("[variants.\"{variant}\"]");
                if text.lines().map(str::trim).any(|l| l == header || l == quoted) {
                    Ok(())
                } else {
                    Err(format!("scenario `{name}` has no variant `{variant}`"))
                }
            }
            _ => Err(format!("unexpected arguments `{}` (expected at most `--variant NAME`)", rest.join(" "))),
        }
    }

    fn scenario_file(&self, name: &str) -> Result<PathBuf, String> {
        let file = self.root.join("scenarios").join(format!("{name}.toml"));
        if file.is_file() {
            Ok(file)
        } else {
            Err(format!("no scenario `{name}` (scenarios/{name}.toml)"))
        }
    }

    fn lesson(&self, topic: &str) -> Result<(), String> {
        if self.scenario_file(topic).is_ok() {
            return Ok(());
        }
        let topics = self.module_lessons();
        if topics.iter().any(|t| t == topic) {
            return Ok(());
        }
        let by_last_segment: Vec<&String> = topics.iter().filter(|t| t.rsplit("::").next() == Some(topic)).collect();
        match by_last_segment[..] {
            [_] => Ok(()),
            [] => Err(format!("no lesson or scenario `{topic}`")),
            _ => Err(format!(
                "`{topic}` is ambiguous: {}",
                by_last_segment.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")
            )),
        }
    }

    /// Every fundamentals module that is a lesson, by module path (`ds::lru_cache`).
    pub fn module_lessons(&self) -> Vec<String> {
        let src = self.root.join("fundamentals/src");
        let mut files = Vec::new();
        collect_rs_files(&src, &mut files);
        let mut topics: Vec<String> = files
            .into_iter()
            .filter(|file| std::fs::read_to_string(file).is_ok_and(|text| text.starts_with("//! # ")))
            .filter_map(|file| module_path(&src, &file))
            .collect();
        topics.sort();
        topics
    }

    fn break_it(&self, topic: &str) -> Result<(), String> {
        let lesson_patch = self.root.join("fundamentals/breaks").join(format!("{topic}.patch"));
        let scenario_breaks = self.root.join("scenarios/breaks");
        let exists = match topic.split_once('/') {
            None => lesson_patch.is_file() || scenario_breaks.join(topic).is_dir(),
            Some((scenario, name)) => scenario_breaks.join(scenario).join(format!("{name}.patch")).is_file(),
        };
        if exists {
            Ok(())
        } else {
            Err(format!("no break-it patch `{topic}` (fundamentals/breaks/ or scenarios/breaks/)"))
        }
    }
}

fn collect_rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.is_dir() {
            collect_rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `ds/lru_cache.rs` → `ds::lru_cache`; `ratelimit/mod.rs` → `ratelimit`; `lib.rs` → `fundamentals`.
fn module_path(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?.with_extension("");
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    Some(if parts.is_empty() { "fundamentals".to_owned() } else { parts.join("::") })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> Repo {
        Repo::at(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
    }

    #[test]
    fn existing_lessons_scenarios_and_breaks_pass() {
        let repo = repo();
        for command in [
            "just lesson lru_cache",
            "just lesson ds::lru_cache",
            "just lesson ratelimit",
            "just lesson rate-limiter",
            "just scenario rate-limiter",
            "just scenario rate-limiter 7 --variant full-limit-per-gateway",
            "just replay rate-limiter 7",
            "just sweep rate-limiter 500 --variant local",
            "just break token_bucket",
            "just break rate-limiter",
            "just break rate-limiter/ignore-peers",
            "just topics",
        ] {
            assert_eq!(repo.check(command), Ok(()), "{command}");
        }
    }

    #[test]
    fn misspelled_missing_or_ambiguous_names_are_reported() {
        let repo = repo();
        let error = |command: &str| repo.check(command).expect_err(command);
        assert!(error("just lesson lru_cach").contains("no lesson"));
        assert!(error("just lesson sliding_window").contains("ambiguous"));
        assert!(error("just scenario rate-limitr").contains("no scenario"));
        assert!(error("just scenario rate-limiter --variant nope").contains("no variant `nope`"));
        assert!(error("just scenario rate-limiter --varient local").contains("unexpected arguments"));
        assert!(error("just replay rate-limiter").contains("seed or a count"));
        assert!(error("just break token_buckets").contains("no break-it patch"));
        assert!(error("just break rate-limiter/nope").contains("no break-it patch"));
        assert!(error("just frobnicate").contains("no recipe"));
        assert!(error("just scenario").contains("names no scenario"), "a recipe name alone runs nothing");
    }

    #[test]
    fn module_paths_follow_the_module_tree() {
        let src = Path::new("/x/src");
        assert_eq!(module_path(src, Path::new("/x/src/ds/lru_cache.rs")).as_deref(), Some("ds::lru_cache"));
        assert_eq!(module_path(src, Path::new("/x/src/ratelimit/mod.rs")).as_deref(), Some("ratelimit"));
        assert_eq!(module_path(src, Path::new("/x/src/lib.rs")).as_deref(), Some("fundamentals"));
    }
}
