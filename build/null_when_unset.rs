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
    for (name, schema) in
        document.pointer("/components/schemas").and_then(serde_json::Value::as_object).into_iter().flatten()
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
        let is_default =
            imp.trait_.as_ref().and_then(|(path, _)| path.segments.last()).is_some_and(|seg| seg.ident == "Default");
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

#[cfg(test)]
mod tests {
    use super::apply;

    /// progenitor's output as typify writes its models: `Plain`, whose two
    /// properties are both listed, `Partly`, with one listed of two, and
    /// `Other`, listed nowhere; each with its builder's `Default`.
    fn file() -> syn::File {
        syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Plain {
                    pub code: ::std::option::Option<::std::string::String>,
                    #[serde(rename = "linkedTo")]
                    pub linked_to: ::std::option::Option<Link>,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Partly {
                    pub r#ref: ::serde_json::Value,
                    pub name: ::std::string::String,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Other {
                    pub code: ::std::option::Option<::std::string::String>,
                }
                pub mod builder {
                    impl ::std::default::Default for Plain {
                        fn default() -> Self {
                            Self {
                                code: Err("no value supplied for code".to_string()),
                                linked_to: Err("no value supplied for linked_to".to_string()),
                            }
                        }
                    }
                    impl ::std::default::Default for Partly {
                        fn default() -> Self {
                            Self {
                                r#ref: Err("no value supplied for r#ref".to_string()),
                                name: Err("no value supplied for name".to_string()),
                            }
                        }
                    }
                    impl ::std::default::Default for Other {
                        fn default() -> Self {
                            Self { code: Err("no value supplied for code".to_string()) }
                        }
                    }
                    impl Plain {
                        pub fn code<T>(mut self, value: T) -> Self {
                            self.code = Err("no value supplied for code".to_string());
                            self
                        }
                    }
                }
            }
        }
    }

    /// A document whose schemas list properties under the extension, as in
    /// `listed` (schema name to list), with one more schema, `Other`, that
    /// lists none.
    fn document(listed: serde_json::Value) -> serde_json::Value {
        let mut schemas = serde_json::Map::new();
        for (name, props) in listed.as_object().expect("an object") {
            schemas.insert(name.clone(), serde_json::json!({ "type": "object", super::EXTENSION: props }));
        }
        schemas.insert("Other".into(), serde_json::json!({ "type": "object" }));
        serde_json::json!({ "openapi": "3.0.3", "components": { "schemas": schemas } })
    }

    fn listed() -> serde_json::Value {
        serde_json::json!({ "Plain": ["code", "linkedTo"], "Partly": ["ref"] })
    }

    fn types(file: &syn::File) -> &[syn::Item] {
        super::super::syntax::module(&file.items, "types").expect("types")
    }

    fn model<'a>(file: &'a syn::File, name: &str) -> &'a syn::ItemStruct {
        types(file)
            .iter()
            .find_map(|item| match item {
                syn::Item::Struct(s) if s.ident == name => Some(s),
                _ => None,
            })
            .expect("the model")
    }

    /// The `serde` attributes of the field `field` of `name`, as tokens.
    fn serde_of(file: &syn::File, name: &str, field: &str) -> Vec<String> {
        let field = model(file, name).fields.iter().find(|f| f.ident.as_ref().is_some_and(|i| i == field));
        let attrs = &field.expect("the field").attrs;
        attrs.iter().filter(|a| a.path().is_ident("serde")).map(|a| quote::quote!(#a).to_string()).collect()
    }

    fn attribute(attribute: syn::Attribute) -> String {
        quote::quote!(#attribute).to_string()
    }

    /// What the builder `name`'s `default` starts `field` at, as tokens.
    fn start_of(file: &syn::File, name: &str, field: &str) -> String {
        let builder = super::super::syntax::module(types(file), "builder").expect("builder");
        let default = builder
            .iter()
            .find_map(|item| match item {
                syn::Item::Impl(i) if i.trait_.is_some() => match i.self_ty.as_ref() {
                    syn::Type::Path(p) if p.path.is_ident(name) => i.items.iter().find_map(|m| match m {
                        syn::ImplItem::Fn(f) => Some(f),
                        _ => None,
                    }),
                    _ => None,
                },
                _ => None,
            })
            .expect("the builder's default");
        let Some(syn::Stmt::Expr(syn::Expr::Struct(init), _)) = default.block.stmts.last() else { panic!("shape") };
        let named = |f: &&syn::FieldValue| matches!(&f.member, syn::Member::Named(id) if *id == field);
        let value = &init.fields.iter().find(named).expect("field").expr;
        quote::quote!(#value).to_string()
    }

    #[test]
    fn a_listed_field_decodes_an_absent_key_as_its_default() {
        let mut file = file();
        apply(&mut file, &document(listed())).expect("apply");
        assert_eq!(serde_of(&file, "Plain", "code"), [attribute(syn::parse_quote!(#[serde(default)]))]);
        assert_eq!(
            serde_of(&file, "Plain", "linked_to"),
            [attribute(syn::parse_quote!(#[serde(rename = "linkedTo", default)]))],
            "the JSON name keys the list, and the rename is kept",
        );
        assert_eq!(serde_of(&file, "Partly", "r#ref"), [attribute(syn::parse_quote!(#[serde(default)]))]);
        assert!(serde_of(&file, "Partly", "name").is_empty(), "an unlisted field is left as it was");
        assert!(serde_of(&file, "Other", "code").is_empty(), "an unlisted schema is left as it was");
    }

    #[test]
    fn a_model_whose_fields_are_all_listed_derives_default() {
        let mut file = file();
        apply(&mut file, &document(listed())).expect("apply");
        let derives = |name: &str| {
            let attrs = &model(&file, name).attrs;
            attrs.iter().map(|a| quote::quote!(#a).to_string()).filter(|a| a.contains("Default")).count()
        };
        assert_eq!(derives("Plain"), 1);
        assert_eq!(derives("Partly"), 0, "`name` has no default");
        assert_eq!(derives("Other"), 0);
    }

    #[test]
    fn a_listed_fields_builder_starts_at_its_default() {
        let mut file = file();
        apply(&mut file, &document(listed())).expect("apply");
        let start = quote::quote!(Ok(Default::default())).to_string();
        assert_eq!(start_of(&file, "Plain", "code"), start);
        assert_eq!(start_of(&file, "Plain", "linked_to"), start);
        assert_eq!(start_of(&file, "Partly", "r#ref"), start);
        assert!(start_of(&file, "Partly", "name").starts_with("Err"), "an unlisted field still demands a value");
        assert!(start_of(&file, "Other", "code").starts_with("Err"));
        let text = quote::quote!(#file).to_string();
        let setter = quote::quote!(self.code = Err("no value supplied for code".to_string())).to_string();
        assert!(text.contains(&setter), "methods other than `Default::default` are left as they were");
    }

    #[test]
    fn a_listed_field_loses_its_default_path_and_keeps_its_other_serde_options() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Plain {
                    #[serde(rename = "code", default = "defaults::code", skip_serializing_if = "x")]
                    pub code: ::std::option::Option<::std::string::String>,
                }
                pub mod builder {}
            }
        };
        apply(&mut file, &document(serde_json::json!({ "Plain": ["code"] }))).expect("apply");
        let expected = attribute(syn::parse_quote!(#[serde(rename = "code", skip_serializing_if = "x", default)]));
        assert_eq!(serde_of(&file, "Plain", "code"), [expected]);
    }

    #[test]
    fn a_document_that_lists_nothing_leaves_the_file_as_it_was() {
        let mut file = file();
        let before = quote::quote!(#file).to_string();
        apply(&mut file, &serde_json::json!({ "openapi": "3.0.3" })).expect("no components");
        apply(&mut file, &document(serde_json::json!({}))).expect("no lists");
        assert_eq!(quote::quote!(#file).to_string(), before);
    }

    #[test]
    fn a_listed_schema_or_property_with_no_generated_counterpart_fails() {
        let error = apply(&mut file(), &document(serde_json::json!({ "Plain": ["code", "missing"] })))
            .expect_err("no field for `missing`");
        assert!(error.contains("Plain.missing") && error.contains(super::EXTENSION), "{error}");
        let error =
            apply(&mut file(), &document(serde_json::json!({ "Absent": ["code"] }))).expect_err("no type for `Absent`");
        assert!(error.contains("Absent.code"), "{error}");
        let error = apply(&mut file(), &document(serde_json::json!({ "Plain": ["linked_to"] })))
            .expect_err("the Rust name is not the JSON name");
        assert!(error.contains("Plain.linked_to"), "{error}");
    }

    #[test]
    fn a_file_of_another_shape_fails() {
        let mut empty: syn::File = syn::parse_quote! {};
        let error = apply(&mut empty, &document(listed())).expect_err("no types module");
        assert!(error.contains("`types`"), "{error}");

        let mut no_builders: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Plain {
                    pub code: ::std::option::Option<::std::string::String>,
                }
            }
        };
        let error = apply(&mut no_builders, &document(serde_json::json!({ "Plain": ["code"] })))
            .expect_err("no builder module");
        assert!(error.contains("`builder`"), "{error}");

        let mut odd_default: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Plain {
                    pub code: ::std::option::Option<::std::string::String>,
                }
                pub mod builder {
                    impl Default for Plain {
                        fn default() -> Self {
                            unimplemented!()
                        }
                    }
                }
            }
        };
        let error = apply(&mut odd_default, &document(serde_json::json!({ "Plain": ["code"] })))
            .expect_err("a default that is not a struct expression");
        assert!(error.contains("builder::Plain::default"), "{error}");

        let mut bad_serde: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Plain {
                    #[serde(rename = )]
                    pub code: ::std::option::Option<::std::string::String>,
                }
                pub mod builder {}
            }
        };
        let error = apply(&mut bad_serde, &document(serde_json::json!({ "Plain": ["code"] })))
            .expect_err("a serde attribute that does not parse");
        assert!(error.contains("Plain.code: serde attribute"), "{error}");
    }
}
