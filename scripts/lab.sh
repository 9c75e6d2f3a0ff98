#!/usr/bin/env bash
# Runs the `lab` CLI, built in release mode. With `--engine madsim` among the arguments, or for
# `lab agree` and `lab bench` (which run both engines), it is built with `--cfg madsim` in its own target
# directory (target/madsim): madsim's simulator is compiled in only then. That build runs
# turmoil too. A user never sets RUSTFLAGS by hand.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/madsim-build.sh
source "$repo/scripts/madsim-build.sh"
madsim=0
[[ "${1:-}" == agree || "${1:-}" == bench ]] && madsim=1
previous=""
for arg in "$@"; do
    [[ "$arg" == "--engine=madsim" || ("$previous" == "--engine" && "$arg" == "madsim") ]] && madsim=1
    previous="$arg"
done
if [[ $madsim -eq 1 ]]; then
    CARGO_TARGET_DIR="$(madsim_target_dir "$repo")"
    export CARGO_TARGET_DIR RUSTFLAGS="$LAB_MADSIM_RUSTFLAGS"
fi
exec cargo run --release --quiet --manifest-path "$repo/Cargo.toml" -p lab --bin lab -- "$@"
