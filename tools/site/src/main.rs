//! `site pack [--split] WASM PKG_DIR NAME`: the two steps between the wasm
//! that `cargo build --target wasm32-unknown-unknown` writes and the files
//! the server sends from `/pkg`.
//!
//! 1. With `--split`, wasm-split cuts the module at the `#[lazy]` functions
//!    (leptos' lazy routes) into a main module and one file per part, and
//!    writes `__wasm_split_manifest.json`, which the server reads to name a
//!    page's parts in its `<head>`.
//! 2. wasm-bindgen writes `NAME.js` and `NAME.wasm` (`--target web`).
//!
//! This is what cargo-leptos does between its two cargo builds, with the
//! same libraries and options; the rest of its work (the cargo builds,
//! wasm-opt, CSS, static files) is a command each in scripts/lib.sh. Why
//! not cargo-leptos itself: installing it compiles 540 crates, 16 to 18
//! minutes on two cores, on every new machine (CI's included), for a dev
//! server, file watching and a JS minifier this project does not use; this
//! tool compiles in about two minutes and also replaces the separately
//! installed wasm-bindgen CLI.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What leptos' `HydrationScripts` loads the split parts through
/// (leptos::hydration, without hashed file names).
const SPLIT_LINK: &str = "./__wasm_split.______________________.js";
const SPLIT_MANIFEST: &str = "__wasm_split_manifest.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let split = args.iter().any(|a| a == "--split");
    let rest: Vec<&str> = args.iter().map(String::as_str).filter(|a| *a != "--split").collect();
    match rest.as_slice() {
        ["pack", wasm, pkg, name] => match pack(Path::new(wasm), Path::new(pkg), name, split) {
            Ok(files) => {
                // The wasm files to optimise, one a line, for the caller.
                for f in files {
                    println!("{}", f.display());
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("site pack: {e:#}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("usage: site pack [--split] WASM PKG_DIR NAME");
            ExitCode::from(2)
        }
    }
}

type Error = Box<dyn std::error::Error>;

/// Writes the site's files for `wasm` into `pkg` and returns the wasm files
/// written (the main one first).
fn pack(wasm: &Path, pkg: &Path, name: &str, split: bool) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(pkg)?;
    let mut files = vec![pkg.join(format!("{name}.wasm"))];
    let input = if split {
        let bytes = std::fs::read(wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
        let main_out = wasm.with_file_name(format!("{}_split.wasm", wasm.file_stem().and_then(|s| s.to_str()).unwrap_or(name)));
        let main_module = format!("./{name}.js");
        let mut opts = wasm_split_cli_support::Options::new(&bytes);
        opts.output_dir = pkg;
        opts.main_out_path = &main_out;
        opts.main_module = &main_module;
        opts.link_name = SPLIT_LINK;
        let out = wasm_split_cli_support::transform(opts).map_err(|e| format!("wasm-split: {e:#}"))?;
        std::fs::write(pkg.join(SPLIT_MANIFEST), serde_json::to_string_pretty(&out.prefetch_map)?)?;
        files.extend(out.split_modules);
        main_out
    } else {
        let _ = std::fs::remove_file(pkg.join(SPLIT_MANIFEST));
        wasm.to_path_buf()
    };
    // The options the wasm-bindgen CLI takes by default, with `--target web`
    // and, for a split module, the linker's exports kept and names mangled
    // (the parts find each other's functions by those names).
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&input)
        .web(true)?
        .out_name(name)
        .demangle(!split)
        .keep_lld_exports(split)
        .typescript(false)
        .omit_default_module_path(false)
        .generate(pkg)
        .map_err(|e| format!("wasm-bindgen: {e:#}"))?;
    // leptos' HydrationScripts loads NAME.wasm, not wasm-bindgen's NAME_bg.wasm.
    std::fs::rename(pkg.join(format!("{name}_bg.wasm")), &files[0])?;
    Ok(files)
}
