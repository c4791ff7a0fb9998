#!/usr/bin/env bash
# Runs the JMH benchmarks (src/test/java/dev/portcullis/bench) with a JDK 21+ found as ./portcullis finds
# one. Compiles the main and test classes first (tests are not run), then passes every argument to JMH:
#   bench/jmh.sh -l                                          list the benchmarks
#   bench/jmh.sh -f 1 -wi 3 -i 5 -w 2s -r 2s DecisionBenchmark
#   bench/jmh.sh -h                                          JMH's options
# SKIP_BUILD=1 skips the Maven step (classes already compiled).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$root/bin/find-java.sh"
java_bin="$(find_java)" || exit 1
export JAVA_HOME="$(dirname "$(dirname "$java_bin")")"

cp_file="$root/target/jmh.classpath"
if [ "${SKIP_BUILD:-}" != 1 ]; then
  mvn -q -B -f "$root/pom.xml" test-compile
  mvn -q -B -f "$root/pom.xml" dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file"
fi
[ -f "$cp_file" ] || { echo "jmh: $cp_file is missing; run without SKIP_BUILD=1" >&2; exit 1; }

exec "$java_bin" -cp "$root/target/test-classes:$root/target/classes:$(cat "$cp_file")" org.openjdk.jmh.Main "$@"
