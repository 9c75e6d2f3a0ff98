#!/usr/bin/env bash
# Everything `just test` (and so CI) runs, phase by phase, stopping at the first phase that
# fails. Each phase's wall time is printed when it ends, and all of them again at the end, so a
# slow CI run says where its time went.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

timings=()

# Runs phase $1 (a name) as the command that follows; records its wall time.
phase() {
    local name="$1" started=$SECONDS
    shift
    echo "== phase: $name"
    "$@"
    local took=$((SECONDS - started))
    timings+=("$(printf '%-16s %4d min %02d s' "$name" $((took / 60)) $((took % 60)))")
    echo "== phase: $name done in $((took / 60)) min $((took % 60)) s"
}

phase lint just lint
phase "cargo test" cargo test --workspace
phase loom just loom
phase agree just agree --seeds 20 --turmoil-seeds 3
phase break-its scripts/check-breaks.sh

echo
echo "wall time by phase:"
printf '  %s\n' "${timings[@]}"
