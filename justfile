# Everyday commands of Backend Lab (`just --list` shows them all).
# Scenario commands build the `lab` CLI in release mode: simulations are CPU-bound. Add
# `--engine madsim` to run, replay, sweep or bench on madsim (built once in target/madsim).

lab := "scripts/lab.sh"

# List the commands.
default:
    @just --list

# Run a scenario: just scenario rate-limiter [seed] [--variant NAME]
scenario name *args:
    {{lab}} run {{name}} {{args}}

# Run a scenario's nodes as real gRPC servers on 127.0.0.1, in real time (not deterministic):
# just real rate-limiter [seed] [--variant NAME] [--seconds N] [--keep-up]
real name *args:
    {{lab}} real {{name}} {{args}}

# Run a seed again, event for event, and compare with its earlier trace.
replay name seed *args:
    {{lab}} replay {{name}} {{seed}} {{args}}

# Where two runs part ways: two seeds (just diff rate-limiter 1 2), two variants
# (just diff rate-limiter 1 --variant sync --variant-b sync-fair-share), or --traces A B; --html
# draws both runs on one time axis.
diff *args:
    {{lab}} diff {{args}}

# The smallest scenario file that still fails the same check, as a file with its replay command:
# just shrink idempotent-retries 1 --variant key-in-memory [--budget SECONDS] [--check NAME]
shrink name seed *args:
    {{lab}} shrink {{name}} {{seed}} {{args}}

# Run COUNT seeds on all cores: just sweep rate-limiter 500 [--variant NAME]
sweep name count *args:
    {{lab}} sweep {{name}} {{count}} {{args}}

# Combine the JSON summaries of every share of a partitioned sweep (sweep … --partition K/N).
sweep-merge +files:
    {{lab}} sweep-merge {{files}}

# Every variant of every scenario on madsim and turmoil keeps its promise, and madsim replays
# byte for byte. Prove the engines agree: just agree [--seeds 200] [--turmoil-seeds N]
agree *args:
    {{lab}} agree {{args}}

# List the scenarios with a one-line summary each.
list:
    {{lab}} list

# Print a lesson: a scenario (rate-limiter) or a fundamentals module (lru_cache, ds::btree).
lesson topic:
    {{lab}} lesson {{topic}}

# List every lesson with a one-line summary.
topics:
    {{lab}} topics

# Interview questions from every lesson, scenario and chapter, scheduled by Leitner boxes:
# just quiz [topic] [--count N] [--list] [--state FILE] [--seed N]
quiz *args:
    cargo run -q -p fundamentals --bin quiz -- {{args}}

# Apply a break-it patch to a scratch copy and show what catches it: a lesson's tests
# (just break lru_cache), or a scenario's verdict (just break rate-limiter, or rate-limiter/ignore-peers).
break topic:
    scripts/break-it.sh {{topic}}

# Check a scenario file without running it.
check file:
    {{lab}} check {{file}}

# Is a recorded history linearizable? just history check --model kv|register|cas-register FILE…
# (EDN operation maps or Jepsen logs; exit 0 proven, 1 not — with a witness — or unknown, 2 malformed)
history *args:
    {{lab}} history {{args}}

# Every test (the command CI runs): format and lints, cargo test, the loom models, the engines'
# agreement (20 seeds per variant on madsim, 3 on turmoil), then proof that every break-it patch
# (lessons and scenarios) still applies and is caught. Ends with the wall time of each phase.
test:
    scripts/test-all.sh

# Formatting and lints, as `just test` runs them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# The loom models of the concurrency lessons, in their own target directory (RUSTFLAGS replaces
# .cargo/config.toml's flags, so tokio_unstable is repeated here).
loom:
    CARGO_TARGET_DIR=target/loom RUSTFLAGS="--cfg loom --cfg tokio_unstable" cargo test -p fundamentals --lib --no-default-features --config 'profile.dev.package."*".opt-level=0' loom_tests

# How fast the run viewer draws the largest page (the rate limiter's ~133,000 events) in
# headless Chromium: first paint over 5 loads.
bench-view:
    cargo test --release -p lab --test view first_paint_of_the_largest_page -- --ignored --nocapture

# Benchmarks of the fundamentals lessons against std and well-known crates (criterion, release).
bench-fundamentals:
    cargo bench -p fundamentals

# The linearizability checker (lab history check) on seeded histories of Porcupine's benchmark
# shapes, timed in release next to Porcupine's published figures.
bench-checker:
    cargo bench -p lab --bench checker

# Simulator speed, both engines side by side per scenario, and the speed targets met or missed.
bench *args:
    {{lab}} bench {{args}}

# Fuzz every input the lab reads — scenario files, trace files, command lines — for panics,
# aborts, hangs and unlocated errors: just fuzz --minutes 30, or --cases 100000 --target scenarios.
# Findings are shrunk and saved in lab/fuzz/regressions/, which every run (and just test) replays.
fuzz *args:
    cargo build --release --quiet -p lab --bins
    cargo run --release --quiet -p lab --bin lab-fuzz -- {{args}}

# Rewrite the golden trace hashes after a change that is meant to change traces (say why in the commit).
bless:
    BLESS=1 cargo test -p lab --test variants every_variant_fails_exactly
