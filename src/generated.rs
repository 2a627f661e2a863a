//! The progenitor-generated client, included from `$OUT_DIR/codegen.rs`.
//!
//! Never edited by hand: change `openapi/spotnana.json` (through `cargo xtask regen`)
//! or the settings in `build.rs` instead.

#![allow(
    missing_docs,
    unused_imports,
    clippy::all,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]

include!(concat!(env!("OUT_DIR"), "/codegen.rs"));
