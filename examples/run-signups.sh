#!/usr/bin/env bash
# The user-signups quick start: builds the examples module and what it needs, then runs
# io.pspf.examples.signups.UserSignupsDemo on the embedded file log. No Kafka, nothing else to install.
#
#   bash examples/run-signups.sh [--events N] [--dir PATH] [--delay-ms MS] [--timeout-s S]
#
# Topics and state go to --dir (default ./pspf-data/user-signups, relative to where you run this); run it again with
# the same directory and it resumes. Environment: MVN (Maven command, default mvn), SIGNUPS_SKIP_BUILD=1 (use the
# classes already built), JAVA_HOME.
set -euo pipefail

EXAMPLES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$EXAMPLES_DIR")
MVN=${MVN:-mvn}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
CLASSPATH_FILE="$EXAMPLES_DIR/target/runtime-classpath.txt"

log() { echo "run-signups: $*" >&2; }

if [[ "${SIGNUPS_SKIP_BUILD:-0}" != 1 || ! -f "$CLASSPATH_FILE" ]]; then
  t0=$SECONDS
  log "building examples and the modules it needs (mvn package -DskipTests -pl examples -am)"
  # offline first (fast, and enough with a filled ~/.m2); online if something is missing. -am builds the PSPF modules
  # from this checkout, so nothing needs installing; the package phase writes the class path file.
  if ! (cd "$ROOT" && $MVN -q -o package -DskipTests -pl examples -am) >&2; then
    log "offline build failed; retrying with access to the Maven repositories"
    (cd "$ROOT" && $MVN -q package -DskipTests -pl examples -am) >&2
  fi
  log "build done in $((SECONDS - t0)) s"
fi

exec "$JAVA" -cp "$EXAMPLES_DIR/target/classes:$(cat "$CLASSPATH_FILE")" io.pspf.examples.signups.UserSignupsDemo "$@"
