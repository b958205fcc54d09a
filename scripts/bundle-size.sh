#!/usr/bin/env bash
# Prints the size of the release browser bundle, raw and gzipped.
set -euo pipefail
cd "$(dirname "$0")/.."
for file in target/site/pkg/trekmail-tokens.wasm target/site/pkg/trekmail-tokens.js target/site/pkg/trekmail-tokens.css; do
  raw=$(stat -c %s "$file")
  gz=$(gzip -9 -c "$file" | wc -c)
  printf '%-45s %8d bytes raw  %8d bytes gzipped\n' "$file" "$raw" "$gz"
done
