#!/usr/bin/env bash
# Many nodes, longer: three gateways on one PostgreSQL take N payments (default 120) round-robin
# with webhooks while a random node is killed or restarted every sixth payment; then nothing may
# be lost, doubled or stuck, and every event must have been delivered (tests/binary/nodes.rs).
#   KASSA_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kassa_chaos scripts/nodes-chaos.sh 300
set -euo pipefail
cd "$(dirname "$0")/.."
: "${KASSA_TEST_DATABASE_URL:?set KASSA_TEST_DATABASE_URL to a PostgreSQL database URL (the test creates its own databases)}"
KASSA_NODES_PAYMENTS="${1:-120}" KASSA_NODES_CHAOS=1 cargo test -p kassa-server --test binary --locked \
  nodes::three_nodes_on_one_postgres -- --nocapture
