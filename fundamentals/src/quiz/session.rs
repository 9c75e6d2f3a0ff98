//! One quiz session: which questions to ask ([`plan`]), and asking them over any reader and
//! writer ([`run`]).
//!
//! **Order.** Only questions due in this session are asked. Questions already seen come
//! before new ones (review first, so new material cannot starve it), lower boxes before higher
//! ones, more misses before fewer: a question missed last session is asked first. Ties — in
//! practice, the many questions never asked — are broken by a shuffle seeded with `seed`, so a
//! session is reproducible (a test pins it) yet each session meets different new questions.
//!
//! **Asking.** The reader sees the question, thinks (or types notes), presses Enter, sees the
//! model answer and the command that demonstrates it, and says how it went. Each answer is
//! saved at once, so quitting — or a closed terminal — never loses one.

use super::leitner::{Outcome, State};
use super::Question;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::io::{self, BufRead, Write};

/// What to ask in a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// Keep questions whose `kind source` contains this, ignoring case (`lru`, `scenario`,
    /// `system-design`).
    pub topic: Option<String>,
    /// At most this many questions.
    pub count: usize,
    /// The session the plan is for (due dates are compared with it).
    pub session: u64,
    /// Orders questions that are otherwise equal.
    pub seed: u64,
}

/// Whether `question` matches the `topic` filter.
pub fn matches_topic(question: &Question, topic: Option<&str>) -> bool {
    topic.is_none_or(|t| question.topic_key().to_lowercase().contains(&t.to_lowercase()))
}

/// The questions to ask, in order.
pub fn plan<'q>(questions: &'q [Question], state: &State, options: &PlanOptions) -> Vec<&'q Question> {
    let mut due: Vec<&Question> = questions
        .iter()
        .filter(|q| matches_topic(q, options.topic.as_deref()))
        .filter(|q| state.card(&q.id()).due_session <= options.session)
        .collect();
    // Shuffle first, then sort stably: the sort decides what it can, the shuffle the rest.
    due.shuffle(&mut ChaCha8Rng::seed_from_u64(options.seed));
    due.sort_by_key(|q| {
        let card = state.card(&q.id());
        (card.seen == 0, card.level, std::cmp::Reverse(card.missed))
    });
    due.truncate(options.count);
    due
}

/// How a session ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub got_it: usize,
    pub missed: usize,
    /// Questions planned but not answered (the reader quit).
    pub skipped: usize,
}

/// What the reader said at a prompt.
enum Reply {
    Line(String),
    Quit,
}

/// Prompts bounded: a reader who keeps typing something else is asked this many times, then
/// the session ends as if they had quit (never an endless loop on a broken input stream).
const MAX_PROMPTS: usize = 5;

/// Asks `plan` in `session`, reading from `input` and writing to `out`. After each answer the
/// state is updated and handed to `save`; an error from `save` ends the session with it.
pub fn run<R: BufRead, W: Write>(
    input: &mut R,
    out: &mut W,
    plan: &[&Question],
    state: &mut State,
    session: u64,
    save: &mut dyn FnMut(&State) -> io::Result<()>,
) -> io::Result<Summary> {
    let mut summary = Summary::default();
    for (i, question) in plan.iter().enumerate() {
        let card = state.card(&question.id());
        let history =
            if card.seen == 0 { "new".to_owned() } else { format!("missed {} of {}", card.missed, card.seen) };
        writeln!(out, "\n[{}/{}] {} · box {} · {history}", i + 1, plan.len(), question.topic_key(), card.level)?;
        writeln!(out, "Q: {}", question.question)?;
        write!(out, "(answer in your head or type notes; Enter shows the answer, q quits) > ")?;
        out.flush()?;
        if let Reply::Quit = read_reply(input)? {
            summary.skipped = plan.len() - i;
            return Ok(summary);
        }
        writeln!(out, "\nA: {}", indent_after_first(&question.answer))?;
        writeln!(out, "Try it: {}", question.demo())?;
        let outcome = loop_prompt(input, out)?;
        let Some(outcome) = outcome else {
            summary.skipped = plan.len() - i;
            return Ok(summary);
        };
        state.record(&question.id(), outcome, session);
        save(state)?;
        match outcome {
            Outcome::GotIt => summary.got_it += 1,
            Outcome::Missed => summary.missed += 1,
        }
    }
    Ok(summary)
}

/// Asks "got it?" until the answer is y, n or q (at most [`MAX_PROMPTS`] times).
fn loop_prompt<R: BufRead, W: Write>(input: &mut R, out: &mut W) -> io::Result<Option<Outcome>> {
    for _ in 0..MAX_PROMPTS {
        write!(out, "How did it go? [y] got it  [n] missed  [q] quit > ")?;
        out.flush()?;
        let Reply::Line(line) = read_reply(input)? else { return Ok(None) };
        match line.trim().to_lowercase().as_str() {
            "y" | "yes" | "g" => return Ok(Some(Outcome::GotIt)),
            "n" | "no" | "m" => return Ok(Some(Outcome::Missed)),
            _ => writeln!(out, "Please answer y, n or q.")?,
        }
    }
    Ok(None)
}

/// One line of input; `q`, `quit` and end of input mean quit.
fn read_reply<R: BufRead>(input: &mut R) -> io::Result<Reply> {
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        return Ok(Reply::Quit);
    }
    match line.trim() {
        "q" | "quit" => Ok(Reply::Quit),
        _ => Ok(Reply::Line(line)),
    }
}

/// A multi-line answer (a chapter's, with lists and code) indented under its `A: `.
fn indent_after_first(answer: &str) -> String {
    answer.lines().collect::<Vec<_>>().join("\n   ")
}

/// Questions per box (index 0 is box 1) among `questions`, as the state has them.
pub fn box_counts(questions: &[Question], state: &State) -> Vec<usize> {
    let mut counts = vec![0; usize::from(super::leitner::BOXES)];
    for q in questions {
        counts[usize::from(state.card(&q.id()).level) - 1] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::SourceKind;
    use std::path::PathBuf;

    fn questions(n: usize) -> Vec<Question> {
        (0..n)
            .map(|i| Question {
                kind: if i % 2 == 0 { SourceKind::Lesson } else { SourceKind::Scenario },
                source: format!("topic{i}"),
                file: PathBuf::from("f"),
                line: i + 1,
                question: format!("Question {i}?"),
                answer: format!("Answer {i}."),
            })
            .collect()
    }

    fn options(session: u64, seed: u64) -> PlanOptions {
        PlanOptions { topic: None, count: 100, session, seed }
    }

    fn texts(plan: &[&Question]) -> Vec<String> {
        plan.iter().map(|q| q.question.clone()).collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_order_and_another_seed_another() {
        let qs = questions(20);
        let state = State::default();
        let first = texts(&plan(&qs, &state, &options(1, 7)));
        assert_eq!(first, texts(&plan(&qs, &state, &options(1, 7))));
        assert_ne!(first, texts(&plan(&qs, &state, &options(1, 8))));
        assert_eq!(first.len(), 20);
    }

    #[test]
    fn a_missed_question_comes_first_next_session_and_a_known_one_waits() {
        let qs = questions(10);
        let mut state = State::default();
        let session_one = plan(&qs, &state, &options(1, 1));
        let (known, missed) = (session_one[0].id(), session_one[1].id());
        state.record(&known, Outcome::GotIt, 1);
        state.record(&missed, Outcome::Missed, 1);

        let session_two = plan(&qs, &state, &options(2, 99));
        assert_eq!(session_two[0].id(), missed, "the missed question leads");
        assert!(session_two.iter().all(|q| q.id() != known), "box 2 is not due until session 3");
        assert_eq!(session_two.len(), 9);
        let session_three = plan(&qs, &state, &options(3, 99));
        assert!(session_three.iter().any(|q| q.id() == known), "due again in session 3");
    }

    #[test]
    fn reviews_come_before_new_questions_lower_boxes_first() {
        let qs = questions(6);
        let mut state = State::default();
        state.record(&qs[0].id(), Outcome::GotIt, 1); // box 2, due 3
        state.record(&qs[1].id(), Outcome::GotIt, 1);
        state.record(&qs[1].id(), Outcome::GotIt, 2); // box 3, due 6
        state.record(&qs[2].id(), Outcome::Missed, 2); // box 1, due 3
        let order = texts(&plan(&qs, &state, &options(6, 3)));
        assert_eq!(&order[..3], ["Question 2?", "Question 0?", "Question 1?"]);
    }

    #[test]
    fn topic_and_count_narrow_the_plan() {
        let qs = questions(10);
        let state = State::default();
        let only_scenarios = PlanOptions { topic: Some("SCENARIO".to_owned()), ..options(1, 1) };
        assert!(plan(&qs, &state, &only_scenarios).iter().all(|q| q.kind == SourceKind::Scenario));
        assert_eq!(plan(&qs, &state, &only_scenarios).len(), 5);
        let one_topic = PlanOptions { topic: Some("topic3".to_owned()), count: 5, ..options(1, 1) };
        assert_eq!(texts(&plan(&qs, &state, &one_topic)), ["Question 3?"]);
        assert_eq!(plan(&qs, &state, &PlanOptions { count: 3, ..options(1, 1) }).len(), 3);
    }

    #[test]
    fn a_session_records_each_answer_saves_it_and_stops_on_quit() {
        let qs = questions(3);
        let mut state = State::default();
        let planned = plan(&qs, &state, &options(1, 5));
        // Reveal with notes, got it; reveal, an unclear reply, missed; quit at the third.
        let mut input = io::Cursor::new("a queue cannot remove from the middle\ny\n\nmaybe\nn\nq\n");
        let mut out = Vec::new();
        let mut saves = 0;
        let summary = run(&mut input, &mut out, &planned, &mut state, 1, &mut |_| {
            saves += 1;
            Ok(())
        })
        .expect("in-memory I/O");
        assert_eq!(summary, Summary { got_it: 1, missed: 1, skipped: 1 });
        assert_eq!(saves, 2, "saved after every answer");
        assert_eq!(state.card(&planned[0].id()).level, 2);
        assert_eq!(state.card(&planned[1].id()).missed, 1);
        assert_eq!(state.card(&planned[2].id()).seen, 0);
        let shown = String::from_utf8(out).expect("utf-8");
        assert!(shown.contains(&format!("Q: {}", planned[0].question)), "{shown}");
        assert!(shown.contains(&format!("A: {}", planned[0].answer)), "{shown}");
        assert!(shown.contains("Try it: just lesson topic") || shown.contains("Try it: just scenario topic"));
        assert!(shown.contains("Please answer y, n or q."));
    }

    #[test]
    fn end_of_input_ends_the_session_without_recording() {
        let qs = questions(2);
        let mut state = State::default();
        let planned = plan(&qs, &state, &options(1, 5));
        let summary =
            run(&mut io::Cursor::new(""), &mut Vec::new(), &planned, &mut state, 1, &mut |_| Ok(())).expect("runs");
        assert_eq!(summary, Summary { got_it: 0, missed: 0, skipped: 2 });
        assert_eq!(state, State::default());
    }

    #[test]
    fn boxes_are_counted_per_question() {
        let qs = questions(3);
        let mut state = State::default();
        state.record(&qs[0].id(), Outcome::GotIt, 1);
        assert_eq!(box_counts(&qs, &state), [2, 1, 0, 0, 0]);
    }
}
