//! Syntax helpers the passes share: finding progenitor's modules and reading
//! the types it writes.

use syn::{GenericArgument, Item, PathArguments, ReturnType, Type};

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
