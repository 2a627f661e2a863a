//! Union variants a user can name. typify names the branches of an
//! untagged union that share an object's properties `Variant0`, `Variant1`,
//! ...; which is which shows only in their fields (`ListUsersV3Request`'s
//! `Variant0` lists a TMC's users, `Variant1` a company's). Each such
//! variant is renamed after the required field that tells it apart: the
//! first one no other numbered variant has, without its `_id` (`tmc_id`
//! gives `Tmc`, `company_id` gives `Company`). Each renamed variant also
//! gets a constructor, `ListUsersV3Request::company(company_id, pagination)`,
//! that takes its required fields and leaves the rest unset or at their
//! defaults; it reports every field that does not convert
//! (`crate::BuildError`).
//!
//! Keyed on shape: an enum of `types` with `#[serde(untagged)]` and struct
//! variants named `Variant<n>`. A variant with no such field, or whose new
//! name another variant has, keeps its name.

use std::collections::BTreeSet;

use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{Fields, Item};

use super::builders::{field_kind, Kind};

/// Renames the numbered variants of `types`' untagged unions and gives them
/// constructors; returns how many it renamed.
pub fn apply(types: &mut Vec<Item>) -> Result<usize, String> {
    let mut renames: Vec<(String, String, String)> = Vec::new();
    let mut constructors = Vec::new();
    for item in types.iter_mut() {
        let Item::Enum(union) = item else { continue };
        if !is_untagged(&union.attrs) {
            continue;
        }
        let numbered: Vec<usize> = (0..union.variants.len())
            .filter(|&i| {
                let v = &union.variants[i];
                is_numbered(&v.ident.to_string()) && matches!(v.fields, Fields::Named(_))
            })
            .collect();
        if numbered.len() < 2 {
            continue;
        }
        let names_of = |i: usize| -> BTreeSet<String> {
            union.variants[i].fields.iter().filter_map(|f| f.ident.as_ref().map(ToString::to_string)).collect()
        };
        let mut taken: BTreeSet<String> = union.variants.iter().map(|v| v.ident.to_string()).collect();
        let mut methods = Vec::new();
        for &i in &numbered {
            let others: Vec<BTreeSet<String>> = numbered.iter().filter(|&&j| j != i).map(|&j| names_of(j)).collect();
            let variant = &union.variants[i];
            let mut required = Vec::new();
            let mut distinct = None;
            for field in &variant.fields {
                let kind = field_kind(field, &field.ty)?;
                let ident = field.ident.clone().ok_or("a struct variant has a field with no name")?;
                if matches!(kind, Kind::Required) {
                    let name = ident.to_string();
                    if distinct.is_none() && others.iter().all(|o| !o.contains(&name)) {
                        distinct = Some(name);
                    }
                    required.push((ident.clone(), field.ty.clone()));
                }
            }
            let Some(field) = distinct else { continue };
            let stem = field.strip_suffix("_id").filter(|s| !s.is_empty()).unwrap_or(&field);
            let new = super::contract::pascal(stem);
            if taken.contains(&new) {
                continue;
            }
            taken.insert(new.clone());
            renames.push((union.ident.to_string(), variant.ident.to_string(), new.clone()));
            methods.push(constructor(&new, variant, &required)?);
        }
        if !methods.is_empty() {
            let name = &union.ident;
            constructors.push(syn::parse_quote!(impl #name { #(#methods)* }));
        }
    }
    let mut rename = Rename(&renames);
    for item in types.iter_mut() {
        rename.visit_item_mut(item);
    }
    types.extend(constructors);
    Ok(renames.len())
}

/// The constructor of a renamed variant: its required fields as arguments,
/// the others unset or at their defaults.
fn constructor(
    name: &str,
    variant: &syn::Variant,
    required: &[(syn::Ident, syn::Type)],
) -> Result<syn::ImplItemFn, String> {
    let variant_ident = format_ident!("{}", name);
    let method = format_ident!("{}", super::contract::snake(name));
    let params = required.iter().map(|(ident, ty)| quote!(#ident: impl crate::IntoField<#ty>));
    let sets = required.iter().map(|(ident, _)| {
        let label = ident.to_string();
        quote!(let #ident = crate::building::set(&mut problems, #label, #ident);)
    });
    let idents: Vec<&syn::Ident> = required.iter().map(|(ident, _)| ident).collect();
    let mut fields = Vec::new();
    for field in &variant.fields {
        let ident = field.ident.as_ref().ok_or("a struct variant has a field with no name")?;
        let value = match field_kind(field, &field.ty)? {
            Kind::Required => quote!(#ident),
            Kind::Optional(_) => quote!(#ident: None),
            Kind::Defaulted(None) => quote!(#ident: Default::default()),
            Kind::Defaulted(Some(path)) => quote!(#ident: #path()),
        };
        fields.push(value);
    }
    let doc = format!(
        " The `{name}` variant, from its required fields ({}); the others start unset or at their defaults.",
        idents.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
    );
    Ok(syn::parse_quote! {
        #[doc = #doc]
        pub fn #method(#(#params),*) -> ::std::result::Result<Self, crate::BuildError> {
            let mut problems = crate::building::Problems::new();
            #(#sets)*
            match (#(#idents,)*) {
                (#(Some(#idents),)*) if problems.is_empty() => Ok(Self::#variant_ident { #(#fields,)* }),
                _ => Err(crate::building::failed(problems)),
            }
        }
    })
}

fn is_untagged(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("serde") && a.parse_args::<syn::Path>().is_ok_and(|p| p.is_ident("untagged")))
}

fn is_numbered(name: &str) -> bool {
    name.strip_prefix("Variant").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Renames each `(enum, old, new)` variant, where it is declared and in
/// every `Enum::Old` path.
struct Rename<'a>(&'a [(String, String, String)]);

impl VisitMut for Rename<'_> {
    fn visit_item_enum_mut(&mut self, item: &mut syn::ItemEnum) {
        let name = item.ident.to_string();
        for variant in item.variants.iter_mut() {
            let old = variant.ident.to_string();
            if let Some((.., new)) = self.0.iter().find(|(e, o, _)| *e == name && *o == old) {
                variant.ident = format_ident!("{}", new);
            }
        }
        syn::visit_mut::visit_item_enum_mut(self, item);
    }

    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        let n = path.segments.len();
        if n >= 2 {
            let owner = path.segments[n - 2].ident.to_string();
            let owner = if owner == "Self" { None } else { Some(owner) };
            let old = path.segments[n - 1].ident.to_string();
            if let Some((.., new)) = self.0.iter().find(|(e, o, _)| Some(e) == owner.as_ref() && *o == old) {
                path.segments[n - 1].ident = format_ident!("{}", new);
            }
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

#[cfg(test)]
mod tests {
    use super::apply;

    fn types() -> Vec<syn::Item> {
        let module: syn::ItemMod = syn::parse_quote! {
            mod types {
                #[serde(untagged)]
                pub enum ListUsers {
                    Variant0 {
                        pagination: Pagination,
                        #[serde(rename = "tmcId")]
                        tmc_id: EntityId,
                        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                        region: ::std::option::Option<::std::string::String>,
                    },
                    Variant1 {
                        #[serde(rename = "companyId")]
                        company_id: EntityId,
                        pagination: Pagination,
                        #[serde(default = "defaults::status")]
                        status: Status,
                    },
                    Unrecognized(::serde_json::Value),
                }
                impl From<&ListUsers> for ListUsers {
                    fn from(value: &ListUsers) -> Self {
                        match value { ListUsers::Variant0 { .. } => value.clone(), _ => value.clone() }
                    }
                }
                pub enum Tagged { Variant0 { a: i64 }, Variant1 { b: i64 } }
            }
        };
        module.content.expect("items").1
    }

    fn text(items: &[syn::Item]) -> String {
        quote::quote!(#(#items)*).to_string().split_whitespace().collect()
    }

    #[test]
    fn numbered_variants_are_named_after_the_field_that_tells_them_apart() {
        let mut types = types();
        assert_eq!(apply(&mut types), Ok(2));
        let code = text(&types);
        assert!(code.contains("pubenumListUsers{Tmc{"), "{code}");
        assert!(code.contains("Company{#[serde(rename=\"companyId\")]company_id"), "{code}");
        assert!(code.contains("ListUsers::Tmc{..}=>"), "paths follow the rename: {code}");
        assert!(code.contains("pubenumTagged{Variant0{a:i64},Variant1{b:i64}}"), "not untagged: left alone: {code}");
    }

    #[test]
    fn each_renamed_variant_gets_a_constructor_of_its_required_fields() {
        let mut types = types();
        apply(&mut types).expect("the pass runs");
        let code = text(&types);
        let company =
            "pubfncompany(company_id:implcrate::IntoField<EntityId>,pagination:implcrate::IntoField<Pagination>)";
        assert!(code.contains(company), "{code}");
        assert!(code.contains("Ok(Self::Company{company_id,pagination,status:defaults::status(),})"), "{code}");
        assert!(code.contains("Ok(Self::Tmc{pagination,tmc_id,region:None,})"), "{code}");
    }

    #[test]
    fn variants_that_nothing_tells_apart_keep_their_numbers() {
        let mut types: Vec<syn::Item> = vec![syn::parse_quote! {
            #[serde(untagged)]
            pub enum Same { Variant0 { a: i64 }, Variant1 { a: i64 } }
        }];
        assert_eq!(apply(&mut types), Ok(0));
        assert!(text(&types).contains("Variant0{a:i64},Variant1{a:i64}"));
    }
}
