//! Worker processes that judge cases, and the driver's side of them: a case whose worker dies
//! is an abort (a stack overflow, say), a case whose worker does not answer in time is a hang;
//! either way the worker is replaced and the fuzzing goes on.
//!
//! Protocol: one request per line on the worker's stdin, `<target> <input as hex>`; one
//! verdict per line on its stdout, as JSON.

use crate::targets::{self, Corpus, PanicReport, Target, Verdict, LAST_PANIC};
use anyhow::Context;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Bytes of a dead worker's stderr kept for the report.
const STDERR_TAIL: usize = 4_096;

struct Worker {
    command: Vec<String>,
    timeout: Option<Duration>,
    child: Child,
    stdin: ChildStdin,
    replies: Receiver<String>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Worker {
    fn spawn(command: &[String], timeout: Option<Duration>) -> anyhow::Result<Self> {
        let mut child = Command::new(&command[0])
            .args(&command[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start a fuzz worker ({})", command[0]))?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut stderr_pipe = child.stderr.take().expect("stderr is piped");
        let (tx, replies) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let tail = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 1024];
            while let Ok(n @ 1..) = stderr_pipe.read(&mut buffer) {
                let mut tail = tail.lock().expect("the stderr tail lock is never poisoned");
                tail.extend_from_slice(&buffer[..n]);
                let excess = tail.len().saturating_sub(STDERR_TAIL);
                tail.drain(..excess);
            }
        });
        Ok(Self { command: command.to_vec(), timeout, child, stdin, replies, stderr })
    }

    fn judge(&mut self, target: Target, input: &[u8]) -> Verdict {
        let request = format!("{} {}\n", target.name(), hex(input));
        if self.stdin.write_all(request.as_bytes()).and_then(|()| self.stdin.flush()).is_err() {
            return self.died();
        }
        let timeout = self.timeout.unwrap_or(target.default_timeout());
        match self.replies.recv_timeout(timeout) {
            Ok(line) => serde_json::from_str(&line).unwrap_or_else(|e| Verdict::Finding {
                signature: "unreadable worker reply".into(),
                detail: format!("{e}: {line}"),
            }),
            Err(RecvTimeoutError::Timeout) => {
                self.restart();
                Verdict::Finding {
                    signature: "hang".into(),
                    detail: format!("no verdict within {:.1} s", timeout.as_secs_f64()),
                }
            }
            Err(RecvTimeoutError::Disconnected) => self.died(),
        }
    }

    /// The worker exited while judging: an abort, a stack overflow, an out-of-memory kill.
    fn died(&mut self) -> Verdict {
        let status = self.child.wait().map_or_else(|e| e.to_string(), |s| s.to_string());
        let stderr = String::from_utf8_lossy(&self.stderr.lock().map(|t| t.clone()).unwrap_or_default()).into_owned();
        self.restart();
        let last_line = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").to_owned();
        Verdict::Finding { signature: format!("worker died: {last_line}"), detail: format!("{status}\n{stderr}") }
    }

    fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A worker that cannot be restarted is a broken machine, not a finding.
        *self = Worker::spawn(&self.command, self.timeout).expect("a fuzz worker restarts");
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Pool {
    workers: Vec<Worker>,
    sandbox_root: PathBuf,
}

impl Pool {
    /// `timeout` replaces every target's default case timeout.
    pub fn start(
        jobs: usize,
        scenarios_dir: &Path,
        regressions: &Path,
        lab_exe: &Path,
        timeout: Option<Duration>,
    ) -> anyhow::Result<Self> {
        let exe = std::env::current_exe()?;
        let sandbox_root = std::env::temp_dir().join(format!("lab-fuzz-{}", std::process::id()));
        let mut workers = Vec::new();
        for i in 0..jobs.max(1) {
            let command: Vec<String> = [
                exe.as_os_str(),
                "--worker".as_ref(),
                "--scenarios-dir".as_ref(),
                scenarios_dir.as_os_str(),
                "--regressions".as_ref(),
                regressions.as_os_str(),
                "--lab".as_ref(),
                lab_exe.as_os_str(),
                "--sandbox".as_ref(),
                sandbox_root.join(format!("w{i}")).as_os_str(),
            ]
            .iter()
            .map(|s| s.to_string_lossy().into_owned())
            .collect();
            workers.push(Worker::spawn(&command, timeout)?);
        }
        Ok(Self { workers, sandbox_root })
    }

    /// Judges one input on the first worker.
    pub fn judge(&mut self, target: Target, input: Vec<u8>) -> Verdict {
        self.workers[0].judge(target, &input)
    }

    /// Judges every input, spread over the workers; the verdicts are in input order.
    pub fn judge_all(&mut self, target: Target, inputs: Vec<Vec<u8>>) -> Vec<Verdict> {
        let next = AtomicUsize::new(0);
        let verdicts: Mutex<Vec<Option<Verdict>>> = Mutex::new(vec![None; inputs.len()]);
        std::thread::scope(|scope| {
            for worker in &mut self.workers {
                let (next, verdicts, inputs) = (&next, &verdicts, &inputs);
                scope.spawn(move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(input) = inputs.get(i) else { break };
                    let verdict = worker.judge(target, input);
                    verdicts.lock().expect("no judge panics while holding the lock")[i] = Some(verdict);
                });
            }
        });
        verdicts.into_inner().expect("not poisoned").into_iter().map(|v| v.expect("every input judged")).collect()
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.workers.clear();
        let _ = std::fs::remove_dir_all(&self.sandbox_root);
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        text.push(DIGITS[usize::from(b >> 4)] as char);
        text.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    text
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// A worker process: reads requests until its stdin closes.
pub fn worker_main(scenarios_dir: &Path, regressions: &Path, lab_exe: &Path, sandbox: &Path) -> anyhow::Result<bool> {
    std::panic::set_hook(Box::new(|info| {
        let location =
            info.location().map_or_else(|| "?".to_owned(), |l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("(no message)")
            .to_owned();
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(PanicReport { location, message });
        }
    }));
    let corpus = Corpus::load(scenarios_dir, regressions)?;
    prepare_sandbox(scenarios_dir, sandbox)?;
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line?;
        let (name, input) = line.split_once(' ').unwrap_or((&line, ""));
        let target = Target::ALL.into_iter().find(|t| t.name() == name);
        let (Some(target), Some(input)) = (target, unhex(input)) else {
            anyhow::bail!("malformed request from the fuzz driver: {}", line.chars().take(80).collect::<String>());
        };
        let verdict = targets::judge(target, &input, &corpus, lab_exe, sandbox);
        writeln!(stdout, "{}", serde_json::to_string(&verdict)?)?;
        stdout.flush()?;
    }
    Ok(true)
}

/// The directory command-line cases run in: a copy of the scenarios, sweep summaries for
/// `sweep-merge` (sound and broken ones) and history files for `history check`, so whatever a
/// command writes stays inside it.
fn prepare_sandbox(scenarios_dir: &Path, sandbox: &Path) -> anyhow::Result<()> {
    let copy = sandbox.join("scenarios");
    std::fs::create_dir_all(&copy).with_context(|| format!("cannot create {}", copy.display()))?;
    for file in targets::files_in(scenarios_dir, "toml") {
        let name = file.file_name().expect("a listed file has a name");
        std::fs::copy(&file, copy.join(name)).with_context(|| format!("cannot copy {}", file.display()))?;
    }
    for (name, bytes) in crate::args::summary_files().into_iter().chain(crate::args::history_files()) {
        let path = sandbox.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_round_trips() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(super::unhex(&super::hex(&bytes)), Some(bytes.to_vec()));
        assert_eq!(super::unhex("abc"), None);
        assert_eq!(super::unhex("zz"), None);
    }
}
