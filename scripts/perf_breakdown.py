# Groups a flat perf profile of the server into where its CPU goes:
#   python3 scripts/perf_breakdown.py PERF_DATA   (scripts/profile.sh runs it)
import re, subprocess, sys
out = subprocess.run(["perf", "report", "-i", sys.argv[1], "--no-children", "--sort", "symbol", "--stdio"], capture_output=True, text=True).stdout
groups = [
    ("allocator (malloc/free)", r"malloc|_int_free|cfree|unlink_chunk|realloc|memalign|__rdl_alloc|__rust_alloc|__rust_dealloc|__rust_realloc|mi_|_mi_|no_alloc_shim"),
    ("memcpy/memmove/memcmp", r"memmove|memcpy|memset|memcmp|strlen"),
    ("kernel (network, scheduling)", r"^\[k\]"),
    ("Leptos rendering (tachys, reactive_graph, leptos, router, meta)", r"tachys|reactive_graph|leptos|any_spawner|hydration_context|throw_error|or_poisoned|send_wrapper"),
    ("our page components and i18n", r"app::pages|app::components|app::i18n|app::app|__component"),
    ("the lookup (parse, index, answer)", r"read_model|app::ssr::public|app::domain::lookup|gallop|app::functions"),
    ("HTTP and routing (hyper, axum, tower, http)", r"hyper|axum|tower|http::|httparse|matchit|h2::"),
    ("JSON (serde)", r"serde"),
    ("tokio runtime", r"tokio|mio::|parking_lot|futures|concurrent_queue|crossbeam|event_listener|seize"),
    ("formatting, strings, unicode", r"fmt|core::str|unicode|alloc::string|escape|to_string|format"),
]
totals = {g: 0.0 for g, _ in groups}
other = 0.0
top_other = []
for line in out.splitlines():
    m = re.match(r"\s*([\d.]+)%\s+(\[[.k]\])\s+(.*)", line)
    if not m:
        continue
    pct, kind, sym = float(m.group(1)), m.group(2), m.group(3).strip()
    s = f"{kind} {sym}" if kind == "[k]" else sym
    for g, pat in groups:
        if re.search(pat, s if g.startswith("kernel") else sym):
            totals[g] += pct
            break
    else:
        other += pct
        top_other.append((pct, sym))
for g, _ in groups:
    print(f"{totals[g]:6.1f} %  {g}")
print(f"{other:6.1f} %  other")
for p, s in sorted(top_other, reverse=True)[:8]:
    print(f"          {p:5.2f} %  {s[:110]}")
