#!/usr/bin/env bash
# kill -9 rounds for longer runs: N rounds (default 20) of tests/binary/rounds.rs, where clients
# pay, capture and refund while the gateway is killed at a random moment and restarted. On
# SQLite, or on PostgreSQL when KASSA_TEST_DATABASE_URL names a database server (see docs/testing.md).
#   scripts/crash-rounds.sh 50
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-20}"
KASSA_CRASH_ROUNDS="$rounds" cargo test -p kassa-server --test binary --locked \
  rounds::killed_at_random_moments -- --nocapture
