# Finds a JDK 21 or newer: $JAVA_HOME, then java on the PATH, then /usr/lib/jvm/*.
# Prints the java binary's path; on failure prints one line to stderr and returns 1.
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1 | cut -d. -f1
}

find_java() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for c in /usr/lib/jvm/*/bin/java; do [ -x "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c" ] || continue
    major="$(java_major "$c")"
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
      if [ -x "$(dirname "$c")/javac" ]; then echo "$c"; return 0; fi
    fi
  done
  echo "portcullis: no JDK 21 or newer found (looked at \$JAVA_HOME, java on the PATH and /usr/lib/jvm); install one, e.g. 'apt-get install openjdk-21-jdk-headless', or set JAVA_HOME" >&2
  return 1
}
