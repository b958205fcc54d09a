#!/usr/bin/env bash
# Runs the in-process integration suite many times in one process each (cargo test's threads, the
# setting where tests share Leptos's process-wide state) while two busy loops load both cores,
# and counts failures and hangs. Each run is bounded; the loops stop with the script.
# Usage: scripts/stress-tests.sh [runs] [test-filter]   (default: 200 runs of the dashboard module,
# where the hang was seen, and hardening::upkeep, which renders pages while routers are built).
set -uo pipefail
runs=${1:-200}
filter=${2:-}
cd "$(dirname "$0")/.."
cargo test --features ssr --test it --no-run --quiet >/dev/null 2>&1 || { echo "build failed"; exit 1; }
binary=$(cargo test --features ssr --test it --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "it" and m.get("executable"):
        print(m["executable"])' | tail -1)
hogs=()
for _ in 1 2; do ( while :; do :; done ) & hogs+=($!); done
trap 'kill "${hogs[@]}" 2>/dev/null' EXIT
passed=0 failed=0 hung=0
start=$(date +%s)
for i in $(seq 1 "$runs"); do
  if [ -n "$filter" ]; then args=("$filter"); else args=(dashboard hardening::upkeep); fi
  timeout 120 "$binary" "${args[@]}" --quiet >/tmp/stress-run.log 2>&1
  case $? in
    0) passed=$((passed + 1)) ;;
    124) hung=$((hung + 1)); echo "run $i hung"; tail -5 /tmp/stress-run.log ;;
    *) failed=$((failed + 1)); echo "run $i failed"; grep -E "panicked|FAILED" /tmp/stress-run.log | head -5 ;;
  esac
done
echo "stress: $runs runs in $(( $(date +%s) - start )) s under two busy loops"
echo "$passed passed, $((failed + hung)) failed"
echo "hung: $hung"
[ $((failed + hung)) -eq 0 ]
