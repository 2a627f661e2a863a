//! Open enums: every string enum typify generates gains a last variant,
//! `Unrecognized(String)`, that keeps a value this build of the SDK does not
//! know. Decoding never fails on a new value, and serialising it writes the
//! same string back.
//!
//! Keyed on shape, not names: the targets are the enums of the `types` module
//! whose variants all carry no data (typify's form of a string `enum`, named or
//! inline). For each one the pass
//! - adds the variant, `#[serde(untagged)]` so that `Serialize` writes the bare
//!   string, and drops the derives of `Copy` (a `String` is not `Copy`) and
//!   `Deserialize` (replaced by one that accepts any string);
//! - adds `as_str()` and `is_known()`;
//! - makes `Display` write `as_str()`, and `FromStr`'s fallback arm return the
//!   new variant instead of an error.
//!
//! Each enum must have typify's `Display` and `FromStr` impls and no variant of
//! the new name, or the build fails naming it.

use std::collections::BTreeMap;

use syn::{Expr, Fields, Ident, Item, Lit, Meta};

/// The name of the catch-all variant.
pub const VARIANT: &str = "Unrecognized";

/// Opens every string enum of `items` (typify's `types` module) and returns
/// how many it opened.
pub fn apply(items: &mut Vec<Item>) -> Result<usize, String> {
    let mut values: BTreeMap<String, Vec<(Ident, String)>> = BTreeMap::new();
    for item in items.iter_mut() {
        let Item::Enum(e) = item else { continue };
        if e.variants.is_empty() || !e.variants.iter().all(|v| matches!(v.fields, Fields::Unit)) {
            continue;
        }
        let name = e.ident.to_string();
        if e.variants.iter().any(|v| v.ident == VARIANT) {
            return Err(format!("enum {name} already has a variant {VARIANT}; open_enums needs another name for its catch-all"));
        }
        let spelled = e.variants.iter().map(|v| (v.ident.clone(), serde_rename(&v.attrs).unwrap_or_else(|| v.ident.to_string()))).collect();
        values.insert(name, spelled);
        for attr in e.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
            let paths = attr
                .parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
                .map_err(|err| format!("enum {}: derive attribute: {err}", e.ident))?;
            let kept = paths.iter().filter(|p| {
                let last = p.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
                last != "Copy" && last != "Deserialize"
            });
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
        let variant = Ident::new(VARIANT, proc_macro2::Span::call_site());
        e.variants.push(syn::parse_quote! {
            /// A value this version of the SDK does not know, kept exactly as
            /// Spotnana sent it. A newer version of the crate may name it.
            #[serde(untagged)]
            #variant(::std::string::String)
        });
    }

    let mut display = BTreeMap::new();
    let mut from_str = BTreeMap::new();
    for item in items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let Some(target) = self_name(&imp.self_ty).filter(|t| values.contains_key(t)) else { continue };
        let Some(trait_name) = imp.trait_.as_ref().and_then(|(p, _)| p.segments.last()).map(|s| s.ident.to_string()) else {
            continue;
        };
        let Some(syn::ImplItem::Fn(f)) = imp.items.iter_mut().find(|i| matches!(i, syn::ImplItem::Fn(_))) else { continue };
        match trait_name.as_str() {
            "Display" => {
                f.block = syn::parse_quote!({ f.write_str(self.as_str()) });
                display.insert(target, ());
            }
            "FromStr" => {
                open_fallback(f, &target)?;
                from_str.insert(target, ());
            }
            _ => {}
        }
    }

    let variant = Ident::new(VARIANT, proc_macro2::Span::call_site());
    for (name, spelled) in &values {
        if !display.contains_key(name) || !from_str.contains_key(name) {
            return Err(format!("enum {name} lacks typify's Display or FromStr impl; open_enums cannot open it"));
        }
        let ident = Ident::new(name, proc_macro2::Span::call_site());
        let arms = spelled.iter().map(|(v, s)| quote_arm(v, s));
        items.push(syn::parse_quote! {
            impl #ident {
                /// The value as Spotnana spells it on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(#arms)*
                        Self::#variant(value) => value.as_str(),
                    }
                }

                /// Whether this build of the SDK knows the value, that is,
                /// whether it is not the catch-all variant.
                pub fn is_known(&self) -> bool {
                    !matches!(self, Self::#variant(_))
                }
            }
        });
        items.push(syn::parse_quote! {
            impl<'de> ::serde::Deserialize<'de> for #ident {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    crate::lenient::enum_from_str(deserializer)
                }
            }
        });
    }
    Ok(values.len())
}

fn quote_arm(variant: &Ident, spelled: &str) -> proc_macro2::TokenStream {
    let lit = syn::LitStr::new(spelled, proc_macro2::Span::call_site());
    syn::parse_quote!(Self::#variant => #lit,)
}

/// Replaces the `_ => Err(..)` arm of typify's `from_str` with the catch-all.
fn open_fallback(f: &mut syn::ImplItemFn, target: &str) -> Result<(), String> {
    let variant = Ident::new(VARIANT, proc_macro2::Span::call_site());
    let Some(syn::Stmt::Expr(Expr::Match(m), _)) = f.block.stmts.last_mut() else {
        return Err(format!("{target}::from_str does not end in a match; open_enums cannot open it"));
    };
    let Some(arm) = m.arms.iter_mut().find(|a| matches!(a.pat, syn::Pat::Wild(_))) else {
        return Err(format!("{target}::from_str has no `_` arm; open_enums cannot open it"));
    };
    *arm.body = syn::parse_quote!(Ok(Self::#variant(value.to_string())));
    Ok(())
}

fn self_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The value of a `#[serde(rename = "...")]` attribute.
fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().filter(|a| a.path().is_ident("serde")).find_map(|a| {
        let metas = a.parse_args_with(syn::punctuated::Punctuated::<Meta, syn::Token![,]>::parse_terminated).ok()?;
        metas.iter().find_map(|m| match m {
            Meta::NameValue(nv) if nv.path.is_ident("rename") => match &nv.value {
                Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
    })
}
