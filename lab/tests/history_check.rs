//! `lab history check` as a user meets it: exit 0 only for a history proven linearizable, 1 with
//! the witness for one that is not, 1 (and "NOT a pass") when the search budget runs out, and
//! 2 with `FILE:LINE: what was found, what was expected` for a malformed file — never a panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("history-check");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `bytes` to a file named `name` in the scratch directory.
fn file(name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = scratch().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn history_check(model: &str, files: &[&Path], extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lab"))
        .args(["history", "check", "--model", model])
        .args(extra)
        .args(files)
        .output()
        .expect("the lab binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Two clients appending to one key, a third reading; the reads see the appends in one order.
const KV_OK: &str = r#"{:process 0, :type :invoke, :f :append, :key "k", :value "a"}
{:process 1, :type :invoke, :f :append, :key "k", :value "b"}
{:process 2, :type :invoke, :f :get, :key "k", :value nil}
{:process 0, :type :ok, :f :append, :key "k", :value "a"}
{:process 2, :type :ok, :f :get, :key "k", :value "a"}
{:process 1, :type :ok, :f :append, :key "k", :value "b"}
{:process 2, :type :invoke, :f :get, :key "k", :value nil}
{:process 2, :type :ok, :f :get, :key "k", :value "ab"}
{:process 3, :type :invoke, :f :put, :key "other", :value "x"}
"#;

/// A write of 2 acknowledged, then a read of the old value 1: a stale read.
const REGISTER_STALE: &str = "INFO  jepsen.core - Running test\n\
INFO  jepsen.util - 0\t:invoke\t:write\t1\n\
INFO  jepsen.util - 0\t:ok\t:write\t1\n\
INFO  jepsen.util - 1\t:invoke\t:write\t2\n\
INFO  jepsen.util - 1\t:ok\t:write\t2\n\
INFO  jepsen.util - 2\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 2\t:ok\t:read\t1\n";

#[test]
fn a_linearizable_history_exits_0_and_says_what_was_checked() {
    let path = file("kv-ok.edn", KV_OK);
    let output = history_check("kv", &[&path], &[]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    assert!(
        text.contains("EDN operation maps, 5 operations (1 with unknown outcome; 0 failed, left out) — kv model"),
        "{text}"
    );
    assert!(text.contains("linearizable: every key has an order"), "{text}");
    assert!(text.contains("2 keys"), "{text}");
}

#[test]
fn a_stale_read_exits_1_with_the_witness_drawn_and_its_lines() {
    let path = file("stale.log", REGISTER_STALE);
    let output = history_check("register", &[&path], &[]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}{}", stderr(&output));
    assert!(text.contains("NOT linearizable: the register: these 3 operations cannot be put in any order"), "{text}");
    assert!(text.contains("p2 read \"1\""), "{text}");
    assert!(text.contains("[6, 7]"), "times are line numbers: {text}");
    assert!(text.contains("lines: 2–3, 4–5, 6–7"), "{text}");
}

#[test]
fn running_out_of_budget_exits_1_and_says_it_is_not_a_pass() {
    // Ten concurrent writes, then a read of a value none of them wrote: proving that needs
    // every order of the writes, far more than 5 states.
    let mut text = String::new();
    for p in 0..10 {
        text.push_str(&format!("INFO  jepsen.util - {p}\t:invoke\t:write\t{}\n", p % 3));
    }
    for p in 0..10 {
        text.push_str(&format!("INFO  jepsen.util - {p}\t:ok\t:write\t{}\n", p % 3));
    }
    text.push_str("INFO  jepsen.util - 10\t:invoke\t:read\tnil\nINFO  jepsen.util - 10\t:ok\t:read\t7\n");
    let path = file("budget.log", text);
    let output = history_check("register", &[&path], &["--max-states", "5"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("unknown: the search budget ran out after 5 states / "), "{text}");
    assert!(text.contains("This is NOT a pass"), "{text}");
}

#[test]
fn malformed_files_exit_2_naming_the_file_and_line_never_panicking() {
    let cases: [(&str, &[u8], &str); 8] = [
        ("empty.edn", b"", ":1: found no operation (the file is empty)"),
        ("binary.edn", b"{:process 0}\n\xff\xfe\x00", ":2: found bytes that are not UTF-8 at column 1, expected text"),
        (
            "huge.log",
            b"INFO  jepsen.util - 1\t:invoke\t:write\t123456789012345678901234567890\n",
            ":1: in the value `123456789012345678901234…`: found the integer 123456789012345678901234…, expected one that fits in 64 bits",
        ),
        (
            "unterminated.edn",
            b"{:process 0, :type :invoke, :f :get, :key \"k}\n",
            ":1: column 46: found the end of the line inside the string that column 43 opens, expected a closing `\"`",
        ),
        (
            "twice.edn",
            b"{:process 0, :type :invoke, :f :get}\n{:process 0, :type :invoke, :f :get}\n",
            ":2: found a second :invoke of process 0 while its :invoke on line 1 is in flight",
        ),
        (
            "orphan.log",
            b"INFO  jepsen.util - 3\t:ok\t:read\t1\n",
            ":1: found a completion (:ok) of process 3, which has no operation in flight, expected an :invoke first",
        ),
        (
            "cas.log",
            b"INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]\n",
            ":1: a cas operation, but the register model has only read and write; --model cas-register or kv has cas",
        ),
        ("not-a-log.txt", b"hello\nworld\n", ":1: found no operation in 2 lines, expected one operation per line"),
    ];
    for (name, bytes, expected) in cases {
        let path = file(name, bytes);
        let output = history_check("register", &[&path], &[]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(&format!("error: {}{expected}", path.display())), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

#[test]
fn a_missing_file_is_bad_input_and_several_files_are_judged_together() {
    let missing = scratch().join("no-such-history.edn");
    let output = history_check("kv", &[&missing], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no-such-history.edn: cannot read the history"), "{}", stderr(&output));

    let ok = file("several-ok.edn", KV_OK);
    let stale = file("several-stale.log", REGISTER_STALE);
    let output = history_check("kv", &[&ok, &stale], &[]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "one of two is not linearizable: {text}");
    assert!(text.contains("2 files: 1 linearizable, 1 NOT linearizable, 0 unknown"), "{text}");
}
