//! Real-network mode (`lab real`), through the built binary: every scenario's correct variant
//! runs on loopback sockets for a couple of real seconds and no check fails; every fault kind
//! applies at its time; a cluster kept up after its workload listens on 127.0.0.1 and nowhere
//! else, answers real gRPC calls (and reflection), and stops on Ctrl-C.
//!
//! Real mode is not deterministic, so these tests judge outcomes, never traces byte for byte.
//! Every wait is bounded: a child that hangs is killed and the test fails saying so.

#![cfg(target_os = "linux")]

mod common;

use lab::engine::real::Cluster;
use lab::scenario::Scenario;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
use tonic_reflection::pb::v1::ServerReflectionRequest;
use wait_timeout::ChildExt;

/// Real seconds each scenario runs for: enough for every node to start and talk.
const SECONDS: &str = "2";
/// The longest any `lab real` child may take, start to exit (a cold machine, a loaded CI).
const CHILD_LIMIT: Duration = Duration::from_secs(90);

fn lab_exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_lab"))
}

fn scenario_files() -> Vec<PathBuf> {
    let dir = common::repo_root().join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenario files in {}", dir.display());
    files
}

/// A scratch directory of this test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("lab-real-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A `lab` child that is killed if the test ends (or fails) before it exits.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Finished {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs `lab` with `args` to its end, within [`CHILD_LIMIT`].
/// Real mode runs on the wall clock: two clusters at once on a 2-core machine starve each
/// other's timers and turn a passing run into a failing one. One `lab real` at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn run_lab(args: &[&str]) -> Finished {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut child = Running(
        Command::new(lab_exe())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start lab"),
    );
    // Read both pipes on threads, so that a full pipe never blocks the child.
    let stdout = drain(child.0.stdout.take().expect("piped"));
    let stderr = drain(child.0.stderr.take().expect("piped"));
    let status = match child.0.wait_timeout(CHILD_LIMIT).expect("cannot wait for lab") {
        Some(status) => status,
        None => panic!("`lab {}` did not end within {CHILD_LIMIT:?}", args.join(" ")),
    };
    Finished { status, stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() }
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    })
}

/// The path after `trace:` in a run's output.
fn trace_path(stdout: &str) -> PathBuf {
    let line =
        stdout.lines().find_map(|l| l.strip_prefix("trace:")).unwrap_or_else(|| panic!("no trace line:\n{stdout}"));
    PathBuf::from(line.trim())
}

/// Every event of a JSON Lines trace.
fn events(trace: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(trace).unwrap_or_else(|e| panic!("cannot read {}: {e}", trace.display()));
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect()
}

fn field<'a>(event: &'a serde_json::Value, name: &str) -> &'a str {
    event[name].as_str().unwrap_or_default()
}

#[test]
fn every_scenario_s_correct_variant_runs_on_loopback_with_no_check_failing() {
    for file in scenario_files() {
        let scenario = Scenario::load(&file).unwrap_or_else(|d| panic!("{d}"));
        let scratch = Scratch::new(&format!("runs-{}", scenario.name));
        let out = scratch.0.to_str().unwrap();
        let run = run_lab(&["real", file.to_str().unwrap(), "--seconds", SECONDS, "--out", out]);
        let shown = format!("stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
        assert!(run.status.success(), "{}: `lab real` exited {:?}\n{shown}", scenario.name, run.status.code());
        assert!(!run.stdout.contains(" FAIL "), "{}: a check failed\n{shown}", scenario.name);

        let trace = trace_path(&run.stdout);
        assert!(trace.starts_with(out) && trace.ends_with("real-1.trace.jsonl"), "trace at {}", trace.display());
        let events = events(&trace);
        let heard: BTreeSet<&str> = events.iter().map(|e| field(e, "node")).collect();
        let variant = scenario.variant(&scenario.default_variant).unwrap();
        for node in &variant.nodes {
            assert!(heard.contains(node.name.as_str()), "{}: no event from {}\n{shown}", scenario.name, node.name);
        }
        let times: Vec<u64> = events.iter().map(|e| e["t_us"].as_u64().unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{}: events out of time order", scenario.name);
    }
}

/// A small scenario with one fault of every kind inside its 3 s, run for its whole length.
#[test]
fn every_fault_kind_applies_at_its_time_in_real_mode() {
    let scratch = Scratch::new("faults");
    let faults = r#"
[[faults]]
kind = "hold"
at_ms = 300
for_ms = 400
from = ["gw-2"]
to = ["gw-1"]

[[faults]]
kind = "latency"
at_ms = 500
for_ms = 500
latency_ms = 30
from = ["client"]
to = ["gw-1"]

[[faults]]
kind = "partition-one-way"
at_ms = 1_200
for_ms = 300
from = ["gw-2"]
to = ["gw-1"]

[[faults]]
kind = "crash"
at_ms = 1_500
for_ms = 500
nodes = ["gw-2"]

[[faults]]
kind = "crash"
at_ms = 2_100
nodes = ["gw-1"]

[[faults]]
kind = "restart"
at_ms = 2_400
nodes = ["gw-1"]

[[faults]]
kind = "pause"
at_ms = 600
for_ms = 300
nodes = ["client"]

[[faults]]
kind = "clock"
at_ms = 1_000
for_ms = 500
nodes = ["limiter"]
skew_ms = 250
drift_ppm = 100

[[faults]]
kind = "rpc"
at_ms = 200
for_ms = 2_000
action = "delay"
delay_ms = 5
probability = 0.5
to = ["gw-1"]
"#;
    let text = common::SMALL
        .replace("duration_ms = 4_000", "duration_ms = 3_000")
        .replace("[checks.limit-conformance]", &format!("{faults}\n[checks.limit-conformance]"));
    let file = scratch.0.join("faults.toml");
    std::fs::write(&file, text).unwrap();
    let out = scratch.0.join("out");
    let run = run_lab(&["real", file.to_str().unwrap(), "--seconds", "3", "--out", out.to_str().unwrap()]);
    let shown = format!("stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    // The verdict may go either way on a real clock; bad input or a failed host may not.
    assert!(matches!(run.status.code(), Some(0 | 1)), "exit {:?}\n{shown}", run.status.code());
    assert!(!run.stdout.contains("run-completed"), "the run did not complete\n{shown}");

    let events = events(&trace_path(&run.stdout));
    let applied: Vec<&str> = events.iter().filter(|e| field(e, "kind") == "fault").map(|e| field(e, "fault")).collect();
    for kind in [
        "partition",
        "heal",
        "hold",
        "release",
        "latency",
        "latency-restored",
        "partition-one-way",
        "heal-one-way",
        "crash",
        "restart",
        "pause",
        "resume",
        "clock",
        "clock-restored",
        "rpc-faults-on",
        "rpc-faults-off",
    ] {
        assert!(applied.contains(&kind), "no `{kind}` fault recorded; recorded: {applied:?}\n{shown}");
    }
    // Both crashed nodes came back as fresh incarnations, and delayed calls reached gw-1.
    for node in ["gw-1", "gw-2"] {
        let restarted =
            events.iter().any(|e| field(e, "node") == node && field(e, "kind") == "start" && e["incarnation"] == 2);
        assert!(restarted, "{node} did not start a second incarnation\n{shown}");
    }
    assert!(events.iter().any(|e| field(e, "kind") == "rpc-fault"), "no RPC fault applied\n{shown}");
}

/// The inode of every socket `pid` has open, from its `/proc/<pid>/fd` links (`socket:[N]`).
fn socket_inodes(pid: u32) -> BTreeSet<u64> {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
        .filter_map(|target| {
            let target = target.to_str()?;
            target.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
        })
        .collect()
}

/// The local address of every TCP socket in LISTEN state in `pid`'s network namespace with
/// its inode, from `/proc/<pid>/net/tcp` and `tcp6` (addresses in hex, as the kernel keeps
/// them: each 32-bit word in the machine's byte order, the port big-endian).
fn listening_sockets(pid: u32) -> Vec<(SocketAddr, u64)> {
    const LISTEN: &str = "0A";
    let mut sockets = Vec::new();
    for table in ["tcp", "tcp6"] {
        let text = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")).unwrap_or_default();
        for line in text.lines().skip(1) {
            let columns: Vec<&str> = line.split_whitespace().collect();
            if columns.len() < 10 || columns[3] != LISTEN {
                continue;
            }
            let (ip, port) = columns[1].split_once(':').expect("address:port");
            let words: Vec<u8> = (0..ip.len() / 8)
                .flat_map(|i| u32::from_str_radix(&ip[i * 8..i * 8 + 8], 16).unwrap().to_ne_bytes())
                .collect();
            let ip = match words.len() {
                4 => IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(words).unwrap())),
                _ => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(words).unwrap())),
            };
            let port = u16::from_str_radix(port, 16).unwrap();
            sockets.push((SocketAddr::new(ip, port), columns[9].parse().unwrap()));
        }
    }
    sockets
}

/// Parses `name  127.0.0.1:PORT`, one of the lines `--keep-up` prints per node.
fn address_line(line: &str) -> Option<(String, SocketAddr)> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words[..] {
        [name, address] => Some((name.to_owned(), address.parse().ok()?)),
        _ => None,
    }
}

#[test]
fn a_kept_up_cluster_listens_only_on_loopback_answers_grpc_and_stops_on_ctrl_c() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let file = scenario_files().remove(0);
    let scenario = Scenario::load(&file).unwrap_or_else(|d| panic!("{d}"));
    let nodes = scenario.variant(&scenario.default_variant).unwrap().nodes.len();
    let scratch = Scratch::new("keep-up");
    let mut child = Running(
        Command::new(lab_exe())
            .args(["real", file.to_str().unwrap(), "--seconds", "1", "--keep-up", "--out", scratch.0.to_str().unwrap()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start lab"),
    );
    let pid = child.0.id();
    let (lines_tx, lines) = mpsc::channel();
    let stdout = child.0.stdout.take().expect("piped");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });

    // The node lines come after the verdict, between the `kept up` line and the `try:` line.
    let deadline = Instant::now() + CHILD_LIMIT;
    let mut seen = Vec::new();
    let mut addresses = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines.recv_timeout(left).unwrap_or_else(|_| panic!("no `try:` line in time; output:\n{seen:#?}"));
        if line.starts_with("try:") {
            break;
        }
        if seen.iter().any(|l: &String| l.starts_with("kept up")) {
            addresses.push(address_line(&line).unwrap_or_else(|| panic!("not `name  address`: {line}")));
        }
        seen.push(line);
    }
    assert_eq!(addresses.len(), nodes, "one address per node: {addresses:?}");
    for (name, address) in &addresses {
        assert_eq!(address.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST), "{name} is not on loopback");
    }

    // Every socket the process listens on is one of the nodes', on 127.0.0.1.
    let own = socket_inodes(pid);
    let listening: Vec<SocketAddr> =
        listening_sockets(pid).into_iter().filter(|(_, inode)| own.contains(inode)).map(|(a, _)| a).collect();
    assert!(!listening.is_empty(), "no listening socket found for pid {pid}");
    for address in &listening {
        assert_eq!(address.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST), "listens beyond loopback: {address}");
    }
    let printed: BTreeSet<SocketAddr> = addresses.iter().map(|(_, a)| *a).collect();
    assert_eq!(listening.iter().copied().collect::<BTreeSet<_>>(), printed, "listening sockets vs printed addresses");

    // One real gRPC call to a node, and one reflection call.
    let (name, address) = &addresses[0];
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let limit = Duration::from_secs(10);
        let endpoint = tonic::transport::Endpoint::from_shared(format!("http://{address}")).unwrap();
        let channel = tokio::time::timeout(limit, endpoint.connect()).await.expect("connecting timed out").unwrap();
        let mut node = proto::lab::node_client::NodeClient::new(channel.clone());
        let empty = proto::Envelope { from: "test".into(), msg: 0, body: None };
        let status = tokio::time::timeout(limit, node.deliver(empty)).await.expect("the call timed out").unwrap_err();
        assert_eq!(status.code(), tonic::Code::InvalidArgument, "{name} answered {status:?}");

        let mut reflection = ServerReflectionClient::new(channel);
        let list = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut answers =
            tokio::time::timeout(limit, reflection.server_reflection_info(async_stream::stream! { yield list; }))
                .await
                .expect("reflection timed out")
                .unwrap()
                .into_inner();
        let answer =
            tokio::time::timeout(limit, answers.message()).await.expect("reflection timed out").unwrap().unwrap();
        let Some(MessageResponse::ListServicesResponse(services)) = answer.message_response else {
            panic!("not a service list: {answer:?}");
        };
        let names: Vec<&str> = services.service.iter().map(|s| s.name.as_str()).collect();
        assert!(names.contains(&"lab.Node"), "services: {names:?}");
    });

    // Ctrl-C stops every node and the process ends by itself.
    // SAFETY: `kill` has no memory-safety preconditions; `pid` is our own child, not yet reaped.
    assert_eq!(unsafe { libc::kill(pid as libc::pid_t, libc::SIGINT) }, 0);
    let status = child.0.wait_timeout(CHILD_LIMIT).unwrap().expect("lab did not stop after Ctrl-C");
    assert!(status.success(), "exit after Ctrl-C: {status:?}");
    // The reader ends at the end of the output, which the exit has closed.
    let mut rest = Vec::new();
    while let Ok(line) = lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        rest.push(line);
    }
    assert!(rest.iter().any(|l| l == "stopped every node"), "after Ctrl-C: {rest:?}");
}

/// The DNS test scenario with `fault`, 3 s on loopback: its events, and its output to show.
fn small_dns_run_in_real_mode(test: &str, fault: &str) -> (Vec<serde_json::Value>, String) {
    let scratch = Scratch::new(test);
    let text = common::dns_small(fault, "max_stale_ms = 0").replace("duration_ms = 8_000", "duration_ms = 3_000");
    let file = scratch.0.join("scenario.toml");
    std::fs::write(&file, text).unwrap();
    let out = scratch.0.join("out");
    let run = run_lab(&["real", file.to_str().unwrap(), "--seconds", "3", "--out", out.to_str().unwrap()]);
    let shown = format!("stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(matches!(run.status.code(), Some(0 | 1)), "exit {:?}\n{shown}", run.status.code());
    (events(&trace_path(&run.stdout)), shown)
}

/// DNS faults sit in the path every engine shares: in real mode, too, clients are told
/// NXDOMAIN in the fault's window while the server answers from its zone.
#[test]
fn dns_faults_apply_in_real_mode() {
    let fault = "[[faults]]\nkind = \"dns\"\nat_ms = 1_000\nfor_ms = 1_000\naction = \"nxdomain\"\nprobability = 1.0\n";
    let (events, shown) = small_dns_run_in_real_mode("dns-faults", fault);
    let kinds: Vec<&str> = events.iter().map(|e| field(e, "kind")).collect();
    assert!(kinds.contains(&"dns-fault"), "no DNS fault applied\n{shown}");
    let told_missing = events.iter().any(|e| field(e, "kind") == "dns-resolved" && field(e, "resolved") == "nxdomain");
    let told_backend = events.iter().any(|e| field(e, "kind") == "dns-resolved" && field(e, "resolved") == "backend-1");
    assert!(told_missing && told_backend, "clients were told both, in and out of the window\n{shown}");
}

/// TCP faults act in each dialled socket, real ones too: a black hole from client-1 to
/// backend-1 makes its calls time out in the window, and the client records the silence.
#[test]
fn tcp_faults_apply_in_real_mode() {
    let fault = "[[faults]]\nkind = \"black-hole\"\nat_ms = 1_000\nfor_ms = 1_000\nfrom = [\"client-1\"]\nto = [\"backend-1\"]\n";
    let (events, shown) = small_dns_run_in_real_mode("tcp-faults", fault);
    let silenced = events.iter().any(|e| field(e, "kind") == "tcp-fault" && field(e, "fault") == "black-hole");
    assert!(silenced, "client-1 recorded no black hole\n{shown}");
    let timed_out = events.iter().any(|e| {
        field(e, "node") == "client-1" && field(e, "kind") == "service-result" && field(e, "outcome") == "timeout"
    });
    assert!(timed_out, "no call of client-1 timed out in the hole\n{shown}");
}

/// A node's UDP port is open to anything on the machine, so what arrives there is input: a
/// datagram that is not a lab envelope is dropped with a `malformed-datagram` record, and the
/// DNS server goes on answering its clients.
#[test]
fn garbage_datagrams_are_dropped_and_said() {
    let text = common::dns_small("", "max_stale_ms = 0").replace("duration_ms = 8_000", "duration_ms = 1_500");
    let scenario = common::parse(&text).unwrap_or_else(|d| panic!("{d}"));
    let mut cluster = Cluster::start(&scenario, scenario.variant("v").unwrap(), 1, tracing::Dispatch::none()).unwrap();
    let dns = cluster.datagram_addresses().into_iter().find(|(name, _)| *name == "dns").unwrap().1;
    let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    // Not protobuf; protobuf with no body; a string field cut short.
    let garbage: [&[u8]; 3] = [&[0xff, 0xff, 0xff], b"", &[0x0a, 0x03, b'a', b'b']];
    for datagram in garbage {
        sender.send_to(datagram, dns).unwrap();
    }
    let events = cluster.run_workload(1_500).run.events;
    cluster.stop();
    let said: Vec<_> = events.iter().filter(|e| e.kind() == "malformed-datagram").collect();
    assert_eq!(said.len(), 3, "each garbage datagram said: {said:?}");
    assert!(said.iter().all(|e| &*e.node == "dns" && e.str_field("error").is_some_and(|why| !why.is_empty())));
    let last_garbage_us = said.iter().map(|e| e.t_us).max().unwrap();
    let answered_after = events.iter().any(|e| e.kind() == "dns-answer" && e.t_us > last_garbage_us);
    assert!(answered_after, "the DNS server answered on after the garbage");
}
