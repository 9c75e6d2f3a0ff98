#!/usr/bin/env bash
# Runs the `lab` CLI, built in release mode. With `--engine madsim` among the arguments it is
# built with `--cfg madsim` in its own target directory (target/madsim): madsim's simulator is
# compiled in only then, and RUSTFLAGS replaces .cargo/config.toml's flags, so tokio_unstable
# is repeated here. That build runs turmoil too. A user never sets RUSTFLAGS by hand.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
previous=""
for arg in "$@"; do
    if [[ "$arg" == "--engine=madsim" || ("$previous" == "--engine" && "$arg" == "madsim") ]]; then
        export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}/madsim"
        export RUSTFLAGS="--cfg madsim --cfg tokio_unstable"
    fi
    previous="$arg"
done
exec cargo run --release --quiet --manifest-path "$repo/Cargo.toml" -p lab --bin lab -- "$@"
