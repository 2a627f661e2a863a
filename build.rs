//! Generates the Spotnana client from `openapi/spotnana.json` with progenitor.
//!
//! This script only runs the generator: normalisation happens once per spec change
//! in `cargo xtask regen`, never here. Output goes to `$OUT_DIR/codegen.rs`, which
//! `src/generated.rs` includes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use build_print::{error, info};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};

#[path = "build/builders.rs"]
mod builders;
#[path = "build/constructors.rs"]
mod constructors;
#[path = "src/contract.rs"]
#[allow(dead_code)]
mod contract;
#[path = "build/dates.rs"]
mod dates;
#[path = "build/messages.rs"]
mod messages;
#[path = "build/null_as_default.rs"]
mod null_as_default;
#[path = "build/null_when_unset.rs"]
mod null_when_unset;
#[path = "build/open_enums.rs"]
mod open_enums;
#[path = "build/open_unions.rs"]
mod open_unions;
#[path = "build/pagination.rs"]
mod pagination;
#[path = "build/pipeline.rs"]
#[allow(dead_code)] // what the report reads of it
mod pipeline;
#[path = "src/resources.rs"]
#[allow(dead_code)]
mod resources;
#[path = "build/safe_create.rs"]
mod safe_create;
#[path = "build/send.rs"]
mod send;
#[path = "build/serde_impls.rs"]
mod serde_impls;
#[path = "build/syntax.rs"]
mod syntax;
#[path = "build/variant_names.rs"]
mod variant_names;

const SPEC: &str = "openapi/spotnana.json";

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build");
    println!("cargo:rerun-if-changed=src/resources.rs");
    println!("cargo:rerun-if-changed=src/contract.rs");
    for api in features::APIS {
        println!("cargo:rerun-if-env-changed=CARGO_FEATURE_{}", api.to_uppercase());
    }
    // `cfg(spotnana_operations)`: some API is on, so generated methods exist
    // (the code only they call is unused without one).
    println!("cargo:rustc-check-cfg=cfg(spotnana_operations)");
    if !features::enabled().is_empty() {
        println!("cargo:rustc-cfg=spotnana_operations");
    }
    // What `spotnana::enabled_apis()` reports: the list is `contract::APIS`,
    // and which of them are on only the build knows.
    println!("cargo:rustc-env=SPOTNANA_ENABLED_APIS={}", features::enabled().join(","));
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

fn generate() -> Result<usize, String> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let spec_path = manifest.join(SPEC);
    let text = std::fs::read_to_string(&spec_path)
        .map_err(|e| format!("cannot read {}: {e}; run `cargo xtask regen` to create it", spec_path.display()))?;
    let mut document: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{SPEC} is not JSON ({e}); run `cargo xtask regen` to rewrite it"))?;
    let enabled = features::enabled();
    features::retain(&mut document, &enabled)?;
    let spec: openapiv3::OpenAPI = serde_json::from_value(document.clone()).map_err(|e| {
        format!(
            "{SPEC} is not an OpenAPI 3.0 document progenitor can read ({e}); run `cargo xtask regen` and check openapi/NORMALIZATION.md"
        )
    })?;

    let inner: proc_macro2::TokenStream = "crate::runtime::Runtime".parse().map_err(|e| format!("inner type: {e}"))?;
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(inner)
        .with_hooks(HooksMode::Expected)
        .with_timeout(60);
    if std::env::var_os("CARGO_FEATURE_SCHEMARS").is_some() {
        settings.with_derive("schemars::JsonSchema");
    }
    // The fields the normaliser's `secret-fields` rule marks (`format:
    // password`) are `crate::Secret`, whose `Debug` prints `[redacted]`.
    // typify compares the whole schema but its metadata (docs, examples).
    let secret = schemars::schema::SchemaObject {
        instance_type: Some(schemars::schema::InstanceType::String.into()),
        format: Some("password".into()),
        ..Default::default()
    };
    settings.with_conversion(secret, "crate::Secret", [progenitor::TypeImpl::Default].into_iter());

    let mut generator = Generator::new(&settings);
    let started = std::time::Instant::now();
    let tokens = generator.generate_tokens(&spec).map_err(|e| {
        format!("progenitor cannot generate a client from {SPEC}: {e}; fix the normaliser in xtask/ and run `cargo xtask regen`")
    })?;
    let generated = started.elapsed();
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("progenitor produced code that does not parse: {e}"))?;
    let has_operations =
        document.get("paths").and_then(serde_json::Value::as_object).is_some_and(|paths| !paths.is_empty());
    let mut counts = Vec::new();
    for pass in pipeline::ORDER {
        let pass_started = std::time::Instant::now();
        let count =
            run(pass, &mut file, &document, has_operations).map_err(|e| format!("build/{}.rs: {e}", pass.name()))?;
        counts.push(format!("{} {count} ({} ms)", pass.name(), pass_started.elapsed().as_millis()));
    }
    let unparse_started = std::time::Instant::now();
    let code = prettyplease::unparse(&file);
    let lines = code.lines().count();
    if std::env::var_os("SPOTNANA_CODEGEN_VERBOSE").is_some() {
        info!("progenitor: {} ms; unparsing: {} ms", generated.as_millis(), unparse_started.elapsed().as_millis());
        info!("passes, with what each changed and how long each took: {}", counts.join(", "));
    }

    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    write(&out.join("codegen.rs"), &code)?;
    Ok(lines)
}

/// Runs one pass of the pipeline (`build/pipeline.rs`) on progenitor's
/// output, and returns how many items it changed or added.
fn run(
    pass: pipeline::Pass,
    file: &mut syn::File,
    document: &serde_json::Value,
    has_operations: bool,
) -> Result<usize, String> {
    use pipeline::Pass;
    match pass {
        Pass::NullWhenUnset => null_when_unset::apply(file, document).map(|()| 1),
        Pass::VariantNames => variant_names::apply(syntax::module_mut(&mut file.items, "types")?),
        Pass::Builders => {
            let (mut types, mut operations) = (None, None);
            for item in file.items.iter_mut() {
                if let syn::Item::Mod(m) = item {
                    match (m.ident.to_string().as_str(), m.content.as_mut()) {
                        ("types", Some((_, items))) => types = Some(items),
                        ("builder", Some((_, items))) => operations = Some(items.as_slice()),
                        _ => {}
                    }
                }
            }
            let types = types.ok_or("progenitor's output has no `types` module")?;
            let counts = builders::apply(types, operations.unwrap_or(&[]), &handwritten_bodies(document))?;
            Ok(counts.builders)
        }
        Pass::Constructors => constructors::apply(&mut file.items),
        Pass::Send => send::apply(syntax::module_mut(&mut file.items, "builder")?, has_operations),
        Pass::Messages => messages::apply(syntax::module_mut(&mut file.items, "builder")?),
        Pass::Pagination => {
            let methods = pagination::methods_for(&file.items, document)?;
            let added = methods.len();
            syntax::module_mut(&mut file.items, "builder")?.extend(methods);
            Ok(added)
        }
        Pass::SafeCreate => {
            let methods = safe_create::methods_for(&file.items, document)?;
            let added = methods.len();
            syntax::module_mut(&mut file.items, "builder")?.extend(methods);
            Ok(added)
        }
        Pass::OpenEnums => {
            let enums = open_enums::apply(syntax::module_mut(&mut file.items, "types")?)?;
            if enums == 0 && spec_has_string_enum(document) {
                return Err("the spec has string enums but none was found in progenitor's output".into());
            }
            Ok(enums)
        }
        Pass::OpenUnions => open_unions::apply(syntax::module_mut(&mut file.items, "types")?),
        Pass::Dates => dates::apply(syntax::module_mut(&mut file.items, "types")?, document),
        Pass::SerdeImpls => serde_impls::apply(syntax::module_mut(&mut file.items, "types")?),
        Pass::NullAsDefault => null_as_default::apply(syntax::module_mut(&mut file.items, "types")?),
    }
}

/// The type names of the components the hand-written operations' request
/// bodies name (`$ref`s under `x-spotnana-handwritten`), as typify names them.
fn handwritten_bodies(document: &serde_json::Value) -> Vec<String> {
    fn refs(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(name) = map.get("$ref").and_then(|r| r.as_str()).and_then(|r| r.rsplit('/').next()) {
                    out.push(contract::pascal(name));
                }
                map.values().for_each(|v| refs(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut names = Vec::new();
    if let Some(operations) = document.get(contract::HANDWRITTEN_KEY) {
        refs(operations, &mut names);
    }
    names
}

/// Whether any schema in the document is a string `enum`.
fn spec_has_string_enum(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Object(map) => {
            map.get("enum").is_some_and(|e| e.as_array().is_some_and(|a| a.iter().any(|v| v.is_string())))
                || map.values().any(spec_has_string_enum)
        }
        serde_json::Value::Array(items) => items.iter().any(spec_has_string_enum),
        _ => false,
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// One cargo feature per Spotnana API. The normaliser tags every operation and
/// component schema with `x-spotnana-apis`, the APIs that publish the operation
/// or reach the schema (`cargo xtask regen`, rule `schema-apis`); this pass keeps
/// the operations and schemas of the enabled APIs, and the schemas tagged
/// `x-spotnana-shared` (the error answers the hand-written runtime decodes).
mod features {
    use serde_json::Value;

    pub use crate::contract::APIS;
    use crate::contract::{API_TAG as TAG, METHODS, SHARED_TAG as SHARED};

    /// The APIs whose cargo feature is on in this build.
    pub fn enabled() -> Vec<&'static str> {
        APIS.into_iter()
            .filter(|api| std::env::var_os(format!("CARGO_FEATURE_{}", api.to_uppercase())).is_some())
            .collect()
    }

    fn tagged(value: &Value, enabled: &[&str]) -> Result<bool, ()> {
        let tags = value.get(TAG).and_then(Value::as_array).ok_or(())?;
        Ok(tags.iter().filter_map(Value::as_str).any(|api| enabled.contains(&api)))
    }

    /// Drops the operations and schemas no enabled API needs. Errors when the
    /// spec lacks the tags, which means it predates the rule.
    pub fn retain(document: &mut Value, enabled: &[&str]) -> Result<(), String> {
        let untagged = |what: String| {
            format!("{what} has no `{TAG}` tag; run `cargo xtask regen` to rewrite openapi/spotnana.json")
        };
        if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
            for (path, item) in paths.iter_mut() {
                let Some(item) = item.as_object_mut() else { continue };
                let mut keep = Vec::new();
                for (method, op) in item.iter() {
                    if METHODS.contains(&method.as_str()) {
                        keep.push((
                            method.clone(),
                            tagged(op, enabled).map_err(|()| untagged(format!("{method} {path}")))?,
                        ));
                    }
                }
                for (method, kept) in keep {
                    if !kept {
                        item.remove(&method);
                    }
                }
            }
            paths.retain(|_, item| item.as_object().is_some_and(|i| i.keys().any(|k| METHODS.contains(&k.as_str()))));
        }
        if let Some(schemas) = document.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
            let mut drop = Vec::new();
            for (name, schema) in schemas.iter() {
                let shared = schema.get(SHARED).and_then(Value::as_bool).unwrap_or(false);
                if !shared && !tagged(schema, enabled).map_err(|()| untagged(format!("schema {name}")))? {
                    drop.push(name.clone());
                }
            }
            for name in drop {
                schemas.remove(&name);
            }
        }
        Ok(())
    }
}
