#!/usr/bin/env bash
# Proxy benchmark: Portcullis against nginx as a plain reverse proxy, both in front of the same fast
# local upstream (nginx answering "hello\n"), measured with wrk in one run, interleaved and repeated.
#
# Usage: bench/run.sh            (as root it installs wrk and nginx with apt-get when missing)
# Environment (defaults in brackets):
#   DURATION [15s]        wrk duration of each measured run
#   CONNECTIONS [32]      wrk connections (-c)
#   THREADS [2]           wrk threads (-t)
#   REPEATS [3]           how many interleaved nginx/Portcullis pairs
#   WARMUP [20s]          least warm-up of Portcullis (its JIT) before measuring; it goes on in 5 s rounds
#   WARMUP_MAX [180s]     until two rounds agree within 10%, or this much time has passed
#   PROXY_WORKERS [2]     nginx worker_processes for the proxy = Portcullis event loops / server instances
#   UPSTREAM_WORKERS [1]  nginx worker_processes for the upstream
#   PROXY_CPUS []         taskset CPU list for the proxy under test (empty: no pinning)
#   LOAD_CPUS []          taskset CPU list for wrk and the upstream (empty: no pinning)
#   JAVA_OPTS [see below] JVM flags for Portcullis
#   RESULTS [bench/results/<timestamp>]  where raw output goes
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
REPEATS="${REPEATS:-3}"
WARMUP="${WARMUP:-20s}"
WARMUP_MAX="${WARMUP_MAX:-180s}"
PROXY_WORKERS="${PROXY_WORKERS:-2}"
UPSTREAM_WORKERS="${UPSTREAM_WORKERS:-1}"
PROXY_CPUS="${PROXY_CPUS:-}"
LOAD_CPUS="${LOAD_CPUS:-}"
# A fixed heap (no resizing), pre-touched; the parallel collector's short young pauses suit a proxy
# whose garbage is all short-lived. ActiveProcessorCount makes Portcullis size its event loops (and the
# JVM its GC and JIT threads) to PROXY_WORKERS, as nginx sizes its workers.
JAVA_OPTS="${JAVA_OPTS:--Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:+UseParallelGC -XX:ActiveProcessorCount=$PROXY_WORKERS}"
RESULTS="${RESULTS:-$here/results/$(date +%Y%m%d-%H%M%S)}"

# shellcheck source=lib.sh
source "$here/lib.sh"

# --- prerequisites ----------------------------------------------------------------------------------
prepare

# --- scratch space, ports, cleanup ------------------------------------------------------------------
work="$(mktemp -d /tmp/portcullis-bench.XXXXXX)"
mkdir -p "$RESULTS"

UPSTREAM_PORT="$(free_port 18180)"
NGINX_PORT="$(free_port $((UPSTREAM_PORT + 1)))"
PORTCULLIS_PORT="$(free_port $((NGINX_PORT + 1)))"
ADMIN_PORT="$(free_port $((PORTCULLIS_PORT + 1)))"

# --- upstream: nginx answering a small fixed body -----------------------------------------------------
start_upstream "$UPSTREAM_PORT" "$UPSTREAM_WORKERS" "$LOAD_CPUS"

# --- nginx as a plain reverse proxy -------------------------------------------------------------------
# Pooled keep-alive connections to the upstream, HTTP/1.1, and the same forwarding headers Portcullis
# sets (X-Forwarded-For/-Proto/-Host, X-Request-Id), so both do comparable work per request.
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes $PROXY_WORKERS;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  client_body_temp_path $work/nginx/tmp;
  proxy_temp_path $work/nginx/proxy_tmp;
  upstream bench {
    server 127.0.0.1:$UPSTREAM_PORT;
    keepalive 256;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://bench;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$http_host;
      proxy_set_header X-Request-Id \$request_id;
    }
  }
}
EOF
spawn "$PROXY_CPUS" "$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>"$work/nginx/logs/stderr"
nginx_pid=$!

# --- Portcullis ---------------------------------------------------------------------------------------
mkdir -p "$work/portcullis"
# shellcheck disable=SC2086
export PORTCULLIS_DEMO_ENABLED=false
spawn "$PROXY_CPUS" "$JAVA" --enable-native-access=ALL-UNNAMED $JAVA_OPTS -jar "$jar" serve \
  --listen "127.0.0.1:$PORTCULLIS_PORT" --admin-listen "127.0.0.1:$ADMIN_PORT" --data-dir "$work/portcullis/data" \
  >"$RESULTS/portcullis.log" 2>&1
portcullis_pid=$!

wait_http "http://127.0.0.1:$UPSTREAM_PORT/"
wait_http "http://127.0.0.1:$NGINX_PORT/"
wait_http "http://127.0.0.1:$ADMIN_PORT/healthz"
token="$(cat "$work/portcullis/data/admin-token")"
curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  "http://127.0.0.1:$ADMIN_PORT/v1/services" -d "{\"name\":\"bench\",\"upstream\":\"http://127.0.0.1:$UPSTREAM_PORT\"}" \
  || die "could not register the bench service with Portcullis (see $RESULTS/portcullis.log)"
wait_http "http://127.0.0.1:$PORTCULLIS_PORT/" -H 'Host: bench.localhost'
for t in upstream:$UPSTREAM_PORT nginx:$NGINX_PORT portcullis:$PORTCULLIS_PORT; do
  body="$(curl -fsS -H 'Host: bench.localhost' "http://127.0.0.1:${t#*:}/")"
  [ "$body" = "hello" ] || die "${t%%:*} answered '$body', expected 'hello'"
done

# --- measuring ----------------------------------------------------------------------------------------
declare -A URL=([upstream]="http://127.0.0.1:$UPSTREAM_PORT/" [nginx]="http://127.0.0.1:$NGINX_PORT/"
  [portcullis]="http://127.0.0.1:$PORTCULLIS_PORT/")
declare -A PID=([upstream]="$upstream_pid" [nginx]="$nginx_pid" [portcullis]="$portcullis_pid")
{
  echo "date: $(date -Is)"
  echo "host: $(uname -srm), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "wrk: $(wrk -v 2>&1 | head -n1)"
  echo "nginx: $("$NGINX" -v 2>&1)"
  echo "java: $("$JAVA" -version 2>&1 | head -n1)"
  echo "portcullis: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (with local changes)')"
  echo "settings: DURATION=$DURATION CONNECTIONS=$CONNECTIONS THREADS=$THREADS REPEATS=$REPEATS WARMUP=$WARMUP WARMUP_MAX=$WARMUP_MAX PROXY_WORKERS=$PROXY_WORKERS UPSTREAM_WORKERS=$UPSTREAM_WORKERS PROXY_CPUS=${PROXY_CPUS:-none} LOAD_CPUS=${LOAD_CPUS:-none}"
  echo "JAVA_OPTS: $JAVA_OPTS"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$RESULTS/environment.txt" >&2

# Warm-up: nginx needs none to speak of; the JVM needs its JIT to finish, which on a busy machine can
# take minutes. Portcullis is driven in 5 s rounds until two rounds in a row agree within 10% (after at
# least WARMUP and at most WARMUP_MAX seconds).
log "warming up upstream and nginx (5s each), then portcullis (${WARMUP}s to ${WARMUP_MAX}s)"
run_wrk upstream warmup-upstream 5s >/dev/null
run_wrk nginx warmup-nginx 5s >/dev/null
warm_start=$SECONDS; previous=0; round=0
while :; do
  round=$((round + 1))
  rps="$(run_wrk portcullis "warmup-portcullis-$round" 5s | cut -d' ' -f1)"
  elapsed=$((SECONDS - warm_start))
  stable="$(awk -v a="$previous" -v b="$rps" 'BEGIN {r = (a > b ? a / b : b / a); ok = (a > 0 && b > 0 && r < 1.10); print ok + 0}')"
  if { [ "$stable" = 1 ] && [ "$elapsed" -ge "${WARMUP%s}" ]; } || [ "$elapsed" -ge "${WARMUP_MAX%s}" ]; then break; fi
  previous="$rps"
done
log "portcullis warm after ${elapsed}s ($round rounds, last ${rps%.*} req/s)"

rows="$RESULTS/runs.tsv"
printf 'run\ttarget\trps\tp50_ms\tp99_ms\terrors\tcpu_us_per_req\tload1\n' >"$rows"
measure() { # measure TARGET RUN
  local r
  r="$(run_wrk "$1" "$1-$2" "$DURATION")"
  printf '%s\t%s\t%s\t%s\n' "$2" "$1" "$(tr ' ' '\t' <<<"$r")" "$(cut -d' ' -f1 /proc/loadavg)" >>"$rows"
  log "run $2 $1: $(awk '{printf "%.0f req/s, p50 %.3f ms, p99 %.3f ms, errors %d, %.1f us CPU/request", $1, $2, $3, $4, $5}' <<<"$r")"
}

measure upstream 0
for i in $(seq 1 "$REPEATS"); do
  # Alternate which proxy goes first so that drift in background load does not favour one of them.
  if [ $((i % 2)) -eq 1 ]; then measure nginx "$i"; measure portcullis "$i"
  else measure portcullis "$i"; measure nginx "$i"; fi
done
measure upstream $((REPEATS + 1))
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS/environment.txt" >&2

# --- summary ------------------------------------------------------------------------------------------
awk -F'\t' -v conns="$CONNECTIONS" '
  NR == 1 { next }
  { rps[$2, $1] = $3; p50[$2, $1] = $4; p99[$2, $1] = $5; cpu[$2, $1] = $7; load[$2, $1] = $8; err += $6
    if ($2 == "upstream") { urps += $3; up50 += $4; up99 += $5; ucpu += $7; un++ }
    if ($1 > maxrun) maxrun = $1 }
  function median(a, n,   i, j, t, b) {
    for (i = 1; i <= n; i++) b[i] = a[i]
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
    return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2 }
  function lo(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] < m) m = a[i]; return m }
  function hi(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] > m) m = a[i]; return m }
  END {
    n = 0
    printf "\n%-4s %9s %8s %8s %7s | %9s %8s %8s %7s | %7s %9s %6s\n", "pair", "nginx r/s", "p50 ms", "p99 ms", \
      "cpu us", "portc r/s", "p50 ms", "p99 ms", "cpu us", "ratio", "p99 diff", "load"
    for (r = 1; r < maxrun; r++) {
      if (!((("nginx") SUBSEP r) in rps)) continue
      n++
      ratio[n] = rps["portcullis", r] / rps["nginx", r]; diff[n] = p99["portcullis", r] - p99["nginx", r]
      nr[n] = rps["nginx", r]; n50[n] = p50["nginx", r]; n99[n] = p99["nginx", r]; nc[n] = cpu["nginx", r]
      pr[n] = rps["portcullis", r]; p5[n] = p50["portcullis", r]; p9[n] = p99["portcullis", r]; pc[n] = cpu["portcullis", r]
      cr[n] = pc[n] / nc[n]
      printf "%-4d %9.0f %8.3f %8.3f %7.1f | %9.0f %8.3f %8.3f %7.1f | %7.3f %+9.3f %6.2f\n", r, nr[n], n50[n], \
        n99[n], nc[n], pr[n], p5[n], p9[n], pc[n], ratio[n], diff[n], (load["nginx", r] + load["portcullis", r]) / 2
    }
    mr = median(ratio, n); md = median(diff, n)
    printf "\nmedians over %d interleaved pairs at %d connections (cpu us = CPU time of that server per request):\n", n, conns
    printf "  %-22s %10s %10s %10s %10s\n", "", "req/s", "p50 ms", "p99 ms", "cpu us"
    printf "  %-22s %10.0f %10.3f %10.3f %10.1f   (mean of %d runs)\n", "upstream direct", urps / un, up50 / un, \
      up99 / un, ucpu / un, un
    printf "  %-22s %10.0f %10.3f %10.3f %10.1f\n", "nginx reverse proxy", median(nr, n), median(n50, n), median(n99, n), median(nc, n)
    printf "  %-22s %10.0f %10.3f %10.3f %10.1f\n", "portcullis", median(pr, n), median(p5, n), median(p9, n), median(pc, n)
    printf "\n  throughput portcullis/nginx: %.3f (range %.3f..%.3f)   target >= 0.80: %s\n", mr, lo(ratio, n), \
      hi(ratio, n), (mr >= 0.8 ? "met" : "NOT met")
    printf "  p99 portcullis - nginx:      %+.3f ms (range %+.3f..%+.3f)   target <= +1 ms: %s\n", md, lo(diff, n), \
      hi(diff, n), (md <= 1.0 ? "met" : "NOT met")
    printf "  CPU per request portcullis/nginx: %.2f (range %.2f..%.2f)\n", median(cr, n), lo(cr, n), hi(cr, n)
    if (err > 0) printf "\n  WARNING: %d non-2xx responses or socket errors; see the raw wrk output\n", err
  }' "$rows" | tee "$RESULTS/summary.txt"
log "raw output in $RESULTS"
