//! The wasm entry point: hydrates the islands of a server-rendered page (the parts that
//! answer in the browser), nothing else.

// Links the pages' crate in: its islands are exported from there (`#[island]` makes each a
// wasm export the island script calls), and nothing here names them.
extern crate app;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
