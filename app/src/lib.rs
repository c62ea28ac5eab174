//! Beian: the ICP filing (ICP备案) system of an access provider.
//!
//! This crate is shared by the server (`ssr`) and the browser (`hydrate`):
//! the pure domain rules, the wire types, the pages and the server functions.

// The wizard's views are deeply nested types in release builds (without
// `erase_components`), beyond the compiler's default query depth.
#![recursion_limit = "256"]

pub mod app;
pub mod components;
pub mod domain;
pub mod error;
pub mod functions;
pub mod i18n;
pub mod models;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use app::{shell, App};

/// The browser entry point: hydrate the server-rendered page, once the
/// lazily loaded part of the bundle that its route needs has arrived
/// (`app::page`), then mark the page as taken over (`data-hydrated`, which
/// the end-to-end tests wait for: before it, a tap on a form submits it
/// plainly).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::__reexports::wasm_bindgen_futures::spawn_local(async {
        let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) else { return };
        let owner = leptos::mount::hydrate_from_async(body.clone(), App).await;
        let _ = body.set_attribute("data-hydrated", "true");
        owner.forget();
    });
}
