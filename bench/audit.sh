#!/usr/bin/env bash
# Audit overhead: proxied throughput of Portcullis with auditing on against the same build with
# auditing off (audit.enabled=false), in one run, interleaved and repeated. Both serve a service with
# IAP on that allUsers may reach, so every request is an IAM decision, and with auditing on, an audit
# event (queue, hash chain, file with group fsync, store copy). This machine's throughput wanders by
# 10-20% from minute to minute, so it runs many short pairs, alternating which goes first, and reports
# the median of their ratios. Two JVMs also compile the same code differently, which can favour either
# side for a whole run: ROUNDS > 1 starts both afresh for each round and pools the pairs.
#
# Usage: bench/audit.sh        (as root it installs wrk and nginx with apt-get when missing)
# Environment: DURATION [10s], CONNECTIONS [32], THREADS [2], REPEATS [10 pairs per round], ROUNDS [1],
#   WARMUP [60s, twice each per round: four minutes of load per JVM, so that the JIT has compiled
#   the audit code that runs a few times a second, not per request], PROXY_WORKERS [2],
#   THREAD_CPU [unset; set it to log the CPU per request of each thread group],
#   JAVA_OPTS, RESULTS [bench/results/audit-<timestamp>]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
REPEATS="${REPEATS:-10}"
ROUNDS="${ROUNDS:-1}"
WARMUP="${WARMUP:-60s}"
PROXY_WORKERS="${PROXY_WORKERS:-2}"
LOAD_CPUS=""
JAVA_OPTS="${JAVA_OPTS:--Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:+UseParallelGC -XX:ActiveProcessorCount=$PROXY_WORKERS}"
RESULTS="${RESULTS:-$here/results/audit-$(date +%Y%m%d-%H%M%S)}"

# shellcheck source=lib.sh
source "$here/lib.sh"

prepare

work="$(mktemp -d /tmp/portcullis-audit-bench.XXXXXX)"
mkdir -p "$RESULTS"
UPSTREAM_PORT="$(free_port 18280)"
start_upstream "$UPSTREAM_PORT" 1 ""
declare -A PID=([upstream]="$upstream_pid")
declare -A URL=([upstream]="http://127.0.0.1:$UPSTREAM_PORT/")
declare -A ADMIN=()
wait_http "http://127.0.0.1:$UPSTREAM_PORT/"

# start_both ROUND: starts both instances (fresh JVMs, fresh data directories) and registers the service
start_both() {
  for target in audit-on audit-off; do
    port="$(free_port "$next_port")"; admin="$(free_port $((port + 1)))"; next_port=$((admin + 1))
    enabled=true; [ "$target" = audit-off ] && enabled=false
    rm -rf "$work/$target"; mkdir -p "$work/$target"
    # shellcheck disable=SC2086
    PORTCULLIS_DEMO_ENABLED=false PORTCULLIS_AUDIT_ENABLED=$enabled spawn "" "$JAVA" --enable-native-access=ALL-UNNAMED \
      $JAVA_OPTS -jar "$jar" serve --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin" \
      --data-dir "$work/$target/data" >"$RESULTS/$target-round$1.log" 2>&1
    PID[$target]=$!
    URL[$target]="http://127.0.0.1:$port/"
    ADMIN[$target]="http://127.0.0.1:$admin"
    wait_http "http://127.0.0.1:$admin/healthz"
    token="$(cat "$work/$target/data/admin-token")"
    curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      "http://127.0.0.1:$admin/v1/services" \
      -d "{\"name\":\"bench\",\"upstream\":\"http://127.0.0.1:$UPSTREAM_PORT\",\"iap\":true}" \
      || die "could not register the bench service with $target"
    curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      "http://127.0.0.1:$admin/v1/projects/default/services/bench:setIamPolicy" \
      -d '{"policy":{"bindings":[{"role":"roles/iap.httpsResourceAccessor","members":["allUsers"]}]}}' \
      || die "could not open the bench service to allUsers on $target"
    body="$(curl -fsS -H 'Host: bench.localhost' "http://127.0.0.1:$port/")"
    [ "$body" = hello ] || die "$target answered '$body', expected 'hello'"
  done
}

# stop_both: stops both instances (TERM, then KILL after 5 s)
stop_both() {
  local target pid
  for target in audit-on audit-off; do
    pid="${PID[$target]}"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

{
  echo "date: $(date -Is)"
  echo "host: $(uname -srm), $(nproc) CPUs"
  echo "java: $("$JAVA" -version 2>&1 | head -n1)"
  echo "portcullis: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "settings: DURATION=$DURATION CONNECTIONS=$CONNECTIONS THREADS=$THREADS REPEATS=$REPEATS ROUNDS=$ROUNDS WARMUP=$WARMUP"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$RESULTS/environment.txt" >&2

rows="$RESULTS/runs.tsv"
printf 'run\ttarget\trps\tp50_ms\tp99_ms\terrors\tcpu_us_per_req\n' >"$rows"
measure() {
  local r
  r="$(run_wrk "$1" "$1-$2" "$DURATION")"
  printf '%s\t%s\t%s\n' "$2" "$1" "$(tr ' ' '\t' <<<"$r")" >>"$rows"
  log "run $2 $1: $(awk '{printf "%.0f req/s, p99 %.3f ms, errors %d, %.1f us CPU/request", $1, $3, $4, $5}' <<<"$r")"
}
next_port=$((UPSTREAM_PORT + 1))
pair=0
for round in $(seq 1 "$ROUNDS"); do
  log "round $round of $ROUNDS: starting both instances"
  start_both "$round"
  # Twice each, alternating, so that neither has sat idle for long when the pairs begin (an idle spell
  # lets the JIT drop code compiled for load, and compiling it again costs the first run).
  log "warming up both, two rounds of $WARMUP each"
  for w in 1 2; do
    run_wrk audit-on "warmup-on-$round-$w" "$WARMUP" >/dev/null
    run_wrk audit-off "warmup-off-$round-$w" "$WARMUP" >/dev/null
  done
  for i in $(seq 1 "$REPEATS"); do
    pair=$((pair + 1))
    if [ $((i % 2)) -eq 1 ]; then measure audit-off "$pair"; measure audit-on "$pair"
    else measure audit-on "$pair"; measure audit-off "$pair"; fi
  done
  # Nothing may have been dropped to keep up: the audit-on replica's queue never overflowed.
  dropped="$(curl -fsS "${ADMIN[audit-on]}/metrics" | awk '/^portcullis_audit_dropped_total/ {print $2}')"
  echo "audit events dropped by audit-on in round $round: ${dropped:-unknown}" | tee -a "$RESULTS/environment.txt" >&2
  stop_both
done

awk -F'\t' -v per="$REPEATS" '
  function median(a, k,   i, j, t) {
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
  }
  NR == 1 { next }
  { rps[$2, $1] = $3; p99[$2, $1] = $5; err[$2] += $6; if ($1 > n) n = $1 }
  END {
    printf "\n%-4s %12s %12s %8s | %10s %10s\n", "pair", "off r/s", "on r/s", "on/off", "off p99", "on p99"
    for (r = 1; r <= n; r++) {
      ratio[r] = rps["audit-on", r] / rps["audit-off", r]
      printf "%-4d %12.0f %12.0f %8.3f | %10.3f %10.3f\n", r, rps["audit-off", r], rps["audit-on", r], ratio[r], \
        p99["audit-off", r], p99["audit-on", r]
    }
    # each round is a fresh pair of JVMs, whose JIT can favour either side for the whole round
    rounds = ""
    for (first = 1; first <= n; first += per) {
      k = 0
      for (r = first; r < first + per && r <= n; r++) one[++k] = ratio[r]
      rounds = rounds (first > 1 ? ", " : "") sprintf("%.3f", median(one, k))
    }
    med = median(ratio, n)
    printf "\nthroughput audit on / audit off: median %.3f (range %.3f..%.3f)   target >= 0.95: %s\n", med, ratio[1], ratio[n], \
      (med >= 0.95 ? "met" : "NOT met")
    if (n > per) printf "rounds (fresh JVMs): %s\n", rounds
    printf "errors: off %d, on %d\n", err["audit-off"], err["audit-on"]
  }' "$rows" | tee "$RESULTS/summary.txt"

# With THREAD_CPU: the mean CPU per request of the busiest thread groups over the measured pairs, each
# side (the warm-up runs left out), and the event loops' difference.
if [ -n "${THREAD_CPU:-}" ]; then
  # a group under 0.1 us in a run is not listed in it: it counts as 0 there
  awk '
    FNR == 1 { side = FILENAME ~ /\/audit-on-/ ? "on" : "off"; runs[side]++ }
    { us = $1; $1 = ""; $2 = ""; sub(/^ +/, ""); sum[side, $0] += us; groups[$0] = 1 }
    END {
      printf "mean CPU per request (us), on / off:"
      for (g in groups) {
        on = sum["on", g] / runs["on"]; off = sum["off", g] / runs["off"]
        if (on >= 0.2 || off >= 0.2) printf "  %s %.2f / %.2f", g, on, off
      }
      loops = "vert.x-eventloo"
      printf "\nevent loops, on - off: %+.2f us\n", sum["on", loops] / runs["on"] - sum["off", loops] / runs["off"]
    }' "$RESULTS"/audit-on-[0-9]*.threads.txt "$RESULTS"/audit-off-[0-9]*.threads.txt | tee -a "$RESULTS/summary.txt"
fi
