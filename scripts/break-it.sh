#!/usr/bin/env bash
# Runs one break-it exercise: applies fundamentals/breaks/<topic>.patch to a scratch copy of the
# repository, runs that module's tests there, shows what failed (failing tests, or the compiler
# error and its code) and says whether that matches the patch's `Expect:` line.
#
#   scripts/break-it.sh <topic>      e.g. scripts/break-it.sh lru_cache
#
# Exit codes: 0 the break was caught as expected · 1 it was not (or the patch no longer
# applies) · 2 usage error or unknown topic (the known topics are listed).
#
# The working tree is never modified: the scratch copy holds the tracked files (`git ls-files`,
# as they are in the working tree) and lives under ${TMPDIR:-/tmp}. Compiled dependencies are
# shared through one cache, $BREAK_IT_TARGET_DIR (default below).
#
# scripts/check-breaks.sh sources this file to run every patch through the same functions.

set -euo pipefail

BREAK_IT_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BREAK_IT_BREAKS_DIR="$BREAK_IT_REPO/fundamentals/breaks"
# Shared build cache for every scratch run. Default: <repo>/target/break-it, or
# $CARGO_TARGET_DIR/break-it when the caller already keeps its builds elsewhere.
BREAK_IT_TARGET_DIR="${BREAK_IT_TARGET_DIR:-${CARGO_TARGET_DIR:-$BREAK_IT_REPO/target}/break-it}"
# A broken patch can make a test loop forever; bound every run (seconds, compile included).
BREAK_IT_TIMEOUT_S="${BREAK_IT_TIMEOUT_S:-900}"

# The scratch path is fixed per repository (not random) so that cargo's incremental cache for
# the scratch crate is reused from one run to the next; a lock serialises concurrent runs.
break_it_scratch_dir() {
    local repo_id
    repo_id="$(printf '%s' "$BREAK_IT_REPO" | cksum | cut -d' ' -f1)"
    printf '%s/break-it.%s.%s' "${TMPDIR:-/tmp}" "$(id -u)" "$repo_id"
}

break_it_known_topics() {
    local patch
    for patch in "$BREAK_IT_BREAKS_DIR"/*.patch; do
        [[ -e "$patch" ]] && basename "$patch" .patch
    done
    return 0
}

# Prints the value of header field $2 ("Module", "Expect", …) of patch file $1: header lines
# are the ones before the first `diff --git`.
break_it_header() {
    awk -v field="$2" '
        /^diff --git / { exit }
        index($0, field ": ") == 1 { print substr($0, length(field) + 3); exit }
    ' "$1"
}

# Fresh copy of the tracked files into the scratch dir. Files are extracted with the current
# time (`tar -m`), never their original one: a file older than the scratch build would look
# unchanged to cargo, and a stale build would report a real break as unnoticed. Only the
# `fundamentals` crate is rebuilt for it; compiled dependencies stay cached.
break_it_prepare_scratch() {
    local scratch="$1"
    rm -rf "$scratch/repo"
    mkdir -p "$scratch/repo"
    (cd "$BREAK_IT_REPO" && git ls-files -z | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) |
        tar -m -xf - -C "$scratch/repo"
    # Its own git root, so `git apply` resolves paths here and never in an enclosing repo.
    git -C "$scratch/repo" init -q
}

# Runs the tests of patch $2's module in scratch copy $1 (patch already applied) and judges
# the outcome against the `Expect:` line. Prints a report; returns 0 if caught as expected.
break_it_run_applied() {
    local repo="$1" patch="$2"
    local module expect kind wanted log status
    module="$(break_it_header "$patch" Module)"
    expect="$(break_it_header "$patch" Expect)"
    kind="${expect%% *}"
    wanted="${expect#* }"
    log="$(dirname "$repo")/cargo-test.log"

    status=0
    (cd "$repo" && CARGO_TARGET_DIR="$BREAK_IT_TARGET_DIR" RUST_BACKTRACE=0 CARGO_TERM_COLOR=never \
        timeout "$BREAK_IT_TIMEOUT_S" cargo test -p fundamentals --lib "${module}::" \
        >"$log" 2>&1) || status=$?

    if [[ $status -eq 124 ]]; then
        echo "  result: timed out after ${BREAK_IT_TIMEOUT_S}s (a test looped?)"
        return 1
    fi
    if [[ $status -eq 0 ]]; then
        echo "  result: every test of $module passed — the break went unnoticed"
        return 1
    fi

    local codes failing
    codes="$(grep -oE '^error\[E[0-9]{4}\]' "$log" | sed 's/^error\[\(.*\)\]/\1/' | sort -u | tr '\n' ' ')"
    failing="$(sed -nE 's/^test (.+) \.\.\. FAILED$/\1/p' "$log" | sort -u)"
    if grep -q '^error: could not compile' "$log"; then
        echo "  result: compile error ${codes:-(no error code)}"
        # The first error block, as the compiler printed it.
        awk '/^error/ { on = 1 } on && /^$/ { exit } on { print "    " $0 }' "$log" | head -n 25
        if [[ "$kind" == "compile-error" && " $codes " == *" $wanted "* ]]; then
            echo "  verdict: caught as expected (compile-error $wanted)"
            return 0
        fi
        echo "  verdict: NOT as expected (wanted: $expect)"
        return 1
    fi
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

# Applies patch $2 in scratch copy $1, runs and judges it, then reverses the patch so the copy
# can be reused. Returns 0 if caught as expected, 1 otherwise (including "no longer applies").
break_it_check_patch() {
    local repo="$1" patch="$2" topic breaks caught
    topic="$(basename "$patch" .patch)"
    breaks="$(break_it_header "$patch" Breaks)"
    echo "== $topic: ${breaks:-(no Breaks: line)}"
    if [[ -z "$(break_it_header "$patch" Module)" || -z "$(break_it_header "$patch" Expect)" ]]; then
        echo "  verdict: malformed patch header (needs Module: and Expect:)"
        return 1
    fi
    if ! git -C "$repo" apply --check "$patch" 2>"$repo/../apply.err"; then
        echo "  verdict: the patch no longer applies:"
        sed 's/^/    /' "$repo/../apply.err"
        grep -q '^diff --git ' "$patch" || echo "    (the file holds no diff after its header)"
        return 1
    fi
    git -C "$repo" apply "$patch"
    caught=0
    break_it_run_applied "$repo" "$patch" || caught=1
    git -C "$repo" apply -R "$patch"
    return $caught
}

break_it_main() {
    if [[ $# -ne 1 ]]; then
        echo "usage: scripts/break-it.sh <topic>" >&2
        echo "topics: $(break_it_known_topics | tr '\n' ' ')" >&2
        return 2
    fi
    local topic="$1" patch="$BREAK_IT_BREAKS_DIR/$1.patch"
    if [[ ! -f "$patch" ]]; then
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
    local caught=0
    break_it_check_patch "$scratch/repo" "$patch" || caught=1
    echo "  to experiment in your own tree: git apply fundamentals/breaks/$topic.patch (undo: git apply -R …)"
    return $caught
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    break_it_main "$@"
fi
