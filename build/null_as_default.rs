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

use super::syntax::is_option;

/// Patches the structs of `items` and returns how many fields it changed.
pub fn apply(items: &mut Vec<Item>) -> Result<usize, String> {
    let mut helpers: Vec<Item> = Vec::new();
    let mut changed = 0;
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        // A struct with a decoder of its own (`build/serde_impls.rs`) handles `null` there.
        if !super::syntax::derives(&s.attrs, "Deserialize") {
            continue;
        }
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
                    let name =
                        syn::Ident::new(&format!("null_or_default_{}", helpers.len()), proc_macro2::Span::call_site());
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

#[cfg(test)]
mod tests {
    use super::apply;

    /// A `types` module's items as typify writes them: a struct with an
    /// optional array, a property with a spec `default`, an `Option`, a field
    /// with its own decoder and a required field.
    fn types() -> Vec<syn::Item> {
        let module: syn::ItemMod = syn::parse_quote! {
            mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Company {
                    #[serde(rename = "errorMessages", default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub error_messages: ::std::vec::Vec<ErrorMessage>,
                    #[serde(rename = "isEnabled", default = "defaults::default_bool::<true>")]
                    pub is_enabled: bool,
                    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                    pub name: ::std::option::Option<::std::string::String>,
                    #[serde(default, deserialize_with = "custom::decode")]
                    pub codes: ::std::vec::Vec<::std::string::String>,
                    #[serde(rename = "companyId")]
                    pub company_id: ::std::string::String,
                    pub partner: Partner,
                }
            }
        };
        module.content.expect("a module with items").1
    }

    /// The `serde` attribute of `field` in the struct `name`, as tokens.
    fn serde_of(items: &[syn::Item], name: &str, field: &str) -> Option<String> {
        let field = items
            .iter()
            .find_map(|item| match item {
                syn::Item::Struct(s) if s.ident == name => {
                    s.fields.iter().find(|f| f.ident.as_ref().is_some_and(|i| i == field))
                }
                _ => None,
            })
            .expect("the field");
        field.attrs.iter().find(|a| a.path().is_ident("serde")).map(|a| quote::quote!(#a).to_string())
    }

    fn attribute(attribute: syn::Attribute) -> String {
        quote::quote!(#attribute).to_string()
    }

    #[test]
    fn a_bare_default_decodes_null_as_the_default() {
        let mut items = types();
        assert_eq!(apply(&mut items), Ok(2));
        assert_eq!(
            serde_of(&items, "Company", "error_messages"),
            Some(attribute(syn::parse_quote!(#[serde(
                rename = "errorMessages",
                default,
                skip_serializing_if = "::std::vec::Vec::is_empty",
                deserialize_with = "crate::lenient::null_as_default"
            )]))),
        );
    }

    #[test]
    fn a_default_path_gets_a_private_function_that_falls_back_to_it() {
        let mut items = types();
        apply(&mut items).expect("apply");
        assert_eq!(items.len(), 2, "one function added");
        let syn::Item::Fn(helper) = &items[1] else { panic!("no function added") };
        let name = helper.sig.ident.to_string();
        assert_eq!(
            serde_of(&items, "Company", "is_enabled"),
            Some(attribute(syn::parse_quote!(#[serde(
                rename = "isEnabled",
                default = "defaults::default_bool::<true>",
                deserialize_with = #name
            )]))),
        );
        assert!(matches!(helper.vis, syn::Visibility::Inherited), "the function is private");
        let output = &helper.sig.output;
        let expected: syn::ReturnType = syn::parse_quote!(-> ::std::result::Result<bool, D::Error>);
        assert_eq!(quote::quote!(#output).to_string(), quote::quote!(#expected).to_string());
        let body = &helper.block;
        let fallback = quote::quote!(unwrap_or_else(defaults::default_bool::<true>)).to_string();
        assert!(quote::quote!(#body).to_string().contains(&fallback), "{}", quote::quote!(#body));
    }

    #[test]
    fn each_default_path_gets_its_own_function() {
        let mut items: Vec<syn::Item> = vec![
            syn::parse_quote! {
                #[derive(::serde::Deserialize)]
                pub struct First {
                    #[serde(default = "defaults::first")]
                    pub a: i64,
                }
            },
            syn::parse_quote! {
                #[derive(::serde::Deserialize)]
                pub struct Second {
                    #[serde(default = "defaults::second")]
                    pub b: ::std::string::String,
                }
            },
        ];
        assert_eq!(apply(&mut items), Ok(2));
        let helpers: Vec<String> = items[2..]
            .iter()
            .map(|item| match item {
                syn::Item::Fn(f) => f.sig.ident.to_string(),
                _ => panic!("not a function"),
            })
            .collect();
        assert_eq!(helpers.len(), 2);
        assert_ne!(helpers[0], helpers[1]);
        let a = serde_of(&items, "First", "a").expect("serde");
        let b = serde_of(&items, "Second", "b").expect("serde");
        assert!(a.contains(&format!("deserialize_with = \"{}\"", helpers[0])), "{a}");
        assert!(b.contains(&format!("deserialize_with = \"{}\"", helpers[1])), "{b}");
    }

    #[test]
    fn options_own_decoders_and_fields_without_default_are_left_as_they_were() {
        let before = types();
        let mut items = types();
        apply(&mut items).expect("apply");
        for field in ["name", "codes", "company_id", "partner"] {
            assert_eq!(serde_of(&items, "Company", field), serde_of(&before, "Company", field), "{field}");
        }
        let mut none: Vec<syn::Item> = vec![
            syn::parse_quote!(
                pub struct Tuple(#[serde(default)] pub Vec<u8>);
            ),
            syn::parse_quote!(
                pub enum Kind {
                    A {
                        #[serde(default)]
                        list: Vec<u8>,
                    },
                }
            ),
        ];
        let text = |items: &[syn::Item]| quote::quote!(#(#items)*).to_string();
        let untouched = text(&none);
        assert_eq!(apply(&mut none), Ok(0));
        assert_eq!(text(&none), untouched);
    }

    #[test]
    fn a_default_that_is_not_a_path_string_fails() {
        let mut items: Vec<syn::Item> = vec![syn::parse_quote! {
            #[derive(::serde::Deserialize)]
            pub struct Odd {
                #[serde(default = 5)]
                pub count: i64,
            }
        }];
        let error = apply(&mut items).expect_err("a number");
        assert!(error.contains("Odd") && error.contains("default"), "{error}");

        let mut items: Vec<syn::Item> = vec![syn::parse_quote! {
            #[derive(::serde::Deserialize)]
            pub struct Odd {
                #[serde(default = "not a path")]
                pub count: i64,
            }
        }];
        let error = apply(&mut items).expect_err("not a path");
        assert!(error.contains("Odd: default path"), "{error}");

        let mut items: Vec<syn::Item> = vec![syn::parse_quote! {
            #[derive(::serde::Deserialize)]
            pub struct Odd {
                #[serde(default = )]
                pub count: i64,
            }
        }];
        let error = apply(&mut items).expect_err("not a serde attribute");
        assert!(error.contains("Odd: serde attribute"), "{error}");
    }
}
