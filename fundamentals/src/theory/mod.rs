//! # Theory chapters, held to the code
//!
//! The handbook's theory half is a set of markdown chapters in `fundamentals/theory/`
//! (system design, databases, networking, operating systems, API design, messaging,
//! observability, deployment, security; `fundamentals/theory/README.md` lists them). This
//! module keeps them honest: the prose of a chapter may drift, but its numbers and its
//! pointers into the repository may not.
//!
//! - **Computed numbers.** Every figure of a worked design (QPS, storage per year, bandwidth,
//!   cache size, shard count) and every number-heavy example is derived by a small function
//!   from stated assumptions: [`capacity`] for the system designs (with [`news_feed`],
//!   [`chat`], [`ride_sharing`], [`web_crawler`] and [`file_storage`] beside it), and one module of numbers
//!   per other chapter ([`database_numbers`], [`network_numbers`], [`os_numbers`],
//!   [`api_numbers`], [`messaging_numbers`], [`observability_numbers`] — the SLO, error-budget
//!   and burn-rate arithmetic —, [`deployment_numbers`], [`security_numbers`]). [`figures`]
//!   lists them all by id, formatted the way the chapters write them. A chapter quotes a figure with a marker on the same line,
//!   `<!-- computed: url_shortener.writes_per_second = 116 -->` (or `assumed:` for an input),
//!   and the tests below fail when a marker's value, the number shown on its line and the
//!   computation disagree, or when a figure is quoted nowhere.
//! - **Run it.** Chapters point at lessons, scenarios and break-it exercises as commands
//!   (`just lesson lru_cache`, `just scenario rate-limiter --variant local`,
//!   `just break token_bucket`); [`run_it::Repo::check`] proves each names something that
//!   exists.
//! - **Interview questions.** Each chapter ends with at least [`MIN_QUESTIONS`] questions, each
//!   a `### Q:` heading followed by its model answer; [`chapter::Chapter::questions`] reads
//!   them (for the tests here, and for a quiz).
//!
//! `just lesson capacity` prints the estimation lesson; the chapters themselves are plain
//! markdown, readable in a terminal or on a code host.

pub mod api_numbers;
pub mod capacity;
pub mod chapter;
pub mod chat;
pub mod database_numbers;
pub mod deployment_numbers;
pub mod figures;
pub mod file_storage;
pub mod messaging_numbers;
pub mod network_numbers;
pub mod news_feed;
pub mod observability_numbers;
pub mod os_numbers;
pub mod ride_sharing;
pub mod run_it;
pub mod security_numbers;
pub mod web_crawler;

use std::path::{Path, PathBuf};

/// The fewest interview questions a chapter may have.
pub const MIN_QUESTIONS: usize = 10;

/// The chapter files of `theory_dir`: every `*.md` except `README.md`, sorted by name.
pub fn chapter_files(theory_dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(theory_dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md") && p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::chapter::{shows_number, Chapter};
    use super::figures::{self, Figure, FigureKind};
    use super::run_it::Repo;
    use super::*;
    use std::collections::BTreeSet;

    fn fundamentals_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn chapters() -> Vec<Chapter> {
        let files = chapter_files(&fundamentals_dir().join("theory")).expect("fundamentals/theory/ is readable");
        let chapters: Vec<Chapter> =
            files.iter().map(|f| Chapter::load(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()))).collect();
        let names: Vec<String> = chapters.iter().map(Chapter::name).collect();
        for expected in [
            "system-design.md",
            "databases.md",
            "networking.md",
            "operating-systems.md",
            "api-design.md",
            "messaging.md",
            "observability.md",
            "deployment.md",
            "security.md",
        ] {
            assert!(names.iter().any(|n| n == expected), "chapter {expected} is missing (found {names:?})");
        }
        chapters
    }

    /// Fails with every problem found, one per line, each naming its chapter and line.
    fn assert_no_problems(what: &str, problems: &[String]) {
        assert!(problems.is_empty(), "{what}:\n{}", problems.join("\n"));
    }

    /// What is wrong with one marker of `chapter`, if anything.
    fn marker_problem(chapter: &Chapter, marker: &chapter::Marker, figure: Option<&Figure>) -> Option<String> {
        let place = format!("{}:{}", chapter.name(), marker.line);
        let Some(figure) = figure else {
            return Some(format!("{place}: no figure `{}` in theory::figures", marker.id));
        };
        if figure.kind != marker.kind {
            let (want, got) = (figure.kind.keyword(), marker.kind.keyword());
            return Some(format!("{place}: `{}` is {want}, marked `{got}:`", marker.id));
        }
        if figure.value != marker.value {
            return Some(format!(
                "{place}: `{}` is {} by the code, but the text says {}",
                marker.id, figure.value, marker.value
            ));
        }
        if !shows_number(&marker.visible, &marker.value) {
            return Some(format!("{place}: the line's text never shows `{}` ({})", marker.value, marker.id));
        }
        None
    }

    #[test]
    fn every_quoted_figure_matches_its_computation() {
        let all = figures::all();
        let mut problems = Vec::new();
        let mut quoted = 0;
        for chapter in chapters() {
            for marker in chapter.markers() {
                match marker {
                    Err(error) => problems.push(format!("{}: {error}", chapter.name())),
                    Ok(marker) => {
                        quoted += 1;
                        let figure = all.iter().find(|f| f.id == marker.id);
                        problems.extend(marker_problem(&chapter, &marker, figure));
                    }
                }
            }
        }
        assert_no_problems("chapter text and computation disagree", &problems);
        assert!(quoted >= all.len(), "only {quoted} figures quoted");
    }

    #[test]
    fn every_figure_is_quoted_by_some_chapter() {
        let quoted: BTreeSet<String> =
            chapters().iter().flat_map(Chapter::markers).filter_map(Result::ok).map(|m| m.id).collect();
        let unquoted: Vec<String> =
            figures::all().into_iter().filter(|f| !quoted.contains(f.id)).map(|f| f.id.to_owned()).collect();
        assert_no_problems("figures no chapter quotes (a stale text, or a figure to delete)", &unquoted);
    }

    #[test]
    fn the_worked_designs_quote_their_estimates() {
        let design = chapters().into_iter().find(|c| c.name() == "system-design.md").expect("the chapter exists");
        let groups: BTreeSet<String> = design
            .markers()
            .into_iter()
            .filter_map(Result::ok)
            .filter_map(|m| m.id.split_once('.').map(|(group, _)| group.to_owned()))
            .collect();
        for design in
            ["url_shortener", "rate_limiter", "news_feed", "chat", "ride_sharing", "web_crawler", "file_storage"]
        {
            assert!(groups.contains(design), "system-design.md quotes no `{design}.*` figure: {groups:?}");
        }
    }

    #[test]
    fn every_chapter_quotes_figures_its_code_computes() {
        let mut problems = Vec::new();
        for chapter in chapters() {
            let computed =
                chapter.markers().into_iter().filter_map(Result::ok).filter(|m| m.kind == FigureKind::Computed).count();
            if computed == 0 {
                problems.push(format!("{}: no computed figure at all", chapter.name()));
            }
        }
        assert_no_problems("chapters whose numbers are all typed by hand", &problems);
    }

    #[test]
    fn the_observability_chapter_quotes_its_error_budget_and_burn_rates() {
        let chapter = chapters().into_iter().find(|c| c.name() == "observability.md").expect("the chapter exists");
        let ids: BTreeSet<String> = chapter.markers().into_iter().filter_map(Result::ok).map(|m| m.id).collect();
        for id in ["slo.downtime_30d_999_minutes", "budget.failed_requests_allowed", "burn.page_fast_rate"] {
            assert!(ids.contains(id), "observability.md does not quote {id}");
        }
    }

    #[test]
    fn every_run_it_command_names_a_lesson_scenario_or_break_that_exists() {
        let repo = Repo::at(&fundamentals_dir().join(".."));
        let mut problems = Vec::new();
        for chapter in chapters() {
            let commands = chapter.commands();
            let kinds: BTreeSet<&str> = commands.iter().filter_map(|c| c.command.split_whitespace().nth(1)).collect();
            for kind in ["lesson", "scenario", "break"] {
                if !kinds.contains(kind) {
                    problems.push(format!("{}: no `just {kind} …` command at all", chapter.name()));
                }
            }
            for command in commands {
                if let Err(error) = repo.check(&command.command) {
                    problems.push(format!("{}:{}: `{}`: {error}", chapter.name(), command.line, command.command));
                }
            }
        }
        assert_no_problems("run-it commands that would fail", &problems);
    }

    #[test]
    fn every_relative_link_points_at_a_file_that_exists() {
        let mut problems = Vec::new();
        for chapter in chapters() {
            let dir = chapter.file.parent().expect("a chapter lives in a directory").to_owned();
            for (line, target) in chapter.relative_links() {
                if !dir.join(&target).exists() {
                    problems.push(format!("{}:{line}: `{target}` does not exist", chapter.name()));
                }
            }
        }
        assert_no_problems("broken links", &problems);
    }

    #[test]
    fn every_chapter_has_at_least_ten_answered_interview_questions() {
        let mut problems = Vec::new();
        for chapter in chapters() {
            let questions = chapter.questions();
            if questions.len() < MIN_QUESTIONS {
                problems.push(format!(
                    "{}: {} questions, at least {MIN_QUESTIONS} wanted",
                    chapter.name(),
                    questions.len()
                ));
            }
            for question in questions {
                if question.question.is_empty() {
                    problems.push(format!("{}:{}: a question heading with no question", chapter.name(), question.line));
                }
                if question.answer.is_empty() {
                    problems.push(format!(
                        "{}:{}: `{}` has no answer",
                        chapter.name(),
                        question.line,
                        question.question
                    ));
                }
            }
        }
        assert_no_problems("interview questions", &problems);
    }

    #[test]
    fn the_readme_lists_every_chapter_and_every_chapter_has_a_title() {
        let readme = std::fs::read_to_string(fundamentals_dir().join("theory/README.md")).expect("the README exists");
        for chapter in chapters() {
            let name = chapter.name();
            assert!(readme.contains(&format!("]({name})")), "README.md does not link to {name}");
            assert!(chapter.title().is_some_and(|t| !t.is_empty()), "{name} has no `# ` title");
        }
    }
}
