#!/usr/bin/env bash
# Proves every break-it exercise still works: each fundamentals/breaks/*.patch must still apply
# to the current code and must still be caught the way its `Expect:` line says (a named test
# fails, or the compiler rejects it with the named error code). Exercises cannot rot silently.
#
#   scripts/check-breaks.sh            all patches
#   scripts/check-breaks.sh lru_cache  only the named topics
#
# Prints each patch's report, then one summary line `N passed, M failed`; exits 0 only if
# every patch passed. Fast by construction: one scratch copy for all patches (each is applied,
# tested and reversed in turn), one shared target dir, and only the patched module's tests run.

set -euo pipefail

# shellcheck source=scripts/break-it.sh
source "$(dirname "${BASH_SOURCE[0]}")/break-it.sh"

main() {
    local topics=("$@")
    if [[ ${#topics[@]} -eq 0 ]]; then
        mapfile -t topics < <(break_it_known_topics)
    fi

    local scratch
    scratch="$(break_it_scratch_dir)"
    mkdir -p "$scratch"
    exec 9>"$scratch.lock"
    flock 9
    break_it_prepare_scratch "$scratch"

    local passed=0 failed=0 failures=() topic patch
    for topic in "${topics[@]}"; do
        patch="$BREAK_IT_BREAKS_DIR/$topic.patch"
        if [[ -f "$patch" ]] && break_it_check_patch "$scratch/repo" "$patch"; then
            passed=$((passed + 1))
        else
            [[ -f "$patch" ]] || echo "== $topic: no such patch ($patch)"
            failed=$((failed + 1))
            failures+=("$topic")
        fi
    done

    if [[ $failed -gt 0 ]]; then
        echo "not caught or not applying: ${failures[*]}"
    fi
    echo "$passed passed, $failed failed"
    [[ $failed -eq 0 ]]
}

main "$@"
