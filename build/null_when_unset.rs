//! Properties the normalised spec lists under `x-spotnana-null-when-unset`:
//! required and nullable, so requests always carry them (as `null` when unset),
//! yet answers may leave them out. typify makes such a field reject an absent
//! key and its builder demand a value; this pass makes an absent key decode as
//! `None` (or JSON `null`) and the builder start there.

use std::collections::{BTreeMap, BTreeSet};

use syn::punctuated::Punctuated;
use syn::{Expr, Fields, Item, Meta, Token};

use super::syntax::module_mut;

const EXTENSION: &str = super::contract::NULL_WHEN_UNSET_KEY;

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
    let types = module_mut(&mut file.items, "types")?;
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
    builders(module_mut(types, "builder")?, &fields_of)
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

