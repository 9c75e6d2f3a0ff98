# shellcheck shell=bash
# Sourced, not run: the one definition of the madsim build, shared by scripts/lab.sh (`just
# scenario … --engine madsim`, `just agree`) and scripts/break-it.sh (scenario patches are built
# the same way, so that `just test` compiles the simulator's dependencies once for both).
#
# madsim's simulator is compiled in only with `--cfg madsim`, for the whole build; RUSTFLAGS
# replaces .cargo/config.toml's flags, so tokio_unstable is repeated. Its flags differ from the
# default build's, so it has its own target directory: target/madsim (or $CARGO_TARGET_DIR/madsim).

# shellcheck disable=SC2034 # used by the scripts that source this file
LAB_MADSIM_RUSTFLAGS="--cfg madsim --cfg tokio_unstable"

# The madsim build's target directory for the repository at $1.
madsim_target_dir() {
    printf '%s/madsim' "${CARGO_TARGET_DIR:-$1/target}"
}
