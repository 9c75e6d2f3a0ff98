//! The handbook's table of contents: every lesson, from the fundamentals modules (whose
//! `//!` docs open with `# Title`) and from the scenario files (their `[lesson]` tables).
//!
//! Lessons are read from the source tree at run time, so `just topics` always lists what is
//! there now; a module is a lesson when its doc comment starts with a `# ` title.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleLesson {
    /// Module path below `fundamentals`, e.g. `ds::lru_cache`.
    pub topic: String,
    pub title: String,
    /// The first sentence of the lesson after its title, for a one-line summary.
    pub summary: String,
    pub file: PathBuf,
}

/// Every lesson module under `fundamentals_src`, sorted by topic.
pub fn module_lessons(fundamentals_src: &Path) -> Vec<ModuleLesson> {
    let mut files = Vec::new();
    collect_rs_files(fundamentals_src, &mut files);
    let mut lessons: Vec<ModuleLesson> =
        files.into_iter().filter_map(|file| lesson_of(fundamentals_src, &file)).collect();
    lessons.sort_by(|a, b| a.topic.cmp(&b.topic));
    lessons
}

fn collect_rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn lesson_of(root: &Path, file: &Path) -> Option<ModuleLesson> {
    let text = std::fs::read_to_string(file).ok()?;
    let doc = module_doc(&text);
    let title = doc.lines().next()?.strip_prefix("# ")?.trim().to_owned();
    // The first paragraph of prose, skipping section headings.
    let summary = doc
        .lines()
        .skip(1)
        .map(str::trim)
        .skip_while(|l| l.is_empty() || l.starts_with('#'))
        .take_while(|l| !l.is_empty() && !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join(" ");
    let relative = file.strip_prefix(root).ok()?.with_extension("");
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    let topic = if parts.is_empty() { "fundamentals".to_owned() } else { parts.join("::") };
    Some(ModuleLesson { topic, title, summary: first_sentence(&summary), file: file.to_owned() })
}

/// The text of a file's leading `//!` comment, without the markers.
pub fn module_doc(source: &str) -> String {
    source
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| l.strip_prefix("//! ").or_else(|| l.strip_prefix("//!")).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn first_sentence(text: &str) -> String {
    let end = text.find(". ").map_or(text.len(), |i| i + 1);
    text[..end].trim().to_owned()
}

/// Finds a lesson by its full topic (`ds::lru_cache`) or its last segment (`lru_cache`), which
/// must then be unambiguous.
pub fn find<'a>(lessons: &'a [ModuleLesson], topic: &str) -> Result<&'a ModuleLesson, Vec<&'a str>> {
    if let Some(exact) = lessons.iter().find(|l| l.topic == topic) {
        return Ok(exact);
    }
    let matches: Vec<&ModuleLesson> = lessons.iter().filter(|l| l.topic.rsplit("::").next() == Some(topic)).collect();
    match matches[..] {
        [one] => Ok(one),
        _ => Err(matches.iter().map(|l| l.topic.as_str()).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_doc_strips_markers_and_stops_at_code() {
        let source = "//! # Title\n//!\n//! First. Second.\nuse x;\n//! not doc";
        assert_eq!(module_doc(source), "# Title\n\nFirst. Second.");
    }

    #[test]
    fn the_repository_fundamentals_are_listed_with_titles_and_summaries() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fundamentals/src");
        let lessons = module_lessons(&src);
        let token_bucket = find(&lessons, "token_bucket").expect("the token-bucket lesson exists");
        assert_eq!(token_bucket.topic, "ratelimit::token_bucket");
        assert!(!token_bucket.summary.is_empty());
        assert!(lessons.len() > 20, "only {} lessons found", lessons.len());
        assert!(lessons.iter().all(|l| !l.title.is_empty()));
    }
}
