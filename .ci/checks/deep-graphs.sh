#!/usr/bin/env bash
# A million-hop chain and ring of synchronous calls through analyze, diagram and generate:
# every graph walk must be iterative. Too slow for a debug build, so `cargo test` skips
# these two and this runs them in release.
set -euo pipefail
cargo test --locked --release --test deep_graphs
