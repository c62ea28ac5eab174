#!/usr/bin/env bash
# 未备案检测 benchmark (issue 15), release build:
#  1. a sample access log of SIZE_MB (default 1024 MB: nginx and Apache
#     formats, IPv4 and IPv6, one line in 500 garbage) written, then read by
#     the same reader as `beian detect`: lines a second, MB a second, peak memory;
#  2. 100 000 distinct domains, half of them filed, matched against an
#     embedded (SurrealKV) database of FILINGS filings (default 100 000;
#     seeded once and kept in the cache folder, ~2 min per 100 000 filings).
#   scripts/beian.sh bench-detect [SIZE_MB] [FILINGS]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/lib.sh"

SIZE="${1:-1024}"
FILINGS="${2:-100000}"
setup_rust
say "building the release server"
RUSTFLAGS="--cfg erase_components" cargo build --release --package=server --bin=beian
BIN="$CARGO_TARGET_DIR/release/beian"
DB_DIR="$CACHE/bench/detect-$FILINGS"
mkdir -p "$CACHE/bench"
if [ ! -f "$DB_DIR/seeded" ]; then
  rm -rf "$DB_DIR"
  mkdir -p "$DB_DIR"
  say "seeding $FILINGS filings into $DB_DIR (once; kept for the next run)"
  BEIAN_DB="surrealkv://$DB_DIR/db" BEIAN_LOG=warn "$BIN" seed --records "$FILINGS"
  touch "$DB_DIR/seeded"
fi
say "writing and reading a $SIZE MB access log (no database)"
BEIAN_DB=mem:// BEIAN_LOG=warn "$BIN" bench-detect --no-match --size-mb "$SIZE" --hosts 300000 --log "$CACHE/bench/access.log"
say "matching 100 000 domains against $FILINGS filings"
BEIAN_DB="surrealkv://$DB_DIR/db" BEIAN_LOG=warn "$BIN" bench-detect --hosts 100000
