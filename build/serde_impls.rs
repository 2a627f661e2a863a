//! Every model struct serialises and decodes through short `Serialize` and
//! `Deserialize` impls of its own instead of serde's derives.
//!
//! serde's `Deserialize` derive writes, for each struct, a field enum with
//! three visitors, a sequence visitor no JSON answer uses, and per field a
//! duplicate check, a missing-field match and, for a `deserialize_with`
//! field, a wrapper type with an impl of its own, twice; its `Serialize`
//! derive, per field, a length term and an `if`/`else` of two calls. Over
//! Spotnana's models the derives were more than half of the expanded crate,
//! and type and borrow checking scale with it. Each model here gets a
//! table, one row per field, for the `encode!` and `decode!` macros of
//! `src/fields.rs`; they expand to, per field, one slot, one match arm and
//! one finishing line to decode, and one line to serialise, and the work is
//! in a handful of generic helpers beside them, compiled once.
//!
//! Keyed on shape: a named-field struct of `types` with no generics and no
//! struct-level `serde` attribute, whose fields' `serde` attributes hold only
//! `rename`, `default` (bare or `default = "path"`) and
//! `skip_serializing_if`. Each of the two derives it has is replaced; any
//! other struct keeps its derives. The impls do what serde's derives do:
//! - a key names the field by its `rename`, else by its name;
//! - a field whose `skip_serializing_if` holds is left out, and the struct's
//!   length counts the fields written;
//! - an `Option` field that is absent or `null` is `None` (a `default =
//!   "path"` on it fills an absent key from `path()`);
//! - a field with `default` that is not an `Option` takes its default when
//!   absent and, as the `null_as_default` pass gives the derived ones, when
//!   `null`;
//! - any other field that is absent is a "missing field" error, a key given
//!   twice a "duplicate field" error, and unknown keys are skipped.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use syn::punctuated::Punctuated;
use syn::{Expr, Fields, Item, ItemStruct, Lit, Meta, Token};

use super::syntax::{derives, drop_derives, is_option};

/// How one field finishes once the map is read.
enum Finish {
    /// Absent is an error.
    Required,
    /// An `Option`: absent or `null` is `None`.
    Optional,
    /// An `Option` with `default = "path"`: absent is `path()`, `null` is `None`.
    OptionalOr(syn::Path),
    /// Not an `Option`, with a bare `default`: absent or `null` is `Default::default()`.
    Default,
    /// Not an `Option`, with `default = "path"`: absent or `null` is `path()`.
    DefaultOr(syn::Path),
}

/// One field of a struct the pass writes impls for.
struct Field {
    ident: syn::Ident,
    key: String,
    finish: Finish,
    /// The `skip_serializing_if` predicate.
    skip: Option<syn::Path>,
}

/// Replaces the derived `Serialize` and `Deserialize` of every struct of
/// `items` the pass can write them for, and returns how many derives it
/// replaced.
pub fn apply(items: &mut Vec<Item>) -> Result<usize, String> {
    let mut impls = Vec::new();
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        let Some(fields) = plan(s)? else { continue };
        if derives(&s.attrs, "Serialize") {
            impls.push(encoder(s, &fields));
        }
        if derives(&s.attrs, "Deserialize") {
            impls.push(decoder(s, &fields));
        }
        drop_derives(&mut s.attrs, &["Serialize", "Deserialize"], &s.ident.clone())?;
        // `serde` attributes are the derives' helpers; schemars' derive reads
        // them too, so they stay while it is there.
        if !derives(&s.attrs, "JsonSchema") {
            strip_serde_attributes(s);
        }
    }
    let count = impls.len();
    for tokens in impls {
        let file: syn::File = syn::parse2(tokens).map_err(|e| format!("a generated serde impl does not parse: {e}"))?;
        items.extend(file.items);
    }
    Ok(count)
}

/// The struct's fields, when the pass can decode it.
fn plan(s: &ItemStruct) -> Result<Option<Vec<Field>>, String> {
    let Fields::Named(named) = &s.fields else { return Ok(None) };
    let derived = derives(&s.attrs, "Serialize") || derives(&s.attrs, "Deserialize");
    if !derived || !s.generics.params.is_empty() || s.attrs.iter().any(|a| a.path().is_ident("serde")) {
        return Ok(None);
    }
    let mut fields = Vec::new();
    for field in &named.named {
        let ident = field.ident.clone().ok_or_else(|| format!("{}: a named field without a name", s.ident))?;
        let (mut key, mut default, mut skip) = (ident.to_string().trim_start_matches("r#").to_string(), None, None);
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            let metas = attr
                .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                .map_err(|e| format!("{}.{ident}: serde attribute: {e}", s.ident))?;
            for meta in metas {
                match &meta {
                    Meta::NameValue(nv) if nv.path.is_ident("rename") => key = string(&nv.value, s, &ident)?,
                    Meta::NameValue(nv) if nv.path.is_ident("default") => {
                        default = Some(Some(path(&nv.value, s, &ident)?));
                    }
                    Meta::Path(p) if p.is_ident("default") => default = Some(None),
                    Meta::NameValue(nv) if nv.path.is_ident("skip_serializing_if") => {
                        skip = Some(path(&nv.value, s, &ident)?);
                    }
                    _ => return Ok(None),
                }
            }
        }
        let finish = match (is_option(&field.ty), default) {
            (true, Some(Some(path))) => Finish::OptionalOr(path),
            (true, _) => Finish::Optional,
            (false, None) => Finish::Required,
            (false, Some(None)) => Finish::Default,
            (false, Some(Some(path))) => Finish::DefaultOr(path),
        };
        fields.push(Field { ident, key, finish, skip });
    }
    Ok(Some(fields))
}

fn string(value: &Expr, s: &ItemStruct, field: &syn::Ident) -> Result<String, String> {
    match value {
        Expr::Lit(syn::ExprLit { lit: Lit::Str(text), .. }) => Ok(text.value()),
        _ => Err(format!("{}.{field}: a serde attribute value that is not a string", s.ident)),
    }
}

/// A serde attribute value that names a function (`default = "path"`).
fn path(value: &Expr, s: &ItemStruct, field: &syn::Ident) -> Result<syn::Path, String> {
    let text = string(value, s, field)?;
    syn::parse_str(&text).map_err(|e| format!("{}.{field}: {text:?} is not a path: {e}", s.ident))
}

/// The struct's `Serialize` impl: its table for `crate::fields::encode!`.
fn encoder(s: &ItemStruct, fields: &[Field]) -> TokenStream {
    let name = &s.ident;
    let rows = fields.iter().map(|f| {
        let (ident, key, skip) = (&f.ident, &f.key, &f.skip);
        quote!(#ident #key #skip;)
    });
    quote!(crate::fields::encode! { #name { #(#rows)* } })
}

/// The struct's `Deserialize` and `crate::fields::Decode` impls: its table
/// for `crate::fields::decode!`.
fn decoder(s: &ItemStruct, fields: &[Field]) -> TokenStream {
    let name = &s.ident;
    let rows = fields.iter().enumerate().map(|(i, f)| {
        let (index, ident, key) = (Literal::usize_unsuffixed(i), &f.ident, &f.key);
        let finish = match &f.finish {
            Finish::Required => quote!(required),
            Finish::Optional => quote!(optional),
            Finish::OptionalOr(path) => quote!(optional_or(#path)),
            Finish::Default => quote!(or_default),
            Finish::DefaultOr(path) => quote!(or_else(#path)),
        };
        quote!(#index #ident #key #finish;)
    });
    quote!(crate::fields::decode! { #name { #(#rows)* } })
}

/// Drops the fields' `serde` attributes, which no derive reads any more.
fn strip_serde_attributes(s: &mut ItemStruct) {
    for field in s.fields.iter_mut() {
        field.attrs.retain(|a| !a.path().is_ident("serde"));
    }
}

#[cfg(test)]
mod tests {
    use super::{apply, Finish};

    fn types() -> Vec<syn::Item> {
        let module: syn::ItemMod = syn::parse_quote! {
            mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Company {
                    #[serde(rename = "companyId")]
                    pub company_id: ::std::string::String,
                    #[serde(rename = "externalId", skip_serializing_if = "::std::option::Option::is_none")]
                    pub external_id: ::std::option::Option<::std::string::String>,
                    #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub offices: ::std::vec::Vec<::std::string::String>,
                    #[serde(default = "defaults::default_u64::<i64, 10>")]
                    pub limit: i64,
                    #[serde(rename = "type")]
                    pub type_: ::std::string::String,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                #[serde(transparent)]
                pub struct Wrapped {
                    pub inner: ::std::string::String,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Flattened {
                    #[serde(flatten)]
                    pub rest: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                #[derive(::serde::Serialize, Clone, Debug)]
                pub struct Request {
                    pub name: ::std::string::String,
                }
                #[derive(::serde::Deserialize, Clone, Debug)]
                pub struct Newtype(pub ::std::string::String);
            }
        };
        module.content.expect("inline module").1
    }

    fn tokens(item: &syn::Item) -> String {
        quote::quote!(#item).to_string()
    }

    #[test]
    fn replaces_the_derive_of_plain_structs_only() {
        let mut items = types();
        assert_eq!(apply(&mut items).expect("applies"), 3, "Company's two derives and Request's one");
        let company = tokens(&items[0]);
        assert!(company.contains("# [derive (Clone , Debug)]"), "{company}");
        assert!(!company.contains("serde"), "no derive reads the fields' serde attributes: {company}");
        for kept in &items[1..3] {
            assert!(tokens(kept).contains(":: serde :: Deserialize , :: serde :: Serialize"), "{}", tokens(kept));
        }
        assert!(tokens(&items[3]).contains("# [derive (Clone , Debug)]"));
        assert!(tokens(&items[4]).contains("Deserialize"), "a tuple struct keeps its derive");
        let added: Vec<String> = items[5..].iter().map(tokens).collect();
        assert_eq!(added.len(), 3, "{added:?}");
        assert!(added[0].starts_with("crate :: fields :: encode ! { Company {"), "{}", added[0]);
        assert!(added[1].starts_with("crate :: fields :: decode ! { Company {"), "{}", added[1]);
        assert!(added[2].starts_with("crate :: fields :: encode ! { Request {"), "{}", added[2]);
    }

    #[test]
    fn keys_come_from_renames_and_names() {
        let mut items = types();
        apply(&mut items).expect("applies");
        let decoder = tokens(&items[6]);
        assert!(decoder.contains(r#"0 company_id "companyId" required ;"#), "{decoder}");
        assert!(decoder.contains(r#"4 type_ "type" required ;"#), "{decoder}");
        let encoder = tokens(&items[5]);
        assert!(encoder.contains(r#"type_ "type" ;"#), "{encoder}");
        assert!(encoder.contains(r#"company_id "companyId" ;"#), "{encoder}");
    }

    #[test]
    fn a_field_with_a_skip_predicate_carries_it_in_its_row() {
        let mut items = types();
        apply(&mut items).expect("applies");
        let encoder = tokens(&items[5]);
        assert!(encoder.contains(r#"external_id "externalId" :: std :: option :: Option :: is_none ;"#), "{encoder}");
        assert!(encoder.contains(r#"offices "offices" :: std :: vec :: Vec :: is_empty ;"#), "{encoder}");
        assert!(encoder.contains(r#"limit "limit" ;"#), "a field with no predicate is always written: {encoder}");
    }

    #[test]
    fn each_field_finishes_by_its_kind() {
        let items = types();
        let syn::Item::Struct(company) = &items[0] else { panic!("a struct") };
        let plan = super::plan(company).expect("plans").expect("decodable");
        let finishes: Vec<_> = plan.iter().map(|f| &f.finish).collect();
        assert!(matches!(finishes[0], Finish::Required));
        assert!(matches!(finishes[1], Finish::Optional));
        assert!(matches!(finishes[2], Finish::Default));
        assert!(matches!(finishes[3], Finish::DefaultOr(_)));
        assert!(matches!(finishes[4], Finish::Required));
        let mut items = types();
        apply(&mut items).expect("applies");
        let decoder = tokens(&items[6]);
        assert!(decoder.contains(r#"1 external_id "externalId" optional ;"#), "{decoder}");
        assert!(decoder.contains(r#"2 offices "offices" or_default ;"#), "{decoder}");
        assert!(
            decoder.contains(r#"3 limit "limit" or_else (defaults :: default_u64 :: < i64 , 10 >) ;"#),
            "{decoder}"
        );
    }
}
