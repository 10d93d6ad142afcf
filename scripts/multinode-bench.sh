#!/usr/bin/env bash
# Runs kassa-bench against N gateways on one fresh PostgreSQL database (32 clients split across
# them) and prints each node's line. Needs release builds of kassa and kassa-bench.
# usage: scripts/multinode-bench.sh <nodes> <create|flow|retrieve> <seconds>
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=$1; scen=$2; secs=$3
db=kassa_bench_$$
psql -h 127.0.0.1 -U postgres -q -c "CREATE DATABASE $db"
export KASSA_MASTER_KEY=$(openssl rand -hex 32) KASSA_RATE_LIMIT=0 KASSA_LOG=warn DATABASE_URL=postgres://postgres@127.0.0.1:5432/$db
gws=(); logs=()
for i in $(seq 1 $n); do
  log=$(mktemp); logs+=($log)
  KASSA_ADDR=127.0.0.1:$((8500+i)) "$root"/target/release/kassa > $log 2>&1 &
  gws+=($!)
  sleep 1.5
done
k=$(grep -o 'sk_test_[A-Za-z0-9]*' ${logs[0]} | head -1)
per=$((32 / n))
benches=()
for i in $(seq 1 $n); do
  ("$root"/target/release/kassa-bench --url http://127.0.0.1:$((8500+i)) --key $k -c $per -d $secs --scenario $scen 2>&1 | grep -E "^(create|flow: whole|retrieve)" | sed "s/^/node$i /") &
  benches+=($!)
done
wait ${benches[@]}
for p in ${gws[@]}; do kill $p; done
wait ${gws[@]} 2>/dev/null
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE $db WITH (FORCE)"
