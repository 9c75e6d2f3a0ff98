//! History files for `lab history check`: histories recorded from the lab's simulated store
//! (correct, or with stale reads), written as EDN maps or Jepsen log lines, often mutated
//! byte by byte, and a list of hand-made nasty ones. Each is judged the way the command does —
//! [`jepsen::read_history`], then [`check`] — in process.
//!
//! The oracle: exit 0, 1 or 2, never a panic or a hang; an exit 2 names `FILE:LINE:` with a line
//! the file has and echoes no control characters; the same history gets the same verdict twice;
//! a witness names operations of the history, ascending, on one key. And one semantic check: a
//! history recorded from the *correct* store, unmutated (a checksum line vouches for that),
//! must never be judged not linearizable.

use crate::targets::Verdict;
use lab::linearizability::generate::{simulate, Simulation, Workload};
use lab::linearizability::jepsen::{self, Recorded};
use lab::linearizability::{check, Budget, Model, Verdict as Linearity};
use rand::seq::IndexedRandom;
use rand::{Rng, RngCore};

/// The name error messages carry.
pub const CASE_FILE: &str = "fuzz-case.history";

/// The first line of an unmutated history from the correct store: the model it was made for
/// and the checksum of the rest of the file.
const CORRECT: &str = "; lab-fuzz: a correct store's history, model=";

/// A deterministic search budget: cases must not depend on the machine's speed.
const BUDGET: Budget = Budget { max_states: 200_000, deadline: None };

pub fn generate(rng: &mut impl RngCore) -> Vec<u8> {
    match rng.random_range(0..10) {
        0 => nasty(rng),
        1..=4 => recorded(rng),
        _ => crate::mutate::bytes_case(&recorded(rng), rng),
    }
}

/// A simulated run's history as a file; the correct store's carries the checksum line.
fn recorded(rng: &mut impl RngCore) -> Vec<u8> {
    let buggy = rng.random_bool(0.4);
    let kv = rng.random_bool(0.5);
    let sim = Simulation {
        seed: rng.random(),
        clients: rng.random_range(1..=6),
        ops: rng.random_range(1..=80),
        workload: if kv {
            Workload::Kv { keys: rng.random_range(1..=3) }
        } else {
            Workload::CasRegister { values: rng.random_range(2..=5) }
        },
        timeout_pct: rng.random_range(0..=40),
        stale_read_pct: if buggy { rng.random_range(5..=40) } else { 0 },
    };
    let recorded: Vec<Recorded> = simulate(&sim);
    // Jepsen's log has no keys: only the single register goes there.
    let text = if kv || rng.random_bool(0.5) { jepsen::to_edn(&recorded) } else { jepsen::to_jepsen_log(&recorded) };
    if buggy {
        return text.into_bytes();
    }
    let model = if kv { Model::Kv } else { *[Model::CasRegister, Model::Kv].choose(rng).expect("not empty") };
    let checksum = crate::fnv1a(text.as_bytes());
    format!("{CORRECT}{} fnv={checksum:016x}\n{text}", model.name()).into_bytes()
}

fn nasty(rng: &mut impl RngCore) -> Vec<u8> {
    let invoke = "{:process 0, :type :invoke, :f :read, :key \"k\"}\n";
    let cases: [Vec<u8>; 16] = [
        Vec::new(),
        b"\n\n   \n".to_vec(),
        (0..rng.random_range(1..300)).map(|_| rng.random()).collect(),
        b"{:process 99999999999999999999999, :type :invoke, :f :read}\n".to_vec(),
        b"{:process -1, :type :invoke, :f :read}\n".to_vec(),
        b"{:process 0, :type :invoke, :f :put, :key \"k, :value \"unterminated\n".to_vec(),
        "[".repeat(100_000).into_bytes(),
        format!("{invoke}{invoke}").into_bytes(),
        b"INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n".to_vec(),
        b"INFO  jepsen.util - 1\t:ok\t:read\t1\n".to_vec(),
        b"{:process 0, :type :invoke, :f :cas, :value [1 2 3]}\n".to_vec(),
        "\u{feff}{:process 0, :type :invoke, :f :read}\r\n{:process 0, :type :ok, :f :read, :value \"\u{1b}[2J\"}\r\n"
            .to_string()
            .into_bytes(),
        b"INFO  jepsen.util - 18446744073709551616\t:invoke\t:read\tnil\n".to_vec(),
        b"INFO  jepsen.util - 1\t:invoke\t:write\t1.5\n".to_vec(),
        b"{:process 0, :type :invoke, :f :append, :key [1], :value \"x\"}\n".to_vec(),
        // A hard one: many concurrent writes of few values, then a read of none of them.
        (0..40)
            .map(|p| format!("INFO  jepsen.util - {p}\t:invoke\t:write\t{}\n", p % 4))
            .chain((0..40).map(|p| format!("INFO  jepsen.util - {p}\t:ok\t:write\t{}\n", p % 4)))
            .chain(["INFO  jepsen.util - 99\t:invoke\t:read\tnil\nINFO  jepsen.util - 99\t:ok\t:read\t9\n".to_owned()])
            .collect::<String>()
            .into_bytes(),
    ];
    cases.choose(rng).cloned().unwrap_or_default()
}

/// The model a case is checked against: the one its checksum line names, else one chosen by its
/// bytes (every model gets its turn across cases).
fn model_of(input: &[u8]) -> (Model, bool) {
    if let Some((model, checksum_ok)) = vouched(input) {
        return (model, checksum_ok);
    }
    let pick = input.iter().fold(0usize, |h, &b| h.wrapping_mul(31).wrapping_add(b as usize));
    (Model::ALL[pick % Model::ALL.len()], false)
}

/// The model a checksum line names, and whether the rest of the file is what it vouches for.
fn vouched(input: &[u8]) -> Option<(Model, bool)> {
    let newline = input.iter().position(|&b| b == b'\n')?;
    let first = std::str::from_utf8(&input[..newline]).ok()?;
    let (name, checksum) = first.strip_prefix(CORRECT)?.split_once(" fnv=")?;
    let model = Model::ALL.into_iter().find(|m| m.name() == name)?;
    let intact = u64::from_str_radix(checksum, 16).ok() == Some(crate::fnv1a(&input[newline + 1..]));
    Some((model, intact))
}

pub fn judge(input: &[u8]) -> Verdict {
    let (model, correct_store) = model_of(input);
    let history = match jepsen::read_history(CASE_FILE, input, model) {
        Ok(history) => history,
        Err(message) => return judge_error_message(&message, input),
    };
    let verdict = check(&history.ops, model, &BUDGET);
    if check(&history.ops, model, &BUDGET) != verdict {
        return Verdict::finding("the same history got two verdicts", format!("{verdict:?}"));
    }
    match verdict {
        Linearity::Linearizable { .. } => Verdict::Clean(0),
        Linearity::Unknown { .. } => Verdict::Clean(1),
        Linearity::NotLinearizable(_) if correct_store => {
            Verdict::finding("a correct store's history judged not linearizable", format!("{verdict:?}"))
        }
        Linearity::NotLinearizable(witness) => {
            let indices = &witness.ops;
            let ascending = indices.windows(2).all(|w| w[0] < w[1]);
            let in_range = indices.iter().all(|&i| i < history.ops.len());
            let one_key = in_range && indices.iter().all(|&i| history.ops[i].key == witness.key);
            if indices.is_empty() || !ascending || !one_key {
                return Verdict::finding("a witness that is not operations of one key", format!("{witness:?}"));
            }
            Verdict::Clean(1)
        }
    }
}

/// An exit-2 message must start with `FILE:LINE:` (a line the file has) and must not carry raw
/// control characters to the terminal.
fn judge_error_message(message: &str, input: &[u8]) -> Verdict {
    let Some(rest) = message.strip_prefix(&format!("{CASE_FILE}:")) else {
        return Verdict::finding("history error without the file name", message);
    };
    let line = rest.split(':').next().and_then(|l| l.parse::<usize>().ok());
    let lines_in_file = input.split(|&b| b == b'\n').count();
    if !line.is_some_and(|line| (1..=lines_in_file).contains(&line)) {
        return Verdict::finding("history error without a line in the file", message);
    }
    if message.chars().any(|c| c.is_control() && c != '\t') {
        return Verdict::finding("history error echoes control characters", message);
    }
    Verdict::Clean(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn a_correct_stores_history_is_vouched_for_until_a_byte_changes() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let case = std::iter::repeat_with(|| recorded(&mut rng)).find(|c| c.starts_with(CORRECT.as_bytes())).unwrap();
        assert!(matches!(vouched(&case), Some((_, true))));
        let mut edited = case.clone();
        *edited.last_mut().unwrap() ^= 1;
        assert!(matches!(vouched(&edited), Some((_, false))));
        assert_eq!(judge(&case), Verdict::Clean(0));
    }

    #[test]
    fn error_messages_must_name_an_existing_line() {
        let input = b"a\nb\n";
        assert_eq!(judge_error_message("fuzz-case.history:2: found x, expected y", input), Verdict::Clean(2));
        assert!(matches!(judge_error_message("fuzz-case.history:9: past the end", input), Verdict::Finding { .. }));
        assert!(matches!(judge_error_message("other:1: x", input), Verdict::Finding { .. }));
        assert!(matches!(judge_error_message("fuzz-case.history:1: \u{1b}[2J", input), Verdict::Finding { .. }));
    }
}
