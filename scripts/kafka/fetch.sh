#!/usr/bin/env bash
# Copies the Kafka broker's runtime jars from Maven Central into a cache folder outside the
# clone (so CI does not download ~100 MB every run). Prints the folder on stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="$(grep -A1 '<artifactId>kafka_2.13</artifactId>' "$here/pom.xml" | grep -o '[0-9][0-9.]*' | tail -1)"
dir="${ONECARD_CACHE:-$HOME/.cache/onecard}/kafka-$version"
if [ ! -f "$dir/.complete" ]; then
  command -v mvn >/dev/null || { echo "Maven (mvn) is needed to fetch the Kafka jars" >&2; exit 1; }
  echo "fetching Kafka $version jars from Maven Central into $dir (once) ..." >&2
  mkdir -p "$dir"
  # The dependency plugin is pinned: Maven 3.8 otherwise resolves a very old one.
  mvn -q -B -f "$here/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$dir" >&2
  touch "$dir/.complete"
fi
echo "$dir"
