//! Open enums: every string enum typify generates gains a last variant,
//! `Unrecognized(String)`, that keeps a value this build of the SDK does not
//! know. Decoding never fails on a new value, and serialising it writes the
//! same string back.
//!
//! Keyed on shape, not names: the targets are the enums of the `types` module
//! whose variants all carry no data (typify's form of a string `enum`, named or
//! inline). For each one the pass
//! - adds the variant, and drops the derives of `Copy` (a `String` is not
//!   `Copy`), `Deserialize` (replaced by one that accepts any string) and
//!   `Serialize` (replaced by one that writes `as_str()`, shorter to compile
//!   than the derive's match); the variants keep their `serde` attributes,
//!   and the new one is `#[serde(untagged)]`, only for schemars' derive,
//!   which reads them for the schema;
//! - adds `as_str()` and `is_known()`;
//! - makes `Display` write `as_str()`, and `FromStr`'s fallback arm return the
//!   new variant instead of an error.
//!
//! Each enum must have typify's `Display` and `FromStr` impls and no variant of
//! the new name, or the build fails naming it.

use std::collections::BTreeMap;

use syn::{Expr, Fields, Ident, Item, Lit, Meta};

use super::syntax::{derives, drop_derives};

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
            return Err(format!(
                "enum {name} already has a variant {VARIANT}; open_enums needs another name for its catch-all"
            ));
        }
        let spelled = e
            .variants
            .iter()
            .map(|v| (v.ident.clone(), serde_rename(&v.attrs).unwrap_or_else(|| v.ident.to_string())))
            .collect();
        values.insert(name, spelled);
        let owner = e.ident.clone();
        drop_derives(&mut e.attrs, &["Copy", "Deserialize", "Serialize"], &owner)
            .map_err(|err| format!("enum {err}"))?;
        // The variants' `serde` attributes are read by schemars' derive
        // alone now; without it no derive would accept them.
        let schemars = derives(&e.attrs, "JsonSchema");
        if !schemars {
            for v in e.variants.iter_mut() {
                v.attrs.retain(|a| !a.path().is_ident("serde"));
            }
        }
        let variant = Ident::new(VARIANT, proc_macro2::Span::call_site());
        let mut catch_all: syn::Variant = syn::parse_quote! {
            /// A value this version of the SDK does not know, kept exactly as
            /// Spotnana sent it. A newer version of the crate may name it.
            #variant(::std::string::String)
        };
        if schemars {
            catch_all.attrs.push(syn::parse_quote!(#[serde(untagged)]));
        }
        e.variants.push(catch_all);
    }

    let mut display = BTreeMap::new();
    let mut from_str = BTreeMap::new();
    for item in items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let Some(target) = self_name(&imp.self_ty).filter(|t| values.contains_key(t)) else { continue };
        let Some(trait_name) = imp.trait_.as_ref().and_then(|(p, _)| p.segments.last()).map(|s| s.ident.to_string())
        else {
            continue;
        };
        let Some(syn::ImplItem::Fn(f)) = imp.items.iter_mut().find(|i| matches!(i, syn::ImplItem::Fn(_))) else {
            continue;
        };
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
            impl ::serde::Serialize for #ident {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{apply, VARIANT};

    /// A `types` module's items as typify writes a string enum: two values
    /// renamed, one spelled as its variant, with typify's `Display`,
    /// `FromStr` and a `TryFrom` that parses.
    fn types() -> Vec<syn::Item> {
        let module: syn::ItemMod = syn::parse_quote! {
            mod types {
                ///The kind of travel.
                #[derive(
                    ::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, Eq, Hash, Ord, PartialEq,
                    PartialOrd, schemars::JsonSchema
                )]
                pub enum TravelType {
                    #[serde(rename = "AIR")]
                    Air,
                    #[serde(rename = "HOTEL_STAY")]
                    HotelStay,
                    Rail,
                }
                impl ::std::convert::From<&Self> for TravelType {
                    fn from(value: &TravelType) -> Self {
                        value.clone()
                    }
                }
                impl ::std::fmt::Display for TravelType {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        match *self {
                            Self::Air => f.write_str("AIR"),
                            Self::HotelStay => f.write_str("HOTEL_STAY"),
                            Self::Rail => f.write_str("Rail"),
                        }
                    }
                }
                impl ::std::str::FromStr for TravelType {
                    type Err = self::error::ConversionError;
                    fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                        match value {
                            "AIR" => Ok(Self::Air),
                            "HOTEL_STAY" => Ok(Self::HotelStay),
                            "Rail" => Ok(Self::Rail),
                            _ => Err("invalid value".into()),
                        }
                    }
                }
                impl ::std::convert::TryFrom<&str> for TravelType {
                    type Error = self::error::ConversionError;
                    fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                        value.parse()
                    }
                }
            }
        };
        module.content.expect("a module with items").1
    }

    fn tokens(tokens: impl quote::ToTokens) -> String {
        tokens.to_token_stream().to_string()
    }

    fn the_enum<'a>(items: &'a [syn::Item], name: &str) -> &'a syn::ItemEnum {
        items
            .iter()
            .find_map(|item| match item {
                syn::Item::Enum(e) if e.ident == name => Some(e),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no enum {name}"))
    }

    /// The last segment of each path an enum derives.
    fn derives(e: &syn::ItemEnum) -> Vec<String> {
        let paths = e.attrs.iter().filter(|a| a.path().is_ident("derive")).flat_map(|a| {
            a.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated).unwrap()
        });
        paths.map(|p| p.segments.last().unwrap().ident.to_string()).collect()
    }

    /// Whether `item` is an impl of the trait `name` (`None`: inherent) for `ty`.
    fn is_impl(item: &syn::Item, ty: &str, name: Option<&str>) -> bool {
        let syn::Item::Impl(imp) = item else { return false };
        let trait_name = imp.trait_.as_ref().map(|(p, _)| p.segments.last().unwrap().ident.to_string());
        tokens(&imp.self_ty) == ty && trait_name.as_deref() == name
    }

    /// The function `name` of an impl of the trait `trait_name` (`None`:
    /// an inherent impl) for `ty`.
    fn function<'a>(items: &'a [syn::Item], ty: &str, trait_name: Option<&str>, name: &str) -> &'a syn::ImplItemFn {
        items
            .iter()
            .filter(|item| is_impl(item, ty, trait_name))
            .find_map(|item| match item {
                syn::Item::Impl(imp) => imp.items.iter().find_map(|i| match i {
                    syn::ImplItem::Fn(f) if f.sig.ident == name => Some(f),
                    _ => None,
                }),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no fn {name} in an impl {trait_name:?} for {ty}"))
    }

    /// The `match` a function's body ends in.
    fn last_match(f: &syn::ImplItemFn) -> &syn::ExprMatch {
        match f.block.stmts.last() {
            Some(syn::Stmt::Expr(syn::Expr::Match(m), None)) => m,
            _ => panic!("{} does not end in a match", f.sig.ident),
        }
    }

    fn string(expr: &syn::Expr) -> Option<String> {
        match expr {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
            _ => None,
        }
    }

    fn last_ident(path: &syn::Path) -> String {
        path.segments.last().unwrap().ident.to_string()
    }

    /// Variant to string, from `Self::X => f.write_str("..")` arms.
    fn display_strings(f: &syn::ImplItemFn) -> BTreeMap<String, String> {
        let arms = last_match(f).arms.iter().map(|arm| match (&arm.pat, arm.body.as_ref()) {
            (syn::Pat::Path(p), syn::Expr::MethodCall(call)) => (last_ident(&p.path), string(&call.args[0]).unwrap()),
            _ => panic!("an arm of another shape: {}", tokens(arm)),
        });
        arms.collect()
    }

    /// Variant to string, from `Self::X => ".."` arms; the catch-all's arm
    /// is left out.
    fn as_str_strings(f: &syn::ImplItemFn) -> BTreeMap<String, String> {
        let arms = last_match(f).arms.iter().filter_map(|arm| match &arm.pat {
            syn::Pat::Path(p) => Some((last_ident(&p.path), string(&arm.body).expect("a string"))),
            _ => None,
        });
        arms.collect()
    }

    /// Variant to string, from `".." => Ok(Self::X)` arms; the `_` arm is
    /// left out.
    fn from_str_strings(f: &syn::ImplItemFn) -> BTreeMap<String, String> {
        let arms = last_match(f).arms.iter().filter_map(|arm| {
            let syn::Pat::Lit(syn::PatLit { lit: syn::Lit::Str(value), .. }) = &arm.pat else { return None };
            let syn::Expr::Call(ok) = arm.body.as_ref() else { panic!("{}", tokens(arm)) };
            let syn::Expr::Path(variant) = &ok.args[0] else { panic!("{}", tokens(arm)) };
            Some((last_ident(&variant.path), value.value()))
        });
        arms.collect()
    }

    #[test]
    fn a_string_enum_gains_a_last_untagged_catch_all_and_drops_copy_and_deserialize() {
        let mut items = types();
        assert_eq!(apply(&mut items), Ok(1));
        let e = the_enum(&items, "TravelType");
        let names: Vec<String> = e.variants.iter().map(|v| v.ident.to_string()).collect();
        assert_eq!(names, ["Air", "HotelStay", "Rail", VARIANT]);
        let last = e.variants.last().unwrap();
        assert_eq!(tokens(&last.fields), tokens(quote::quote!((::std::string::String))));
        let untagged = last.attrs.iter().any(|a| a.path().is_ident("serde") && tokens(&a.meta) == "serde (untagged)");
        assert!(untagged, "Serialize writes the bare string: {}", tokens(last));
        let kept = ["Clone", "Debug", "Eq", "Hash", "Ord", "PartialEq", "PartialOrd", "JsonSchema"];
        assert_eq!(derives(e), kept);
        // Serialize writes as_str(), which spells every value as serde did.
        let serialize: Vec<&syn::Item> = items.iter().filter(|i| is_impl(i, "TravelType", Some("Serialize"))).collect();
        assert_eq!(serialize.len(), 1);
        assert!(tokens(serialize[0]).contains("serializer . serialize_str (self . as_str ())"));
        // The derive is replaced by one that takes any string.
        let deserialize: Vec<&syn::Item> =
            items.iter().filter(|i| is_impl(i, "TravelType", Some("Deserialize"))).collect();
        assert_eq!(deserialize.len(), 1);
        assert!(tokens(deserialize[0]).contains("crate :: lenient :: enum_from_str (deserializer)"));
        let is_known = function(&items, "TravelType", None, "is_known");
        assert_eq!(tokens(&is_known.block), tokens(quote::quote!({ !matches!(self, Self::Unrecognized(_)) })));
    }

    #[test]
    fn without_schemars_no_variant_keeps_a_serde_attribute() {
        let mut items = types();
        let syn::Item::Enum(e) = &mut items[0] else { panic!("the enum comes first") };
        e.attrs = vec![syn::parse_quote!(#[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)])];
        assert_eq!(apply(&mut items), Ok(1));
        let e = the_enum(&items, "TravelType");
        assert!(e.variants.iter().all(|v| !v.attrs.iter().any(|a| a.path().is_ident("serde"))), "{}", tokens(e));
        assert_eq!(derives(e), ["Clone", "Debug"]);
        let as_str = function(&items, "TravelType", None, "as_str");
        assert!(tokens(as_str).contains(r#"Self :: HotelStay => "HOTEL_STAY""#), "the spelling is in as_str");
    }

    #[test]
    fn display_from_str_and_as_str_agree_on_every_value() {
        let mut items = types();
        let typify = display_strings(function(&items, "TravelType", Some("Display"), "fmt"));
        let expected: BTreeMap<String, String> =
            [("Air", "AIR"), ("HotelStay", "HOTEL_STAY"), ("Rail", "Rail")].map(|(v, s)| (v.into(), s.into())).into();
        assert_eq!(typify, expected, "the input is typify's");
        apply(&mut items).unwrap();

        let as_str = function(&items, "TravelType", None, "as_str");
        assert_eq!(as_str_strings(as_str), expected, "as_str spells each value as serde and typify's Display did");
        let catch_all = last_match(as_str).arms.last().unwrap();
        assert_eq!(tokens(catch_all), tokens(quote::quote!(Self::Unrecognized(value) => value.as_str(),)));

        let display = function(&items, "TravelType", Some("Display"), "fmt");
        assert_eq!(tokens(&display.block), tokens(quote::quote!({ f.write_str(self.as_str()) })));

        let from_str = function(&items, "TravelType", Some("FromStr"), "from_str");
        assert_eq!(from_str_strings(from_str), expected, "FromStr reads back what as_str writes");
        let fallback = last_match(from_str).arms.iter().find(|a| matches!(a.pat, syn::Pat::Wild(_))).unwrap();
        assert_eq!(tokens(&fallback.body), tokens(quote::quote!(Ok(Self::Unrecognized(value.to_string())))));
        assert!(!tokens(from_str).contains("invalid value"), "an unknown value is no error");
    }

    #[test]
    fn enums_with_data_empty_enums_and_structs_are_left_as_they_are() {
        let module: syn::ItemMod = syn::parse_quote! {
            mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                #[serde(untagged)]
                pub enum AdditionalInfo {
                    Variable(Variable),
                    Expression(Expression),
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
                pub enum Never {}
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Trip {
                    #[serde(rename = "tripId")]
                    pub trip_id: ::std::string::String,
                }
                impl ::std::fmt::Display for Trip {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(&self.trip_id)
                    }
                }
            }
        };
        let mut items = module.content.unwrap().1;
        let before = tokens(quote::quote!(#(#items)*));
        assert_eq!(apply(&mut items), Ok(0));
        assert_eq!(tokens(quote::quote!(#(#items)*)), before);
    }

    #[test]
    fn an_enum_with_a_variant_of_the_catch_all_s_name_fails_naming_it() {
        let module: syn::ItemMod = syn::parse_quote! {
            mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
                pub enum Status {
                    #[serde(rename = "ACTIVE")]
                    Active,
                    #[serde(rename = "UNRECOGNIZED")]
                    Unrecognized,
                }
            }
        };
        let mut items = module.content.unwrap().1;
        let error = "enum Status already has a variant Unrecognized; open_enums needs another name for its catch-all";
        assert_eq!(apply(&mut items), Err(error.into()));
    }

    #[test]
    fn an_enum_without_typify_s_display_or_from_str_fails_naming_it() {
        let mut no_display = types();
        no_display.retain(|item| !is_impl(item, "TravelType", Some("Display")));
        assert_eq!(
            apply(&mut no_display),
            Err("enum TravelType lacks typify's Display or FromStr impl; open_enums cannot open it".into())
        );

        let mut no_from_str = types();
        no_from_str.retain(|item| !is_impl(item, "TravelType", Some("FromStr")));
        assert!(apply(&mut no_from_str).is_err_and(|e| e.contains("TravelType lacks typify's Display or FromStr")));

        // A FromStr with no `_` arm has no fallback to open.
        let mut no_fallback = types();
        for item in &mut no_fallback {
            let syn::Item::Impl(imp) = item else { continue };
            if imp.trait_.as_ref().is_some_and(|(p, _)| last_ident(p) == "FromStr") {
                for member in &mut imp.items {
                    let syn::ImplItem::Fn(f) = member else { continue };
                    let Some(syn::Stmt::Expr(syn::Expr::Match(m), _)) = f.block.stmts.last_mut() else { continue };
                    m.arms.retain(|a| !matches!(a.pat, syn::Pat::Wild(_)));
                }
            }
        }
        assert_eq!(
            apply(&mut no_fallback),
            Err("TravelType::from_str has no `_` arm; open_enums cannot open it".into())
        );
    }
}
