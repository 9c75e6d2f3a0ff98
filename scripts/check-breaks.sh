#!/usr/bin/env bash
# Proves every break-it exercise still works: each fundamentals/breaks/*.patch and each
# scenarios/breaks/<scenario>/*.patch must still apply to the current code and must still be
# caught the way its `Expect:` line says (a named test fails, the compiler rejects it with the
# named error code, or the named scenario check fails). Exercises cannot rot silently.
#
#   scripts/check-breaks.sh                       all patches
#   scripts/check-breaks.sh lru_cache rate-limiter only the named topics (as scripts/break-it.sh
#                                                 takes them: topic, scenario, scenario/name)
#
# Prints each patch's report as it finishes, then one summary line `N passed, M failed`; exits 0
# only if every patch passed.
#
# Fast by construction: $BREAK_IT_JOBS workers (default: 2, or 1 on a 1-core machine) run
# patches in parallel, each in its own scratch copy with its own target dir, because two cargo
# builds cannot share one target dir at the same time. Worker 1 takes the scenario patches: their
# `lab` builds share target/madsim with `just agree`, which `just test` runs first, so tokio,
# tonic, turmoil and madsim are compiled already; then it joins the others on the lesson
# patches. Those build in the repository's own target dir, where `cargo test --workspace`
# compiled their dependencies (the few whose features differ when `fundamentals` is built
# alone, tokio and around it, compile once more, beside them). Cargo locks a target dir while
# it builds, so lesson checks build with `--no-run` and run their test binary apart: workers
# take turns to build and test side by side. In each copy a patch is applied,
# tested and reversed in turn, and only the patched module's tests run.
#
# Verified results are cached by their inputs, as a build system caches test results: a patch
# caught before is not rebuilt while the patch and every file its check depends on are
# byte-identical (see inputs_hash below), and its earlier report is printed again, marked
# `(cached)`. Anything changed, and the patch is checked afresh; only catches are cached.
# BREAK_IT_FRESH=1 ignores the cache.

set -euo pipefail

# shellcheck source=scripts/break-it.sh
source "$(dirname "${BASH_SOURCE[0]}")/break-it.sh"

# Pops the next line of queue $2 in work dir $1 (under a lock); returns 1 when it is empty.
next_in_queue() {
    local work="$1" queue="$2" taken line
    (
        flock 8
        taken="$(cat "$work/$queue.taken")"
        line="$(sed -n "$((taken + 1))p" "$work/$queue")"
        [[ -n "$line" ]] || exit 1
        echo $((taken + 1)) >"$work/$queue.taken"
        printf '%s\n' "$line"
    ) 8>"$work/queue.lock"
}

# Hash of everything the check of a patch of kind $1 (`fundamentals` or `scenario`) depends on,
# apart from the patch itself: the toolchain, the workspace's build files, these scripts, and
# the sources a patched build compiles. A fundamentals patch builds only the `fundamentals`
# crate (it depends on no other workspace crate); a scenario patch builds `lab`, which depends
# on every crate, and runs it on the scenario files, so every file counts except other patches.
inputs_hash() {
    local kind="$1"
    (
        cd "$BREAK_IT_REPO"
        rustc -vV
        cargo -V
        local files
        if [[ "$kind" == fundamentals ]]; then
            files="$(git ls-files --cached --others --exclude-standard -- fundamentals Cargo.toml Cargo.lock \
                .cargo scripts/break-it.sh scripts/check-breaks.sh | grep -v '^fundamentals/breaks/')"
        else
            files="$(git ls-files --cached --others --exclude-standard |
                grep -vE '^(fundamentals|scenarios)/breaks/')"
        fi
        # Deleted-but-tracked files are listed too; hash what exists, name every path.
        while IFS= read -r file; do
            printf '%s\n' "$file"
            [[ -f "$file" ]] && sha256sum <"$file"
        done <<<"$files"
    ) | sha256sum | cut -d' ' -f1
}

# The cache entry of patch $2 given inputs hash $1.
cache_entry() {
    printf '%s/%s' "$BREAK_IT_CACHE" "$(cat <(printf '%s\n' "$1") "$2" | sha256sum | cut -d' ' -f1)"
}

# Worker $2 of work dir $1: checks patches from its queues until they are empty. Each patch's
# report is printed whole (under a lock, so reports never interleave) and its outcome is left
# in $work/<index>.rc for the summary.
worker() {
    local work="$1" id="$2" queues=(any) scratch entry index patch report caught
    # Lesson patches build in the repository's own target dir, where `cargo test --workspace`
    # (run before this by `just test`) has compiled every dependency of `fundamentals` already:
    # only the patched crate is compiled per patch.
    # Every worker builds lesson patches there: cargo locks it only while building (see
    # break_it_run_module), so workers take turns to build and run their tests side by side.
    BREAK_IT_TARGET_DIR="${CARGO_TARGET_DIR:-$BREAK_IT_REPO/target}"
    BREAK_IT_UNIT=$((256 - id))
    if [[ $id -eq 1 ]]; then
        scratch="$(break_it_scratch_dir)"
        queues=(lab any)
    else
        scratch="$(break_it_scratch_dir "w$id")"
    fi
    mkdir -p "$scratch"
    exec 9>"$scratch.lock"
    flock 9
    break_it_prepare_scratch "$scratch"
    local queue
    for queue in "${queues[@]}"; do
        while entry="$(next_in_queue "$work" "$queue")"; do
            index="${entry%% *}"
            patch="${entry#* }"
            caught=0
            local entry_file kind=fundamentals
            [[ -n "$(break_it_header "$patch" Scenario)" ]] && kind=scenario
            entry_file="$(cache_entry "$(cat "$work/$kind.hash")" "$patch")"
            if [[ "${BREAK_IT_FRESH:-0}" != 1 && -f "$entry_file" ]]; then
                report="$(sed '1s/$/ (cached: caught before with identical inputs)/' "$entry_file")"
            else
                report="$(break_it_check_patch "$scratch/repo" "$patch" 2>&1)" || caught=1
                [[ $caught -eq 0 ]] && printf '%s\n' "$report" >"$entry_file"
            fi
            echo "$caught" >"$work/$index.rc"
            (
                flock 8
                printf '%s\n' "$report"
            ) 8>"$work/output.lock"
        done
    done
}

main() {
    local patches=() topic found
    if [[ $# -eq 0 ]]; then
        mapfile -t patches < <(break_it_all_patches)
    fi
    for topic in "$@"; do
        mapfile -t found < <(break_it_patches_for "$topic")
        if [[ ${#found[@]} -eq 0 ]]; then
            echo "unknown topic '$topic'; known topics:" >&2
            break_it_known_topics | sed 's/^/  /' >&2
            return 2
        fi
        patches+=("${found[@]}")
    done

    local jobs="${BREAK_IT_JOBS:-$(($(nproc) >= 2 ? 2 : 1))}"
    local work
    work="$(mktemp -d "${TMPDIR:-/tmp}/check-breaks.XXXXXX")"
    # shellcheck disable=SC2064 # expand now: $work is local
    trap "rm -rf '$work'" EXIT

    # Two queues of `index path` lines: scenario patches (worker 1 only) and the rest.
    local i
    : >"$work/lab"
    : >"$work/any"
    for i in "${!patches[@]}"; do
        if [[ -n "$(break_it_header "${patches[$i]}" Scenario)" ]]; then
            echo "$i ${patches[$i]}" >>"$work/lab"
        else
            echo "$i ${patches[$i]}" >>"$work/any"
        fi
    done
    echo 0 >"$work/lab.taken"
    echo 0 >"$work/any.taken"
    BREAK_IT_CACHE="$BREAK_IT_TARGET_DIR/verified"
    mkdir -p "$BREAK_IT_CACHE"
    inputs_hash fundamentals >"$work/fundamentals.hash"
    inputs_hash scenario >"$work/scenario.hash"

    echo "checking ${#patches[@]} break-it patches with $jobs worker(s)"
    local pids=() id
    for ((id = 1; id <= jobs; id++)); do
        worker "$work" "$id" &
        pids+=($!)
    done
    local pid
    for pid in "${pids[@]}"; do
        wait "$pid" || echo "(a worker stopped early: exit $?)"
    done

    local passed=0 failed=0 failures=()
    for i in "${!patches[@]}"; do
        if [[ "$(cat "$work/$i.rc" 2>/dev/null)" == 0 ]]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            failures+=("$(break_it_topic_of "${patches[$i]}")")
        fi
    done
    if [[ $failed -gt 0 ]]; then
        echo "not caught or not applying: ${failures[*]}"
    fi
    echo "$passed passed, $failed failed"
    [[ $failed -eq 0 ]]
}

main "$@"
