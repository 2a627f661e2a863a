//! Optional properties whose Rust type has a default (an array, a map, a
//! property with a spec `default`) decode `null` as that default, as they do an
//! absent key. typify gives such a field `#[serde(default)]`, which covers a
//! missing key but rejects `null`, and Spotnana's answers carry `null` for
//! unset fields.
//!
//! Keyed on shape: every named field of a `types` struct whose `serde`
//! attribute has `default` (bare, or `default = "path"`), whose type is not an
//! `Option` (that already takes `null`), and that has no `deserialize_with` of
//! its own. A bare `default` gets `crate::lenient::null_as_default`; a
//! `default = "path"` gets a private function that falls back to `path()`.

use syn::punctuated::Punctuated;
use syn::{Expr, Fields, Item, Lit, Meta, Token};

/// Patches the structs of `items` and returns how many fields it changed.
pub fn apply(items: &mut Vec<Item>) -> Result<usize, String> {
    let mut helpers: Vec<Item> = Vec::new();
    let mut changed = 0;
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        let Fields::Named(named) = &mut s.fields else { continue };
        for field in named.named.iter_mut() {
            if is_option(&field.ty) {
                continue;
            }
            let Some(at) = field.attrs.iter().position(|a| a.path().is_ident("serde")) else { continue };
            let metas = field.attrs[at]
                .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                .map_err(|e| format!("{}: serde attribute: {e}", s.ident))?;
            if metas.iter().any(|m| m.path().is_ident("deserialize_with") || m.path().is_ident("with")) {
                continue;
            }
            let Some(default) = metas.iter().find(|m| m.path().is_ident("default")) else { continue };
            let with = match default {
                Meta::Path(_) => "crate::lenient::null_as_default".to_string(),
                Meta::NameValue(nv) => {
                    let Expr::Lit(syn::ExprLit { lit: Lit::Str(path), .. }) = &nv.value else {
                        return Err(format!("{}: a `default` that is not a string", s.ident));
                    };
                    let fallback: syn::Path = path.parse().map_err(|e| format!("{}: default path: {e}", s.ident))?;
                    let name = syn::Ident::new(&format!("null_or_default_{}", helpers.len()), proc_macro2::Span::call_site());
                    let ty = &field.ty;
                    helpers.push(syn::parse_quote! {
                        fn #name<'de, D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<#ty, D::Error> {
                            let value: ::std::option::Option<#ty> = ::serde::Deserialize::deserialize(deserializer)?;
                            Ok(value.unwrap_or_else(#fallback))
                        }
                    });
                    name.to_string()
                }
                Meta::List(_) => continue,
            };
            let kept = metas.iter();
            field.attrs[at] = syn::parse_quote!(#[serde(#(#kept,)* deserialize_with = #with)]);
            changed += 1;
        }
    }
    items.extend(helpers);
    Ok(changed)
}

fn is_option(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Option"),
        _ => false,
    }
}
