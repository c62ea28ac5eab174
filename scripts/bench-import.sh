#!/usr/bin/env bash
# 批量导入 benchmark: a sample file of N new filings (one 主体, one 网站 and
# one 接入 row each; default 10 000) imported by a clerk, on an in-memory and
# on an embedded (SurrealKV) database. Prints the time in all and by part.
#   scripts/beian.sh bench-import [N]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/lib.sh"

N="${1:-10000}"
setup_rust
say "building the release server"
RUSTFLAGS="--cfg erase_components" cargo build --release --package=server --bin=beian
BIN="$CARGO_TARGET_DIR/release/beian"
RUN="$CACHE/bench/import-run"
for db in "mem://" "surrealkv://$RUN/db"; do
  rm -rf "$RUN"
  mkdir -p "$RUN"
  say "importing $N filings into $db"
  BEIAN_DB="$db" BEIAN_DEMO_DATA=false BEIAN_LOG=warn "$BIN" bench-import --filings "$N"
done
rm -rf "$RUN"
