//! Syntax helpers the passes share: finding progenitor's modules and reading
//! the types it writes.

use syn::punctuated::Punctuated;
use syn::{GenericArgument, Item, PathArguments, ReturnType, Token, Type};

/// The items of the module `name` (`types`, `builder`) among `items`.
pub fn module<'a>(items: &'a [Item], name: &str) -> Result<&'a [Item], String> {
    items
        .iter()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items.as_slice()),
            _ => None,
        })
        .ok_or_else(|| format!("progenitor's output has no `{name}` module"))
}

/// The items of the module `name` among `items`, to change.
pub fn module_mut<'a>(items: &'a mut [Item], name: &str) -> Result<&'a mut Vec<Item>, String> {
    items
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .ok_or_else(|| format!("progenitor's output has no `{name}` module"))
}

/// `T` of a `Result<ResponseValue<T>, _>` return type.
pub fn success_type(output: &ReturnType) -> Option<Type> {
    let ReturnType::Type(_, ty) = output else { return None };
    type_arg(type_arg(ty, "Result", 0)?, "ResponseValue", 0).cloned()
}

/// The type argument at `at` of `ty`, when `ty`'s last segment is `name<..>`.
pub fn type_arg<'a>(ty: &'a Type, name: &str, at: usize) -> Option<&'a Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.iter().nth(at)? {
        GenericArgument::Type(t) if last.ident == name => Some(t),
        _ => None,
    }
}

/// Whether `ty` is an `Option` (a path whose last segment is `Option`).
pub fn is_option(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Option"),
        _ => false,
    }
}

/// Whether `attrs` derive a trait whose path ends in `name`.
pub fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
        a.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
            .is_ok_and(|paths| paths.iter().any(|p| p.segments.last().is_some_and(|s| s.ident == name)))
    })
}

/// Drops from `attrs` the derives of the traits whose paths end in one of
/// `names`, keeping the others; `owner` names the item in the error.
pub fn drop_derives(attrs: &mut [syn::Attribute], names: &[&str], owner: &syn::Ident) -> Result<(), String> {
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let paths = attr
            .parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
            .map_err(|err| format!("{owner}: derive attribute: {err}"))?;
        let kept = paths.iter().filter(|p| p.segments.last().is_none_or(|s| !names.iter().any(|n| s.ident == n)));
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{module, module_mut, success_type, type_arg};
    use syn::{Item, ReturnType, Type};

    /// progenitor's top level: `types` (with its own `builder` inside) and
    /// the operations' `builder`, after a `mod` with no body of the same name.
    fn items() -> Vec<Item> {
        let file: syn::File = syn::parse_quote! {
            mod builder;
            pub mod types {
                pub struct Thing;
                pub mod builder {
                    pub struct Thing;
                }
            }
            pub mod builder {
                pub struct ReadThing;
            }
        };
        file.items
    }

    fn names(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .map(|item| match item {
                Item::Struct(s) => s.ident.to_string(),
                Item::Mod(m) => format!("mod {}", m.ident),
                _ => "other".into(),
            })
            .collect()
    }

    fn text(ty: Option<&Type>) -> Option<String> {
        ty.map(|ty| quote::quote!(#ty).to_string())
    }

    fn ty(ty: Type) -> String {
        quote::quote!(#ty).to_string()
    }

    #[test]
    fn a_module_is_found_by_name_among_the_top_level_items() {
        let items = items();
        assert_eq!(names(module(&items, "types").expect("types")), ["Thing", "mod builder"]);
        assert_eq!(names(module(&items, "builder").expect("builder")), ["ReadThing"], "the top-level one, with a body");
        let types = module(&items, "types").expect("types");
        assert_eq!(names(module(types, "builder").expect("types::builder")), ["Thing"]);
    }

    #[test]
    fn a_missing_module_is_an_error_that_names_it() {
        let items = items();
        assert_eq!(module(&items, "prelude").err().as_deref(), Some("progenitor's output has no `prelude` module"));
        let mut without_body: Vec<Item> = vec![syn::parse_quote!(
            mod types;
        )];
        assert!(module(&without_body, "types").is_err(), "a module without a body has no items");
        assert!(module_mut(&mut without_body, "types").err().is_some_and(|e| e.contains("`types`")));
    }

    #[test]
    fn a_module_can_be_changed_through_module_mut() {
        let mut items = items();
        module_mut(&mut items, "builder").expect("builder").push(syn::parse_quote!(
            pub struct Added;
        ));
        assert_eq!(names(module(&items, "builder").expect("builder")), ["ReadThing", "Added"]);
        assert_eq!(names(module(&items, "types").expect("types")), ["Thing", "mod builder"]);
    }

    #[test]
    fn the_success_type_is_t_of_result_of_response_value() {
        let output: ReturnType = syn::parse_quote!(-> Result<ResponseValue<types::Thing>, Error<types::ErrorResponse>>);
        assert_eq!(success_type(&output).map(ty), Some(ty(syn::parse_quote!(types::Thing))));
        let unit: ReturnType = syn::parse_quote!(-> ::std::result::Result<ResponseValue<()>, crate::Error>);
        assert_eq!(success_type(&unit).map(ty), Some(ty(syn::parse_quote!(()))));
    }

    #[test]
    fn other_return_types_have_no_success_type() {
        let cases: [ReturnType; 4] = [
            syn::parse_quote!(),
            syn::parse_quote!(-> Result<types::Thing, Error<()>>),
            syn::parse_quote!(-> ResponseValue<types::Thing>),
            syn::parse_quote!(-> Option<ResponseValue<types::Thing>>),
        ];
        for output in cases {
            assert!(success_type(&output).is_none(), "{}", quote::quote!(#output));
        }
    }

    #[test]
    fn a_type_argument_is_read_by_name_and_position() {
        let result: Type = syn::parse_quote!(::std::result::Result<ResponseValue<Thing>, Error<Failure>>);
        assert_eq!(text(type_arg(&result, "Result", 0)), Some(ty(syn::parse_quote!(ResponseValue<Thing>))));
        assert_eq!(text(type_arg(&result, "Result", 1)), Some(ty(syn::parse_quote!(Error<Failure>))));
        assert_eq!(text(type_arg(&result, "Result", 2)), None, "past the last argument");
        assert_eq!(text(type_arg(&result, "Option", 0)), None, "another name");
        let builder: Type = syn::parse_quote!(ReadThing<'a, Thing>);
        assert_eq!(text(type_arg(&builder, "ReadThing", 0)), None, "a lifetime is not a type");
        assert_eq!(text(type_arg(&builder, "ReadThing", 1)), Some(ty(syn::parse_quote!(Thing))));
        let reference: Type = syn::parse_quote!(&Result<Thing, Failure>);
        assert_eq!(text(type_arg(&reference, "Result", 0)), None, "not a path type");
        let bare: Type = syn::parse_quote!(Result);
        assert_eq!(text(type_arg(&bare, "Result", 0)), None, "no arguments");
    }
}
