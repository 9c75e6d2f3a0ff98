//! Leitner boxes: spaced repetition with a handful of boxes instead of a memory model.
//!
//! Every question sits in a box, 1 to [`BOXES`]. A question answered right moves up one box; a
//! question missed goes back to box 1. A question in box `b` comes back `2^(b-1)` sessions after
//! it was last asked: box 1 every session, box 5 every sixteenth. So what the reader knows fades
//! out of the quiz and what they keep missing keeps coming back.
//!
//! Intervals are counted in **quiz sessions, not days**. That keeps the schedule free of the
//! wall clock (the state is a pure function of the answers, and a test replays it exactly),
//! and it matches how people practise before interviews: in bursts, not daily.
//!
//! The state is a small JSON file (`serde_json`), ordered by question id so that it diffs well
//! and can be read or edited by hand; it is written to a temporary file and renamed over the old
//! one, so a crash mid-write never leaves half a state behind.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The number of boxes; a question right this many times in a row stays in the last one.
pub const BOXES: u8 = 5;
/// The version written into state files; a file with another version is refused, not guessed at.
pub const STATE_VERSION: u32 = 1;

const _: () = assert!(BOXES >= 2 && BOXES <= 16, "intervals are 2^(box-1) sessions, and must fit a u64");

/// How a question went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    GotIt,
    Missed,
}

/// One question's place in the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    /// 1..=BOXES.
    #[serde(rename = "box")]
    pub level: u8,
    /// The first session in which the question is due again.
    pub due_session: u64,
    pub seen: u32,
    pub missed: u32,
}

impl Default for Card {
    /// A question never asked: box 1, due at once.
    fn default() -> Self {
        Card { level: 1, due_session: 0, seen: 0, missed: 0 }
    }
}

/// Sessions until a question in `level` is due again.
pub fn interval_sessions(level: u8) -> u64 {
    assert!((1..=BOXES).contains(&level), "box {level} is outside 1..={BOXES}");
    1 << (level - 1)
}

/// Everything the quiz remembers between runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    /// The last session in which a question was answered.
    pub sessions: u64,
    /// By [`super::Question::id`].
    pub cards: BTreeMap<String, Card>,
}

impl Default for State {
    fn default() -> Self {
        State { version: STATE_VERSION, sessions: 0, cards: BTreeMap::new() }
    }
}

/// A state file that cannot be used, and why.
#[derive(Debug)]
pub struct StateError {
    pub file: PathBuf,
    pub message: String,
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "state file {}: {}", self.file.display(), self.message)
    }
}

impl State {
    /// The card of question `id` (a fresh one if it was never asked).
    pub fn card(&self, id: &str) -> Card {
        self.cards.get(id).copied().unwrap_or_default()
    }

    /// The session a new run is: one after the last one answered in.
    pub fn next_session(&self) -> u64 {
        self.sessions + 1
    }

    /// Records an answer given in `session`: up one box, or back to box 1, and when it is due.
    pub fn record(&mut self, id: &str, outcome: Outcome, session: u64) {
        let mut card = self.card(id);
        card.seen += 1;
        card.level = match outcome {
            Outcome::GotIt => (card.level + 1).min(BOXES),
            Outcome::Missed => {
                card.missed += 1;
                1
            }
        };
        card.due_session = session + interval_sessions(card.level);
        self.cards.insert(id.to_owned(), card);
        self.sessions = self.sessions.max(session);
    }

    /// Reads a state file; a file that does not exist yet is an empty state.
    pub fn load(file: &Path) -> Result<State, StateError> {
        let error = |message: String| StateError { file: file.to_owned(), message };
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::default()),
            Err(e) => return Err(error(format!("cannot be read: {e}"))),
        };
        let state: State = serde_json::from_str(&text).map_err(|e| {
            error(format!(
                "not a quiz state (expected JSON {{\"version\": {STATE_VERSION}, \"sessions\": N, \"cards\": {{…}}}}): {e}; delete it to start over"
            ))
        })?;
        if state.version != STATE_VERSION {
            return Err(error(format!("version {} (this quiz reads version {STATE_VERSION})", state.version)));
        }
        if let Some((id, card)) = state.cards.iter().find(|(_, c)| !(1..=BOXES).contains(&c.level)) {
            return Err(error(format!("`{id}` is in box {} (boxes are 1 to {BOXES})", card.level)));
        }
        Ok(state)
    }

    /// Writes the state atomically: to `FILE.tmp`, then renamed over `file`.
    pub fn save(&self, file: &Path) -> Result<(), StateError> {
        let error = |message: String| StateError { file: file.to_owned(), message };
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| error(format!("cannot create {}: {e}", dir.display())))?;
        }
        let json = serde_json::to_string_pretty(self).expect("a state always serialises");
        let mut tmp = file.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, json + "\n").map_err(|e| error(format!("cannot write {}: {e}", tmp.display())))?;
        std::fs::rename(&tmp, file).map_err(|e| error(format!("cannot replace it: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_answers_climb_one_box_at_a_time_and_a_miss_drops_to_box_one() {
        let mut state = State::default();
        let climbs: Vec<(u8, u64)> = (1..=6)
            .map(|session| {
                state.record("q", Outcome::GotIt, session);
                let card = state.card("q");
                (card.level, card.due_session)
            })
            .collect();
        // Box 2 is due 2 sessions later, box 3 after 4, box 4 after 8, box 5 after 16 — and 5 is the top.
        assert_eq!(climbs, [(2, 3), (3, 6), (4, 11), (5, 20), (5, 21), (5, 22)]);
        state.record("q", Outcome::Missed, 7);
        assert_eq!(state.card("q"), Card { level: 1, due_session: 8, seen: 7, missed: 1 });
        assert_eq!(state.sessions, 7);
    }

    #[test]
    fn a_question_never_asked_is_in_box_one_and_due_now() {
        let state = State::default();
        assert_eq!(state.card("new"), Card { level: 1, due_session: 0, seen: 0, missed: 0 });
        assert_eq!(state.next_session(), 1);
    }

    #[test]
    fn state_round_trips_through_its_file_and_a_missing_file_is_empty() {
        let dir = std::env::temp_dir().join(format!("quiz-leitner-{}", std::process::id()));
        let file = dir.join("nested/state.json");
        assert_eq!(State::load(&file).expect("missing is empty"), State::default());
        let mut state = State::default();
        state.record("lesson a: Why?", Outcome::Missed, 1);
        state.record("lesson b: How?", Outcome::GotIt, 1);
        state.save(&file).expect("saved");
        assert_eq!(State::load(&file).expect("loaded"), state);
        let text = std::fs::read_to_string(&file).expect("written");
        assert!(text.contains("\"box\": 2"), "{text}");
        std::fs::remove_dir_all(&dir).expect("cleaned up");
    }

    #[test]
    fn a_corrupt_or_foreign_state_file_is_refused_with_its_name() {
        let dir = std::env::temp_dir().join(format!("quiz-leitner-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("state.json");
        let refused = |text: &str| {
            std::fs::write(&file, text).expect("written");
            State::load(&file).expect_err("refused").to_string()
        };
        let garbage = refused("{ not json");
        assert!(garbage.starts_with(&format!("state file {}: not a quiz state", file.display())), "{garbage}");
        assert!(refused(r#"{"version": 9, "sessions": 0, "cards": {}}"#).contains("version 9"));
        let bad_box = refused(
            r#"{"version": 1, "sessions": 1, "cards": {"q": {"box": 9, "due_session": 1, "seen": 1, "missed": 0}}}"#,
        );
        assert!(bad_box.contains("`q` is in box 9"), "{bad_box}");
        std::fs::remove_dir_all(&dir).expect("cleaned up");
    }
}
