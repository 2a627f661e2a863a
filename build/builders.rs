//! The model builders, generated here in place of typify's: one for each
//! model a request can carry, none for the models that only appear in
//! answers (their fields are public; a struct literal builds one).
//!
//! A builder, `types::builder::X`, holds each field as an `Option` and the
//! problems its setters met. Each setter takes `impl crate::IntoField<T>`:
//! the value, anything that converts into it (a `&str` for a string or an
//! id), or the field model's builder; a list setter takes any iterator of
//! those; an optional field also gets `set_x(Option<T>)`. `build()` returns
//! the model or a `crate::BuildError` naming every missing or invalid field
//! with its path. `TryFrom<builder::X> for X` (which is `build()`) and
//! `From<X> for builder::X` are what progenitor's operation builders use
//! (`body(..)`, `body_map(..)`), so they work unchanged.
//!
//! The pass writes each builder as a table, one row per field, for
//! `crate::building::builder!`, which expands it into the struct, the
//! setters, `build()` and the conversions. The expansion lives once in
//! hand-written code, so the generated file carries only the rows.
//!
//! Keyed on shape:
//! - the models are the named-field structs of `types` for which typify wrote
//!   a builder;
//! - a request can carry a model when the fields of progenitor's operation
//!   builders (the top-level `builder` module) name it, or a hand-written operation's body
//!   does (the spec's `x-spotnana-handwritten` request bodies), or a field or
//!   variant of such a model does, transitively;
//! - a field is optional when its type is `Option<T>`, defaulted when serde
//!   has a `default` for it, and required otherwise.
//!
//! A client whose `types` has no typify builder module fails the build.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Fields, Ident, Item, Type};

use super::syntax::type_arg;

/// What the pass changed: builders written, and models left without one.
#[derive(Debug, PartialEq, Eq)]
pub struct Counts {
    pub builders: usize,
    pub without: usize,
}

/// Replaces typify's builder module in `types` with the SDK's, for the
/// models that `operations` (progenitor's `builder` module, if any) and
/// `handwritten` (type names of hand-written request bodies) reach.
pub fn apply(types: &mut Vec<Item>, operations: &[Item], handwritten: &[String]) -> Result<Counts, String> {
    let Some(at) = types.iter().position(|item| matches!(item, Item::Mod(m) if m.ident == "builder")) else {
        if types.iter().any(is_builder_fn_impl) {
            return Err("typify's models have `builder()` but `types` has no `builder` module to replace".into());
        }
        return Ok(Counts { builders: 0, without: 0 });
    };
    let typify: BTreeSet<String> = match &types[at] {
        Item::Mod(m) => m.content.iter().flat_map(|(_, items)| items).filter_map(struct_name).collect(),
        _ => BTreeSet::new(),
    };
    let defined: BTreeMap<String, &Item> = types.iter().filter_map(|item| Some((defined_name(item)?, item))).collect();
    let mut seeds = Names::default();
    // The operation builders' fields: their parameters and body (not their
    // `send`'s answer type).
    operations.iter().filter(|item| matches!(item, Item::Struct(_))).for_each(|item| seeds.visit_item(item));
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let mut queue: Vec<String> = seeds.0.into_iter().chain(handwritten.iter().cloned()).collect();
    while let Some(name) = queue.pop() {
        let Some(item) = defined.get(&name) else { continue };
        if !reached.insert(name) {
            continue;
        }
        let mut inner = Names::default();
        inner.visit_item(item);
        queue.extend(inner.0);
    }
    // Bodies are the models a builder is made from (`From<X>`, which
    // progenitor's `body(..)` uses); only their builders clear a field.
    let bodies: BTreeSet<String> = seeds_bodies(operations).into_iter().chain(handwritten.iter().cloned()).collect();
    let mut builders = Vec::new();
    for item in types.iter() {
        let Item::Struct(model) = item else { continue };
        let name = model.ident.to_string();
        if typify.contains(&name) && reached.contains(&name) {
            builders.push(builder(model, &defined, bodies.contains(&name))?);
        }
    }
    // Short names for the standard types, which no model name can take
    // (typify's names have no `_`): a model may be named `Option`.
    let prelude = quote! {
        #[allow(unused_imports)]
        use ::std::option::Option as Option_;
        #[allow(unused_imports)]
        use ::std::result::Result as Result_;
        #[allow(unused_imports)]
        use ::std::vec::Vec as Vec_;
    };
    let built: BTreeSet<String> = typify.intersection(&reached).cloned().collect();
    // A union branch that is a built model also takes the model's builder.
    for item in types.iter() {
        let Item::Enum(union) = item else { continue };
        let wrapped: Vec<(&Ident, String)> = union
            .variants
            .iter()
            .filter_map(|v| match &v.fields {
                Fields::Unnamed(f) if f.unnamed.len() == 1 => match &f.unnamed[0].ty {
                    Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
                        Some((&v.ident, p.path.segments[0].ident.to_string()))
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect();
        for (variant, model) in &wrapped {
            if !built.contains(model) || wrapped.iter().filter(|(_, m)| m == model).count() > 1 {
                continue;
            }
            let (name, model) = (&union.ident, format_ident!("{}", model));
            builders.push(quote! {
                impl TryFrom<#model> for super::#name {
                    type Error = BuildError;
                    fn try_from(builder: #model) -> Result_<Self, BuildError> {
                        builder.build().map(Self::#variant)
                    }
                }
            });
        }
    }
    let count = Counts { builders: built.len(), without: typify.len() - built.len() };
    // The models without a builder lose typify's `X::builder()`.
    types.retain(|item| !is_builder_fn_impl(item) || impl_name(item).is_some_and(|n| built.contains(&n)));
    let at = types.iter().position(|item| matches!(item, Item::Mod(m) if m.ident == "builder")).unwrap_or(types.len());
    types[at] = syn::parse_quote! {
        /// The builders of the models a request can carry: `X::builder()`, a
        /// setter per field, then `build()` (or hand the builder to the
        /// operation's `body(..)`).
        pub mod builder {
            #prelude
            use crate::BuildError;
            #(#builders)*
        }
    };
    Ok(count)
}

/// The builder of one model: its table for `crate::building::builder!`,
/// a row per field (see the macro for the columns).
fn builder(model: &syn::ItemStruct, defined: &BTreeMap<String, &Item>, is_body: bool) -> Result<TokenStream, String> {
    let name = &model.ident;
    let Fields::Named(fields) = &model.fields else {
        return Err(format!("typify wrote a builder for {name}, which has no named fields; check build/builders.rs"));
    };
    let mut rows = Vec::new();
    for field in &fields.named {
        let ident = field.ident.as_ref().ok_or_else(|| format!("{name} has a field with no name"))?;
        let label = ident.to_string().trim_start_matches("r#").to_string();
        let mut ty = field.ty.clone();
        Qualify(defined).visit_type_mut(&mut ty);
        let kind = field_kind(field, &ty)?;
        let (finish, inner) = match &kind {
            Kind::Required => (quote!(required), ty.clone()),
            Kind::Optional(inner) => (quote!(optional), inner.clone()),
            Kind::Defaulted(None) => (quote!(or_default), ty.clone()),
            Kind::Defaulted(Some(path)) => (quote!(or_else(super::#path)), ty.clone()),
        };
        let (shape, taken) = match type_arg(&inner, "Vec", 0) {
            Some(item) => (quote!(list), item.clone()),
            None => (quote!(one), inner.clone()),
        };
        let clear = (is_body && matches!(kind, Kind::Optional(_))).then(|| format_ident!("set_{}", label));
        rows.push(quote!(#finish #shape #ident #label #clear: #taken;));
    }
    let body = is_body.then(|| quote!(body));
    Ok(quote! {
        crate::building::builder! { #body #name { #(#rows)* } }
    })
}

/// How a model's field is filled.
pub enum Kind {
    /// It must be set.
    Required,
    /// `Option<T>`: `None` unless set.
    Optional(Type),
    /// serde's default (`Default::default()`, or the function named) unless set.
    Defaulted(Option<syn::Path>),
}

/// How `field` (of type `ty`, as the caller writes it) is filled.
pub fn field_kind(field: &syn::Field, ty: &Type) -> Result<Kind, String> {
    if let Some(inner) = type_arg(ty, "Option", 0) {
        return Ok(Kind::Optional(inner.clone()));
    }
    let mut default = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("flatten") {
                default = Some(None);
            } else if meta.path.is_ident("default") {
                default = Some(match meta.value() {
                    Ok(value) => {
                        let path: syn::LitStr = value.parse()?;
                        Some(path.parse::<syn::Path>()?)
                    }
                    Err(_) => None,
                });
            } else if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            }
            Ok(())
        })
        .map_err(|e| format!("a field's serde attribute does not parse ({e}); check build/builders.rs"))?;
    }
    Ok(match default {
        Some(path) => Kind::Defaulted(path),
        None => Kind::Required,
    })
}

/// The name a struct item defines.
fn struct_name(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        _ => None,
    }
}

/// The name a type item of `types` defines.
fn defined_name(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        _ => None,
    }
}

/// Whether `item` is typify's `impl X { pub fn builder() .. }`.
fn is_builder_fn_impl(item: &Item) -> bool {
    let Item::Impl(block) = item else { return false };
    block.trait_.is_none()
        && block.items.len() == 1
        && matches!(&block.items[0], syn::ImplItem::Fn(f) if f.sig.ident == "builder")
}

fn impl_name(item: &Item) -> Option<String> {
    let Item::Impl(block) = item else { return None };
    let Type::Path(path) = block.self_ty.as_ref() else { return None };
    Some(path.path.segments.last()?.ident.to_string())
}

/// Every type name a piece of code names: the segment after `types` (or
/// after `types::builder`) in a path, and each single-segment path.
#[derive(Default)]
struct Names(BTreeSet<String>);

impl<'ast> Visit<'ast> for Names {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if let Some(at) = segments.iter().position(|s| s == "types") {
            let next = segments.get(at + 1).filter(|s| *s != "builder").or(segments.get(at + 2));
            self.0.extend(next.cloned());
        } else if let [one] = segments.as_slice() {
            self.0.insert(one.clone());
        } else if let [first, one] = segments.as_slice() {
            if first == "super" {
                self.0.insert(one.clone());
            }
        }
        syn::visit::visit_path(self, path);
    }
}

/// The models progenitor's operation builders take as bodies: the
/// `types::builder::X` they name.
fn seeds_bodies(operations: &[Item]) -> BTreeSet<String> {
    #[derive(Default)]
    struct Bodies(BTreeSet<String>);
    impl<'ast> Visit<'ast> for Bodies {
        fn visit_path(&mut self, path: &'ast syn::Path) {
            let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            if let Some(at) = segments.windows(2).position(|w| w[0] == "types" && w[1] == "builder") {
                self.0.extend(segments.get(at + 2).cloned());
            }
            syn::visit::visit_path(self, path);
        }
    }
    let mut bodies = Bodies::default();
    operations.iter().filter(|item| matches!(item, Item::Struct(_))).for_each(|item| bodies.visit_item(item));
    bodies.0
}

/// Writes a field type for the builder module: a `types` name `X` becomes
/// `super::X` (the builder module has its own `X`).
struct Qualify<'a>(&'a BTreeMap<String, &'a Item>);

impl VisitMut for Qualify<'_> {
    fn visit_type_path_mut(&mut self, ty: &mut syn::TypePath) {
        syn::visit_mut::visit_type_path_mut(self, ty);
        let local = ty.qself.is_none() && ty.path.leading_colon.is_none() && ty.path.segments.len() == 1;
        if local && self.0.contains_key(&ty.path.segments[0].ident.to_string()) {
            ty.path.segments.insert(0, syn::PathSegment::from(format_ident!("super")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{apply, Counts};

    fn types() -> Vec<syn::Item> {
        let module: syn::ItemMod = syn::parse_quote! {
            mod types {
                pub struct Name {
                    pub family1: ::std::string::String,
                    #[serde(rename = "given", skip_serializing_if = "::std::option::Option::is_none")]
                    pub given: ::std::option::Option<::std::string::String>,
                }
                impl Name {
                    pub fn builder() -> builder::Name {
                        Default::default()
                    }
                }
                pub struct CreateUser {
                    pub name: Name,
                    #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub emails: ::std::vec::Vec<::std::string::String>,
                    #[serde(default = "defaults::create_user_kind")]
                    pub kind: Kind,
                    pub nickname: ::std::option::Option<::std::string::String>,
                }
                impl CreateUser {
                    pub fn builder() -> builder::CreateUser {
                        Default::default()
                    }
                }
                pub enum Kind { Staff }
                pub struct Answer {
                    pub id: ::std::string::String,
                }
                impl Answer {
                    pub fn builder() -> builder::Answer {
                        Default::default()
                    }
                }
                pub mod builder {
                    pub struct Name { family1: Result<String, String> }
                    pub struct CreateUser { name: Result<super::Name, String> }
                    pub struct Answer { id: Result<String, String> }
                }
            }
        };
        module.content.expect("items").1
    }

    fn operations() -> Vec<syn::Item> {
        let module: syn::ItemMod = syn::parse_quote! {
            mod builder {
                pub struct CreateUser<'a> {
                    body: Result<types::builder::CreateUser, String>,
                }
                impl<'a> CreateUser<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Answer>, crate::Error> { todo!() }
                }
            }
        };
        module.content.expect("items").1
    }

    fn text(items: &[syn::Item]) -> String {
        quote::quote!(#(#items)*).to_string().split_whitespace().collect()
    }

    #[test]
    fn request_models_get_builders_and_answer_only_models_none() {
        let mut types = types();
        assert_eq!(apply(&mut types, &operations(), &[]), Ok(Counts { builders: 2, without: 1 }));
        let code = text(&types);
        assert!(code.contains("crate::building::builder!{bodyCreateUser{"), "{code}");
        assert!(code.contains("crate::building::builder!{Name{"), "{code}");
        assert!(!code.contains("builder!{Answer"), "no builder for an answer: {code}");
        assert!(!code.contains("implAnswer{pubfnbuilder"), "and no Answer::builder(): {code}");
        assert!(code.contains("implName{pubfnbuilder"), "{code}");
        assert!(!code.contains("Result<String,String>"), "typify's builders are gone: {code}");
    }

    #[test]
    fn each_field_is_a_row_of_its_finish_shape_name_and_type() {
        let mut types = types();
        apply(&mut types, &operations(), &[]).expect("the pass runs");
        let code = text(&types);
        assert!(code.contains(r#"requiredonename"name":super::Name;"#), "{code}");
        assert!(code.contains(r#"or_defaultlistemails"emails":::std::string::String;"#), "{code}");
        let kind = r#"or_else(super::defaults::create_user_kind)onekind"kind":super::Kind;"#;
        assert!(code.contains(kind), "{code}");
        let nickname = r#"optionalonenickname"nickname"set_nickname:::std::string::String;"#;
        assert!(code.contains(nickname), "a body's optional field can be cleared: {code}");
        assert!(code.contains(r#"optionalonegiven"given":::std::string::String;"#), "only a body's: {code}");
        assert!(code.contains(r#"requiredonefamily1"family1":::std::string::String;"#), "{code}");
    }

    #[test]
    fn a_union_branch_takes_its_model_s_builder() {
        let mut types = types();
        types.push(syn::parse_quote! {
            #[serde(untagged)]
            pub enum Who { Named(Name), Other(::serde_json::Value) }
        });
        apply(&mut types, &operations(), &[]).expect("the pass runs");
        let code = text(&types);
        assert!(code.contains("implTryFrom<Name>forsuper::Who"), "{code}");
        assert!(code.contains("builder.build().map(Self::Named)"), "{code}");
    }

    #[test]
    fn a_hand_written_body_is_a_seed_too() {
        let mut types = types();
        assert_eq!(apply(&mut types, &[], &["Answer".into()]), Ok(Counts { builders: 1, without: 2 }));
    }

    #[test]
    fn models_with_builder_fns_but_no_builder_module_fail_the_build() {
        let mut types = types();
        types.retain(|item| !matches!(item, syn::Item::Mod(_)));
        let error = apply(&mut types, &operations(), &[]).expect_err("no builder module");
        assert!(error.contains("builder"), "{error}");
        let mut plain: Vec<syn::Item> = vec![syn::parse_quote!(
            pub struct Lone {
                pub a: i64,
            }
        )];
        assert_eq!(apply(&mut plain, &[], &[]), Ok(Counts { builders: 0, without: 0 }));
    }
}
