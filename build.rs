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
    for api in features::APIS {
        println!("cargo:rerun-if-env-changed=CARGO_FEATURE_{}", api.to_uppercase());
    }
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
    let text = std::fs::read_to_string(&spec_path).map_err(|e| {
        format!("cannot read {}: {e}; run `cargo xtask regen` to create it", spec_path.display())
    })?;
    let mut document: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        format!("{SPEC} is not JSON ({e}); run `cargo xtask regen` to rewrite it")
    })?;
    let enabled = features::enabled();
    features::retain(&mut document, &enabled)?;
    let spec: openapiv3::OpenAPI = serde_json::from_value(document.clone()).map_err(|e| {
        format!(
            "{SPEC} is not an OpenAPI 3.0 document progenitor can read ({e}); run `cargo xtask regen` and check openapi/NORMALIZATION.md"
        )
    })?;

    let inner: proc_macro2::TokenStream =
        "crate::runtime::Runtime".parse().map_err(|e| format!("inner type: {e}"))?;
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

    let mut generator = Generator::new(&settings);
    let tokens = generator.generate_tokens(&spec).map_err(|e| {
        format!("progenitor cannot generate a client from {SPEC}: {e}; fix the normaliser in xtask/ and run `cargo xtask regen`")
    })?;
    let mut file: syn::File = syn::parse2(tokens)
        .map_err(|e| format!("progenitor produced code that does not parse: {e}"))?;
    null_when_unset::apply(&mut file, &document)?;
    let code = prettyplease::unparse(&file);
    let lines = code.lines().count();

    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    write(&out.join("codegen.rs"), &code)?;
    Ok(lines)
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

    /// The APIs, each a cargo feature of the same name.
    pub const APIS: [&str; 11] =
        ["air", "auth", "company", "document", "event", "hotel", "payments", "policy", "template", "trip", "users"];
    const TAG: &str = "x-spotnana-apis";
    const SHARED: &str = "x-spotnana-shared";
    const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

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
                        keep.push((method.clone(), tagged(op, enabled).map_err(|()| untagged(format!("{method} {path}")))?));
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

/// Properties the normalised spec lists under `x-spotnana-null-when-unset`:
/// required and nullable, so requests always carry them (as `null` when unset),
/// yet answers may leave them out. typify makes such a field reject an absent
/// key and its builder demand a value; this pass makes an absent key decode as
/// `None` (or JSON `null`) and the builder start there.
mod null_when_unset {
    use std::collections::{BTreeMap, BTreeSet};

    use syn::punctuated::Punctuated;
    use syn::{Expr, Fields, Item, Meta, Token};

    const EXTENSION: &str = "x-spotnana-null-when-unset";

    /// Patches the generated `types` module; errors name any listed schema or
    /// property that has no generated counterpart.
    pub fn apply(file: &mut syn::File, document: &serde_json::Value) -> Result<(), String> {
        let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (name, schema) in document
            .pointer("/components/schemas")
            .and_then(serde_json::Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(list) = schema.get(EXTENSION).and_then(serde_json::Value::as_array) {
                let props = list.iter().filter_map(|v| v.as_str().map(String::from)).collect();
                wanted.insert(name.clone(), props);
            }
        }
        let types = module(&mut file.items, "types")?;
        let mut renamed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut fields_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for item in types.iter_mut() {
            let Item::Struct(s) = item else { continue };
            let Some(props) = wanted.get(&s.ident.to_string()) else { continue };
            let Fields::Named(named) = &mut s.fields else { continue };
            let mut patched = BTreeSet::new();
            let mut idents = BTreeSet::new();
            let total = named.named.len();
            for field in named.named.iter_mut() {
                let ident = field.ident.as_ref().map(ToString::to_string).unwrap_or_default();
                let serde = field.attrs.iter().position(|a| a.path().is_ident("serde"));
                let metas = match serde {
                    Some(i) => field.attrs[i]
                        .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                        .map_err(|e| format!("{}.{ident}: serde attribute: {e}", s.ident))?,
                    None => Punctuated::new(),
                };
                let rename = metas.iter().find_map(|m| match m {
                    Meta::NameValue(nv) if nv.path.is_ident("rename") => match &nv.value {
                        Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(l), .. }) => Some(l.value()),
                        _ => None,
                    },
                    _ => None,
                });
                let name = rename.unwrap_or_else(|| ident.trim_start_matches("r#").to_string());
                if !props.contains(&name) {
                    continue;
                }
                let kept: Vec<&Meta> = metas
                    .iter()
                    .filter(|m| !m.path().is_ident("deserialize_with") && !m.path().is_ident("default"))
                    .collect();
                let attr: syn::Attribute = syn::parse_quote!(#[serde(#(#kept,)* default)]);
                match serde {
                    Some(i) => field.attrs[i] = attr,
                    None => field.attrs.push(attr),
                }
                patched.insert(name);
                idents.insert(ident);
            }
            if patched.len() == total {
                s.attrs.push(syn::parse_quote!(#[derive(Default)]));
            }
            renamed.insert(s.ident.to_string(), patched);
            fields_of.insert(s.ident.to_string(), idents);
        }
        for (name, props) in &wanted {
            let found = renamed.get(name);
            if let Some(missing) = props.iter().find(|p| !found.is_some_and(|f| f.contains(*p))) {
                return Err(format!(
                    "{name}.{missing} is listed under `{EXTENSION}` in the spec, but the generated \
                     type {name} has no such field; run `cargo xtask regen` and check the normaliser"
                ));
            }
        }
        builders(module(types, "builder")?, &fields_of)
    }

    /// Starts the listed fields of typify's struct builders at their default.
    fn builders(items: &mut [Item], fields_of: &BTreeMap<String, BTreeSet<String>>) -> Result<(), String> {
        for item in items.iter_mut() {
            let Item::Impl(imp) = item else { continue };
            let is_default = imp
                .trait_
                .as_ref()
                .and_then(|(path, _)| path.segments.last())
                .is_some_and(|seg| seg.ident == "Default");
            let syn::Type::Path(ty) = imp.self_ty.as_ref() else { continue };
            let Some(target) = ty.path.segments.last().map(|s| s.ident.to_string()) else { continue };
            let Some(idents) = fields_of.get(&target).filter(|_| is_default) else { continue };
            for inner in imp.items.iter_mut() {
                let syn::ImplItem::Fn(f) = inner else { continue };
                let Some(syn::Stmt::Expr(Expr::Struct(init), _)) = f.block.stmts.last_mut() else {
                    return Err(format!("builder::{target}::default has an unexpected shape"));
                };
                for fv in init.fields.iter_mut() {
                    if let syn::Member::Named(id) = &fv.member {
                        if idents.contains(&id.to_string()) {
                            fv.expr = syn::parse_quote!(Ok(Default::default()));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn module<'a>(items: &'a mut [Item], name: &str) -> Result<&'a mut Vec<Item>, String> {
        items
            .iter_mut()
            .find_map(|item| match item {
                Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
                _ => None,
            })
            .ok_or_else(|| format!("progenitor's output has no `{name}` module"))
    }
}
