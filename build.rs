//! Generates the Spotnana client from `openapi/spotnana.json` with progenitor.
//!
//! This script only runs the generator: normalisation happens once per spec change
//! in `cargo xtask regen`, never here. Output goes to `$OUT_DIR/codegen.rs`, which
//! `src/generated.rs` includes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use build_print::{error, info};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};

const SPEC: &str = "openapi/spotnana.json";

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SPOTNANA_CODEGEN_INTERFACE");
    match generate() {
        Ok(lines) => {
            if std::env::var_os("SPOTNANA_CODEGEN_VERBOSE").is_some() {
                info!("generated {lines} lines of client code");
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            error!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// The interface style. Builder unless `SPOTNANA_CODEGEN_INTERFACE=positional`,
/// which exists only so `cargo xtask bench-build` can measure the alternative.
fn interface() -> Result<InterfaceStyle, String> {
    match std::env::var("SPOTNANA_CODEGEN_INTERFACE").as_deref() {
        Err(_) | Ok("builder") => Ok(InterfaceStyle::Builder),
        Ok("positional") => Ok(InterfaceStyle::Positional),
        Ok(other) => Err(format!(
            "SPOTNANA_CODEGEN_INTERFACE={other:?} is not an interface; use `builder` or `positional`, or unset it"
        )),
    }
}

fn generate() -> Result<usize, String> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let spec_path = manifest.join(SPEC);
    let text = std::fs::read_to_string(&spec_path).map_err(|e| {
        format!("cannot read {}: {e}; run `cargo xtask regen` to create it", spec_path.display())
    })?;
    let spec: openapiv3::OpenAPI = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{SPEC} is not an OpenAPI 3.0 document progenitor can read ({e}); run `cargo xtask regen` and check openapi/NORMALIZATION.md"
        )
    })?;

    let inner: proc_macro2::TokenStream =
        "crate::runtime::Runtime".parse().map_err(|e| format!("inner type: {e}"))?;
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(interface()?)
        .with_tag(TagStyle::Merged)
        .with_inner_type(inner)
        .with_hooks(HooksMode::Expected)
        .with_timeout(60);
    if std::env::var_os("CARGO_FEATURE_SCHEMARS").is_some() {
        settings.with_derive("schemars::JsonSchema");
    }

    let mut generator = Generator::new(&settings);
    let tokens = generator.generate_tokens(&spec).map_err(|e| {
        format!("progenitor cannot generate a client from {SPEC}: {e}; fix the normaliser in xtask/ and run `cargo xtask regen`")
    })?;
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| format!("progenitor produced code that does not parse: {e}"))?;
    let code = prettyplease::unparse(&file);
    let lines = code.lines().count();

    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    write(&out.join("codegen.rs"), &code)?;
    Ok(lines)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
