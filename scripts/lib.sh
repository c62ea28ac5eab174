# Shared set-up for scripts/beian.sh and scripts/bench.sh (sourced, with ROOT set).

# Build output and caches live outside the checkout, in a fixed place, so a
# fresh clone on a machine that has built before is quick.
CACHE="${BEIAN_CACHE:-/var/cache/beian}"
if ! mkdir -p "$CACHE" 2>/dev/null || [ ! -w "$CACHE" ]; then
  CACHE="$HOME/.cache/beian"
  mkdir -p "$CACHE"
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
export npm_config_cache="$CACHE/npm"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1
  fi
}

APT_UPDATED=
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (Debian packages)"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

setup_rust() {
  if ! command -v cargo >/dev/null; then
    echo "cargo is missing: install Rust with rustup first" >&2
    exit 1
  fi
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

setup_node() {
  command -v npm >/dev/null || apt_install nodejs npm
  # The end2end packages: Playwright (which drives Debian's Chromium, never
  # a downloaded browser), binaryen's wasm-opt for release builds (Debian's
  # binaryen 108 produces a wasm that fails in the browser) and esbuild,
  # which minifies the release build's JS and CSS.
  if ! cmp -s end2end/package-lock.json end2end/node_modules/.beian-installed 2>/dev/null; then
    say "installing the end2end npm packages"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.beian-installed)
  fi
  export PATH="$ROOT/end2end/node_modules/.bin:$PATH"
}

# The site in target/site and the server binary, built the way cargo-leptos
# builds them (same cargo invocations, flags and output), without
# cargo-leptos: installing it compiles 540 crates, 16–18 minutes of every
# new machine. tools/site does the two steps between the cargo builds
# (wasm-split and wasm-bindgen) with the libraries cargo-leptos uses.
#   site_build debug|release
# Components are erased to AnyView in both (the browser bundle is 30 %
# smaller, and server and browser are built alike). The bundle is split
# into the account pages, the registrant's pages and the staff consoles,
# each loaded lazily (app.rs, `page`), in both, so the tests run what ships.
site_build() {
  local front=() front_dir=debug bin=() site="$ROOT/target/site"
  if [ "$1" = release ]; then front=(--profile wasm-release); front_dir=wasm-release; bin=(--release); fi
  export LEPTOS_OUTPUT_NAME=beian
  say "building the browser bundle ($1)"
  # --emit-relocs: wasm-split needs the linker's relocations to cut the module.
  RUSTFLAGS="--cfg erase_components -Clink-args=--emit-relocs" cargo build --package=app --lib \
    --target=wasm32-unknown-unknown --no-default-features --features=hydrate "${front[@]}" \
    --target-dir="$CARGO_TARGET_DIR/front"
  say "building tools/site"
  cargo build --package=site --profile=tool
  rm -rf "$site"
  mkdir -p "$site/pkg"
  local wasm_files
  wasm_files="$("$CARGO_TARGET_DIR/tool/site" pack --split "$CARGO_TARGET_DIR/front/wasm32-unknown-unknown/$front_dir/app.wasm" "$site/pkg" beian)"
  cp -R "$ROOT/public/." "$site/"
  # The public suffix list, fetched only by the parts that check domains (domain/psl.rs).
  cp "$ROOT/app/src/domain/psl.bin" "$site/pkg/psl.bin"
  if [ "$1" = release ]; then
    say "wasm-opt and minifying"
    # cargo-leptos runs -Oz; -O1 serves smaller files after brotli (the
    # eight parts 610 KB instead of 655, the main part 221 instead of 230;
    # raw they are 14 % larger) and takes a quarter of the time (26 s
    # instead of 98 s on one core), measured 2026-12-03 (docs/performance.md).
    printf '%s\n' "$wasm_files" | xargs -P 2 -I{} wasm-opt -O1 --enable-bulk-memory --enable-nontrapping-float-to-int {} -o {}
    esbuild --minify --log-level=error "$ROOT/style/main.css" --outfile="$site/pkg/beian.css"
    local js
    for js in "$site"/pkg/*.js; do esbuild --minify --log-level=error "$js" --outfile="$js" --allow-overwrite; done
    precompress_site
  else
    cp "$ROOT/style/main.css" "$site/pkg/beian.css"
  fi
  say "building the server ($1)"
  RUSTFLAGS="--cfg erase_components" cargo build --package=server --bin=beian "${bin[@]}"
}

release_build() {
  site_build release
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

# wait_for URL PID [SECONDS]: until the server answers (default 120 s).
wait_for() {
  local url="$1" pid="$2" secs="${3:-120}"
  for _ in $(seq 1 $((secs * 5))); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "the server exited before it answered" >&2; return 1; fi
    sleep 0.2
  done
  echo "the server did not answer at $url" >&2
  return 1
}


# serve_bench_db DIR LOG: the release server on a benchmark's seeded
# database (DIR/db), public rate limit off; sets PID and BASE and returns
# once the public query's in-memory index is loaded (the figures are for a
# loaded one).
serve_bench_db() {
  local dir="$1" log="$2" port started
  port="$(free_port)"
  BEIAN_DB="surrealkv://$dir/db" BEIAN_DEMO_DATA=false BEIAN_PUBLIC_RATE_LIMIT=0 \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$ROOT/target/site" BEIAN_LOG="warn,app::ssr::read_model=info" \
    "$CARGO_TARGET_DIR/release/beian" serve >"$log" 2>&1 &
  PID=$!
  trap 'kill $PID 2>/dev/null || true' EXIT
  # A first start on a database seeded by an older schema re-applies it,
  # which rebuilds the indexes: allow for it.
  started=$(date +%s)
  wait_for "http://127.0.0.1:$port/healthz" "$PID" 3600
  say "the server answered after $(( $(date +%s) - started )) s"
  BASE="http://127.0.0.1:$port"
  for _ in $(seq 1 3600); do
    grep -q "public index loaded" "$log" && break
    sleep 1
  done
}

# Write .br and .gz beside the bundle so the server can send them to phones.
precompress_site() {
  local dir="$ROOT/target/site/pkg" f
  for f in "$dir"/*.wasm "$dir"/*.js "$dir"/*.css "$dir"/*.bin; do
    [ -f "$f" ] || continue
    gzip -9 -k -f "$f"
    if command -v brotli >/dev/null; then brotli -q 11 -f -k "$f"; fi
  done
}

# The SurrealDB server (tools/surreal-server, its own workspace and lock
# file), built into $CACHE/target-surreal; prints the binary's path. The
# first build takes about 30 minutes on 2 cores; later ones are incremental.
surreal_build() {
  setup_rust >&2
  say "building the SurrealDB server (tools/surreal-server, release)"
  (cd "$ROOT/tools/surreal-server" && CARGO_TARGET_DIR="$CACHE/target-surreal" cargo build --release --locked >&2)
  echo "$CACHE/target-surreal/release/surreal"
}

# write_paths_lua FILE: a wrk script whose requests take the next path from
# a file of paths (given after `--`), each thread starting at a random one.
write_paths_lua() {
  cat >"$1" <<'LUA'
local paths = {}
local i = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  i = math.random(#paths)
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
}
