# Everyday commands of Backend Lab (`just --list` shows them all).
# Scenario commands build the `lab` CLI in release mode: simulations are CPU-bound.

lab := "cargo run --release --quiet -p lab --"

# List the commands.
default:
    @just --list

# Run a scenario: just scenario rate-limiter [seed] [--variant NAME]
scenario name *args:
    {{lab}} run {{name}} {{args}}

# Run a seed again, event for event, and compare with its earlier trace.
replay name seed *args:
    {{lab}} replay {{name}} {{seed}} {{args}}

# Run COUNT seeds on all cores: just sweep rate-limiter 500 [--variant NAME]
sweep name count *args:
    {{lab}} sweep {{name}} {{count}} {{args}}

# List the scenarios with a one-line summary each.
list:
    {{lab}} list

# Print a scenario's lesson.
lesson name:
    {{lab}} lesson {{name}}

# Check a scenario file without running it.
check file:
    {{lab}} check {{file}}

# Run every test (the command CI runs).
test:
    cargo test --workspace

# Simulator speed per scenario: simulated seconds per wall second, seeds per minute.
bench *args:
    {{lab}} bench {{args}}
