# Shell functions the benchmark scripts share: prerequisites and the jar, process cleanup, ports,
# pinning, waiting for a listener, the upstream, and one wrk run with the CPU the target spent. Sourced;
# expects root, RESULTS, LOAD_CPUS, THREADS, CONNECTIONS, and the arrays URL and PID (target name -> URL /
# pid) to be set by the script.

log() { printf '%s\n' "bench: $*" >&2; }
die() { log "$*"; exit 1; }

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ -n "${work:-}" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback TCP port at or above $1 that no one listens on.
free_port() {
  local p="$1"
  while ss -Htln "sport = :$p" | grep -q .; do p=$((p + 1)); done
  echo "$p"
}
pin() { # pin CPUS cmd...: run cmd under taskset when a CPU list is given
  local cpus="$1"; shift
  if [ -n "$cpus" ]; then taskset -c "$cpus" "$@"; else "$@"; fi
}
spawn() { # spawn CPUS cmd...: start cmd in the background (pinned) and remember its pid for cleanup
  local cpus="$1"; shift
  if [ -n "$cpus" ]; then exec_cmd=(taskset -c "$cpus" "$@"); else exec_cmd=("$@"); fi
  "${exec_cmd[@]}" &
  pids+=($!)
}

wait_http() { # wait_http URL [curl args...]
  local url="$1"; shift
  for _ in $(seq 300); do
    if curl -fsS -o /dev/null "$@" "$url" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "nothing answers on $url"
}

TICK_HZ="$(getconf CLK_TCK)"

# cpu_ticks PID: user+system CPU ticks of the process and its children (nginx's workers), all threads
cpu_ticks() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

# thread_ticks PID: "NAME TICKS" per thread of the process (user+system CPU ticks), thread names with
# their trailing numbers dropped (vert.x-eventloop-thread-0 and -1 add up as vert.x-eventloop-thread-)
thread_ticks() {
  local t name
  for t in /proc/"$1"/task/*; do
    name="$(cat "$t/comm" 2>/dev/null)" || continue
    awk -v n="${name%%[0-9]*}" '{ sub(/^.*\) /, ""); print n "\t" ($12 + $13) }' "$t/stat" 2>/dev/null || true
  done | awk -F'\t' '{ s[$1] += $2 } END { for (k in s) print k "\t" s[k] }'
}

# thread_cpu BEFORE AFTER REQUESTS: the CPU microseconds per request each thread group spent between two
# thread_ticks snapshots, largest first
thread_cpu() {
  awk -F'\t' -v hz="$TICK_HZ" -v n="$3" 'NR == FNR { b[$1] = $2; next }
    { d = $2 - b[$1]; if (d > 0) printf "%8.1f us  %s\n", d * 1e6 / hz / n, $1 }' "$1" "$2" | sort -rn
}

# to_ms VALUE: wrk latency (e.g. 812.00us, 1.23ms, 1.01s) in milliseconds
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.3f", n }'
}

# run_wrk TARGET LABEL DURATION: runs wrk, keeps its output, prints
# "rps p50_ms p99_ms errors cpu_us_per_request" (CPU of the target's processes only). With THREAD_CPU set,
# also logs (and keeps in LABEL.threads.txt) the CPU per request of each of the target's thread groups.
run_wrk() {
  local target="$1" label="$2" duration="$3" out="$RESULTS/$2.txt" before after
  before="$(cpu_ticks "${PID[$target]}")"
  if [ -n "${THREAD_CPU:-}" ]; then thread_ticks "${PID[$target]}" >"$RESULTS/$label.threads-before"; fi
  pin "$LOAD_CPUS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --latency -H 'Host: bench.localhost' \
    "${URL[$target]}" >"$out" 2>&1 || die "wrk failed against $target (see $out)"
  after="$(cpu_ticks "${PID[$target]}")"
  local rps p50 p99 errors total cpu
  rps="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
  [ -n "$rps" ] || die "could not read wrk output $out"
  p50="$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")"
  errors="$(awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$out")"
  total="$(awk '/requests in/ {print $1}' "$out")"
  if [ -n "${THREAD_CPU:-}" ]; then
    thread_ticks "${PID[$target]}" >"$RESULTS/$label.threads-after"
    thread_cpu "$RESULTS/$label.threads-before" "$RESULTS/$label.threads-after" "$total" >"$RESULTS/$label.threads.txt"
    log "$label: CPU per request by thread: $(head -n 6 "$RESULTS/$label.threads.txt" | awk '{printf "%s%s %s %s", (NR > 1 ? ", " : ""), $3, $1, $2}')"
  fi
  cpu="$(awk -v t=$((after - before)) -v hz="$TICK_HZ" -v n="$total" 'BEGIN {printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0)}')"
  echo "$rps $p50 $p99 $errors $cpu"
}


# prepare: installs wrk and nginx when missing (as root), finds a JDK 21+ and builds target/portcullis.jar
# when the sources are newer. Sets NGINX, JAVA and jar.
prepare() {
  local missing=()
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  if [ "${#missing[@]}" -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root"
    log "installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
  command -v curl >/dev/null 2>&1 || die "curl is needed"
  # shellcheck source=../bin/find-java.sh
  source "$root/bin/find-java.sh"
  JAVA="$(find_java)" || exit 1
  jar="$root/target/portcullis.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; then
    log "building target/portcullis.jar"
    JAVA_HOME="$(dirname "$(dirname "$JAVA")")" mvn -q -B -f "$root/pom.xml" -DskipTests package >&2
  fi
}

# start_upstream PORT WORKERS CPUS: nginx answering "hello" on 127.0.0.1:PORT (state in $work/upstream);
# sets upstream_pid.
start_upstream() {
  mkdir -p "$work/upstream/logs"
  cat >"$work/upstream/nginx.conf" <<CONF
worker_processes $2;
daemon off;
pid $work/upstream/nginx.pid;
error_log $work/upstream/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  client_body_temp_path $work/upstream/tmp;
  server {
    listen 127.0.0.1:$1;
    default_type text/plain;
    location / { return 200 "hello\n"; }
  }
}
CONF
  spawn "$3" "$NGINX" -p "$work/upstream" -c "$work/upstream/nginx.conf" 2>"$work/upstream/logs/stderr"
  upstream_pid=$!
}
