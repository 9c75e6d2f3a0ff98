#!/usr/bin/env bash
# Runs break-it exercises: applies a lesson's patch to a scratch copy of the repository, runs
# what must catch it there, shows what failed and says whether that matches the patch's
# `Expect:` line. Two kinds of patch:
#
# - fundamentals/breaks/<topic>.patch (header `Module:`): runs that module's tests; caught when
#   a test whose name contains the expected one fails (`Expect: test-failure <test>`), or when
#   the compiler rejects the patch with the named code (`Expect: compile-error E0382`).
# - scenarios/breaks/<scenario>/<name>.patch (header `Scenario:`, `Variant:`, optional `Seed:`):
#   builds the `lab` CLI from the patched `nodes/`, runs `lab run <scenario> [seed] --variant V`
#   and shows the verdict table; caught when `lab` exits 1 and the row of the check named by
#   `Expect: check-failure <check>` says FAIL.
#
#   scripts/break-it.sh <topic>                  e.g. lru_cache
#   scripts/break-it.sh <scenario>               every patch of a scenario, e.g. rate-limiter
#   scripts/break-it.sh <scenario>/<name>        one patch, e.g. rate-limiter/ignore-peers
#
# Exit codes: 0 every patch run was caught as expected · 1 one was not (or a patch no longer
# applies) · 2 usage error or unknown topic (the known topics are listed).
#
# The working tree is never modified: the scratch copy holds the working tree's files (tracked or
# untracked, never ignored ones; `.cargo/config.toml` included) and lives under ${TMPDIR:-/tmp}.
# Compiled dependencies are shared through one cache, $BREAK_IT_TARGET_DIR (default below),
# built with the dev profile: dependencies are opt-level 3 there (Cargo.toml), so a scenario
# runs at near release speed while only the workspace crates are recompiled per patch.
#
# scripts/check-breaks.sh sources this file to run every patch through the same functions.

set -euo pipefail

BREAK_IT_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BREAK_IT_BREAKS_DIR="$BREAK_IT_REPO/fundamentals/breaks"
BREAK_IT_SCENARIO_BREAKS_DIR="$BREAK_IT_REPO/scenarios/breaks"
# shellcheck source=scripts/madsim-build.sh
source "$BREAK_IT_REPO/scripts/madsim-build.sh"
# Shared build cache for every scratch run. Default: <repo>/target/break-it, or
# $CARGO_TARGET_DIR/break-it when the caller already keeps its builds elsewhere.
BREAK_IT_TARGET_DIR="${BREAK_IT_TARGET_DIR:-${CARGO_TARGET_DIR:-$BREAK_IT_REPO/target}/break-it}"
# Scenario patches build `lab` exactly as `just agree` and `just scenario … --engine madsim` do
# (release, `--cfg madsim`, target/madsim): the simulator's dependencies — tokio, tonic,
# turmoil, madsim — compile once for all of them. Patched crates build incrementally there.
BREAK_IT_LAB_TARGET_DIR="${BREAK_IT_LAB_TARGET_DIR:-$(madsim_target_dir "$BREAK_IT_REPO")}"
# The `codegen-units` a scratch copy builds `fundamentals` with: any value but the repository's
# own (256, cargo's default) makes the copy's build a unit of its own. check-breaks.sh gives each
# of its workers a different one.
BREAK_IT_UNIT="${BREAK_IT_UNIT:-255}"
# A broken patch can make a test loop forever; bound every build and test run (seconds,
# compile included; the first scenario build compiles tokio, tonic and turmoil once).
BREAK_IT_TIMEOUT_S="${BREAK_IT_TIMEOUT_S:-900}"
# Bound on one patched scenario run (seconds of wall time; a 60 s scenario takes a few).
BREAK_IT_RUN_TIMEOUT_S="${BREAK_IT_RUN_TIMEOUT_S:-120}"

# The scratch path is fixed per repository (not random) so that cargo's incremental cache for
# the scratch crates is reused from one run to the next; a lock serialises concurrent runs.
# $1, when given, names a second, independent scratch copy (check-breaks.sh's parallel workers).
# shellcheck disable=SC2120 # $1 is passed by check-breaks.sh, which sources this file
break_it_scratch_dir() {
    local repo_id
    repo_id="$(printf '%s' "$BREAK_IT_REPO" | cksum | cut -d' ' -f1)"
    printf '%s/break-it.%s.%s%s' "${TMPDIR:-/tmp}" "$(id -u)" "$repo_id" "${1:+.$1}"
}

# Every fundamentals topic, then every scenario with patches and each of its patches
# (`rate-limiter`, `rate-limiter/ignore-peers`, …).
break_it_known_topics() {
    local patch dir
    for patch in "$BREAK_IT_BREAKS_DIR"/*.patch; do
        [[ -e "$patch" ]] && basename "$patch" .patch
    done
    for dir in "$BREAK_IT_SCENARIO_BREAKS_DIR"/*/; do
        [[ -d "$dir" ]] || continue
        basename "$dir"
        for patch in "$dir"*.patch; do
            [[ -e "$patch" ]] && printf '%s/%s\n' "$(basename "$dir")" "$(basename "$patch" .patch)"
        done
    done
    return 0
}

# Every single patch, fundamentals first, one path per line.
break_it_all_patches() {
    local patch
    for patch in "$BREAK_IT_BREAKS_DIR"/*.patch "$BREAK_IT_SCENARIO_BREAKS_DIR"/*/*.patch; do
        [[ -e "$patch" ]] && printf '%s\n' "$patch"
    done
    return 0
}

# The patch files topic $1 stands for, one per line; nothing if the topic is unknown.
break_it_patches_for() {
    local topic="$1" patch
    [[ "$topic" =~ ^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)?$ ]] || return 0
    if [[ "$topic" != */* && -f "$BREAK_IT_BREAKS_DIR/$topic.patch" ]]; then
        printf '%s\n' "$BREAK_IT_BREAKS_DIR/$topic.patch"
    elif [[ "$topic" == */* && -f "$BREAK_IT_SCENARIO_BREAKS_DIR/$topic.patch" ]]; then
        printf '%s\n' "$BREAK_IT_SCENARIO_BREAKS_DIR/$topic.patch"
    elif [[ "$topic" != */* && -d "$BREAK_IT_SCENARIO_BREAKS_DIR/$topic" ]]; then
        for patch in "$BREAK_IT_SCENARIO_BREAKS_DIR/$topic"/*.patch; do
            [[ -e "$patch" ]] && printf '%s\n' "$patch"
        done
    fi
    return 0
}

# How a patch is named in reports: `lru_cache`, `rate-limiter/ignore-peers`.
break_it_topic_of() {
    local patch="$1"
    if [[ "$(dirname "$(dirname "$patch")")" == "$BREAK_IT_SCENARIO_BREAKS_DIR" ]]; then
        printf '%s/%s' "$(basename "$(dirname "$patch")")" "$(basename "$patch" .patch)"
    else
        basename "$patch" .patch
    fi
}

# Prints the value of header field $2 ("Module", "Expect", …) of patch file $1: header lines
# are the ones before the first `diff --git`.
break_it_header() {
    awk -v field="$2" '
        /^diff --git / { exit }
        index($0, field ": ") == 1 { print substr($0, length(field) + 3); exit }
    ' "$1"
}

# Fresh copy of the working tree's files (tracked, and untracked but not ignored: a new module
# not yet committed must not break the scratch build) into the scratch dir. Files are extracted with the current
# time (`tar -m`), never their original one: a file older than the scratch build would look
# unchanged to cargo, and a stale build would report a real break as unnoticed. Only the
# workspace crates are rebuilt for it; compiled dependencies stay cached.
break_it_prepare_scratch() {
    local scratch="$1"
    rm -rf "$scratch/repo"
    mkdir -p "$scratch/repo"
    (cd "$BREAK_IT_REPO" && git ls-files -z --cached --others --exclude-standard |
        tar --null --ignore-failed-read -T - -cf - 2>/dev/null) |
        tar -m -xf - -C "$scratch/repo"
    # Its own git root, so `git apply` resolves paths here and never in an enclosing repo.
    git -C "$scratch/repo" init -q
}

# Prints the compile error of cargo log $1 and judges it against `Expect:` ($2 kind, $3 code).
# Returns 0 if the patch was expected to be rejected with that code.
break_it_judge_compile_error() {
    local log="$1" kind="$2" wanted="$3" codes
    codes="$(grep -oE '^error\[E[0-9]{4}\]' "$log" | sed 's/^error\[\(.*\)\]/\1/' | sort -u | tr '\n' ' ')"
    echo "  result: compile error ${codes:-(no error code)}"
    # The first error block, as the compiler printed it.
    awk '/^error/ { on = 1 } on && /^$/ { exit } on { print "    " $0 }' "$log" | head -n 25
    if [[ "$kind" == "compile-error" && " $codes " == *" $wanted "* ]]; then
        echo "  verdict: caught as expected (compile-error $wanted)"
        return 0
    fi
    echo "  verdict: NOT as expected (wanted: $kind $wanted)"
    return 1
}

# Judges a build of $2 that ended with exit status $1 (its output in log $3) against the patch's
# `Expect:` kind $4 and value $5: a compile error is judged, a timeout or another failure is
# reported. Returns 2, printing nothing, when the build succeeded and the check goes on.
break_it_judge_build() {
    local status="$1" what="$2" log="$3" kind="$4" wanted="$5"
    [[ $status -eq 0 ]] && return 2
    if [[ $status -eq 124 ]]; then
        echo "  result: building $what timed out after ${BREAK_IT_TIMEOUT_S}s"
        return 1
    fi
    if grep -q '^error' "$log"; then
        break_it_judge_compile_error "$log" "$kind" "$wanted"
        return
    fi
    echo "  result: building $what failed; last lines:"
    tail -n 15 "$log" | sed 's/^/    /'
    return 1
}

# Runs the tests of patch $2's module in scratch copy $1 (patch already applied) and judges
# the outcome against the `Expect:` line. Prints a report; returns 0 if caught as expected.
break_it_run_module() {
    local repo="$1" patch="$2"
    local module expect kind wanted log status
    module="$(break_it_header "$patch" Module)"
    expect="$(break_it_header "$patch" Expect)"
    kind="${expect%% *}"
    wanted="${expect#* }"
    log="$(dirname "$repo")/cargo-test.log"

    # Build, then run the test binary apart from cargo: cargo holds the target dir's lock only
    # while it builds, so workers sharing one target dir build in turn and test in parallel.
    # Every scratch copy would build the same unit as the repository itself (cargo's hash leaves
    # the workspace's location out) and take it over, its fingerprint pointing into the copy:
    # a codegen-units setting of its own (see BREAK_IT_UNIT below) gives each its own unit.
    local tests
    status=0
    (
        cd "$repo"
        export CARGO_TARGET_DIR="$BREAK_IT_TARGET_DIR" CARGO_TERM_COLOR=never
        local own_unit=(--config "profile.dev.package.fundamentals.codegen-units=$BREAK_IT_UNIT")
        built=0
        timeout "$BREAK_IT_TIMEOUT_S" cargo test -p fundamentals --lib --no-run --message-format=json \
            "${own_unit[@]}" >"$log.json" 2>"$log" || built=$?
        [[ $built -eq 124 ]] && exit 124
        if [[ $built -ne 0 ]]; then
            # The compiler's messages were JSON: build again for them as a reader sees them.
            timeout "$BREAK_IT_TIMEOUT_S" cargo test -p fundamentals --lib --no-run "${own_unit[@]}" \
                >"$log" 2>&1 || true
            exit 1
        fi
    ) || status=$?
    local judged=0
    break_it_judge_build "$status" "the tests" "$log" "$kind" "$wanted" || judged=$?
    [[ $judged -ne 2 ]] && return "$judged"
    tests="$(grep -o '"executable":"[^"]*"' "$log.json" | tail -n 1 | cut -d'"' -f4)"
    # As cargo test runs it: from the package's directory.
    (cd "$repo/fundamentals" && RUST_BACKTRACE=0 timeout "$BREAK_IT_TIMEOUT_S" "$tests" "${module}::" \
        >"$log" 2>&1) || status=$?

    if [[ $status -eq 124 ]]; then
        echo "  result: timed out after ${BREAK_IT_TIMEOUT_S}s (a test looped?)"
        return 1
    fi
    if [[ $status -eq 0 ]]; then
        echo "  result: every test of $module passed — the break went unnoticed"
        return 1
    fi
    local failing
    failing="$(sed -nE 's/^test (.+) \.\.\. FAILED$/\1/p' "$log" | sort -u)"
    if [[ -z "$failing" ]]; then
        echo "  result: cargo test failed without a failing test (crash?); last lines:"
        tail -n 15 "$log" | sed 's/^/    /'
        return 1
    fi

    echo "  result: $(wc -l <<<"$failing" | tr -d ' ') failing test(s)"
    local name
    while IFS= read -r name; do
        echo "    - $name"
        # The test's last panic (for a property test: the shrunk, minimal failing input).
        awk -v header="---- $name stdout ----" '
            $0 == header { on = 1; next }
            on && (/^---- / || /^failures:$/) { exit }
            on && / panicked at / { n = 0; joining = 0; delete msg }
            # proptest pretty-prints the shrunk input over many lines: fold it into one.
            on && joining && $0 != "" { gsub(/^ +/, ""); msg[n] = msg[n] $0; next }
            on && /minimal failing input/ { joining = 1 }
            on && n < 8 && !/^(proptest: |cc |note: )/ && $0 != "" { msg[++n] = $0 }
            END { for (i = 1; i <= n; i++) print "        " substr(msg[i], 1, 400) }
        ' "$log"
    done <<<"$failing"
    if [[ "$kind" == "test-failure" ]] && grep -qF -- "$wanted" <<<"$failing"; then
        echo "  verdict: caught as expected (a failing test matches \"$wanted\")"
        return 0
    fi
    echo "  verdict: NOT as expected (wanted: $expect)"
    return 1
}

# Builds `lab` from scratch copy $1 (scenario patch $2 already applied), runs the patch's
# scenario, variant and seed, prints the verdict table and judges it against `Expect:`.
# Returns 0 if caught as expected.
break_it_run_scenario() {
    local repo="$1" patch="$2"
    local scenario variant seed expect kind wanted work status
    scenario="$(break_it_header "$patch" Scenario)"
    variant="$(break_it_header "$patch" Variant)"
    seed="$(break_it_header "$patch" Seed)"
    expect="$(break_it_header "$patch" Expect)"
    kind="${expect%% *}"
    wanted="${expect#* }"
    work="$(dirname "$repo")"

    status=0
    (cd "$repo" && CARGO_TARGET_DIR="$BREAK_IT_LAB_TARGET_DIR" RUSTFLAGS="$LAB_MADSIM_RUSTFLAGS" \
        CARGO_INCREMENTAL=1 CARGO_TERM_COLOR=never \
        timeout "$BREAK_IT_TIMEOUT_S" cargo build --release --quiet -p lab --bin lab \
        >"$work/cargo-build.log" 2>&1) || status=$?
    local judged=0
    break_it_judge_build "$status" "lab" "$work/cargo-build.log" "$kind" "$wanted" || judged=$?
    [[ $judged -ne 2 ]] && return "$judged"

    local args=(run "$scenario")
    [[ -n "$seed" ]] && args+=("$seed")
    args+=(--variant "$variant" --scenarios-dir "$repo/scenarios" --out "$work/lab-out")
    status=0
    (cd "$repo" && timeout "$BREAK_IT_RUN_TIMEOUT_S" "$BREAK_IT_LAB_TARGET_DIR/release/lab" "${args[@]}" \
        >"$work/lab-run.log" 2>&1) || status=$?
    echo "  result: lab ${args[*]:0:$((${#args[@]} - 4))} (exit $status)"
    # The verdict as lab printed it. Its replay command would run the unpatched tree: dropped.
    grep -v '^replay:' "$work/lab-run.log" | sed 's/^/    /'
    if [[ $status -eq 124 ]]; then
        echo "  verdict: NOT as expected: the run timed out after ${BREAK_IT_RUN_TIMEOUT_S}s"
        return 1
    fi
    if [[ "$kind" == "check-failure" && $status -eq 1 ]] &&
        awk -v check="$wanted" '$1 == check && $3 ~ /^FAIL/ { found = 1 } END { exit !found }' "$work/lab-run.log"; then
        echo "  verdict: caught as expected (check $wanted failed)"
        return 0
    fi
    echo "  verdict: NOT as expected (wanted: $expect)"
    return 1
}

# Applies patch $2 in scratch copy $1, runs and judges it, then reverses the patch so the copy
# can be reused. Returns 0 if caught as expected, 1 otherwise (including "no longer applies").
break_it_check_patch() {
    local repo="$1" patch="$2" topic breaks caught
    topic="$(break_it_topic_of "$patch")"
    breaks="$(break_it_header "$patch" Breaks)"
    echo "== $topic: ${breaks:-(no Breaks: line)}"
    local needed=(Module Expect) field
    [[ -n "$(break_it_header "$patch" Scenario)" ]] && needed=(Scenario Variant Expect)
    for field in "${needed[@]}"; do
        if [[ -z "$(break_it_header "$patch" "$field")" ]]; then
            echo "  verdict: malformed patch header (needs ${needed[*]/%/:})"
            return 1
        fi
    done
    if ! git -C "$repo" apply --check "$patch" 2>"$repo/../apply.err"; then
        echo "  verdict: the patch no longer applies:"
        sed 's/^/    /' "$repo/../apply.err"
        grep -q '^diff --git ' "$patch" || echo "    (the file holds no diff after its header)"
        return 1
    fi
    git -C "$repo" apply "$patch"
    caught=0
    if [[ "${needed[0]}" == Scenario ]]; then
        break_it_run_scenario "$repo" "$patch" || caught=1
    else
        break_it_run_module "$repo" "$patch" || caught=1
    fi
    git -C "$repo" apply -R "$patch"
    return $caught
}

break_it_main() {
    if [[ $# -ne 1 ]]; then
        echo "usage: scripts/break-it.sh <topic>|<scenario>|<scenario>/<name>" >&2
        echo "topics: $(break_it_known_topics | tr '\n' ' ')" >&2
        return 2
    fi
    local topic="$1" patches
    mapfile -t patches < <(break_it_patches_for "$topic")
    if [[ ${#patches[@]} -eq 0 ]]; then
        echo "unknown topic '$topic'; known topics:" >&2
        break_it_known_topics | sed 's/^/  /' >&2
        return 2
    fi
    local scratch
    scratch="$(break_it_scratch_dir)"
    mkdir -p "$scratch"
    exec 9>"$scratch.lock"
    flock 9
    break_it_prepare_scratch "$scratch"
    local missed=0 patch rel
    for patch in "${patches[@]}"; do
        break_it_check_patch "$scratch/repo" "$patch" || missed=$((missed + 1))
        rel="${patch#"$BREAK_IT_REPO"/}"
        if [[ -n "$(break_it_header "$patch" Scenario)" ]]; then
            local seed
            seed="$(break_it_header "$patch" Seed)"
            echo "  to experiment in your own tree: git apply $rel;" \
                "just scenario $(break_it_header "$patch" Scenario)${seed:+ $seed} --variant $(break_it_header "$patch" Variant)" \
                "(undo: git apply -R $rel)"
        else
            echo "  to experiment in your own tree: git apply $rel (undo: git apply -R …)"
        fi
    done
    [[ $missed -eq 0 ]]
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    break_it_main "$@"
fi
