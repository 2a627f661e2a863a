//! Lists that page themselves: every operation the normaliser tagged
//! `x-spotnana-pagination` gets `pages()` and `stream()` on its builder
//! (`crate::pagination` holds the streams).
//!
//! Keyed on the tag, which `cargo xtask regen` sets from the operation's shape
//! (`xtask/src/normalize/pagination.rs`). A tagged operation whose builder,
//! parameters or items field is missing from progenitor's output fails the
//! build, naming it.

use serde_json::Value;
use syn::{Fields, GenericArgument, Ident, Item, PathArguments, Type};

use crate::send::success_type;

/// The paging methods, one `impl` block per operation of `document` tagged
/// `x-spotnana-pagination`, to add to the `builder` module of `items`.
pub fn methods_for(items: &[Item], document: &Value) -> Result<Vec<Item>, String> {
    let builders = module(items, "builder")?;
    let types = module(items, "types")?;
    let mut added = Vec::new();
    for op in document.get("paths").and_then(Value::as_object).into_iter().flat_map(|p| p.values()) {
        for op in op.as_object().into_iter().flat_map(|m| m.values()) {
            let Some(tag) = op.get("x-spotnana-pagination") else { continue };
            let id = op.get("operationId").and_then(Value::as_str).ok_or("a paginated operation has no operationId")?;
            added.push(methods(builders, types, id, tag).map_err(|e| format!("pagination of {id}: {e}"))?);
        }
    }
    Ok(added)
}

fn module<'a>(items: &'a [Item], name: &str) -> Result<&'a [Item], String> {
    items
        .iter()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items.as_slice()),
            _ => None,
        })
        .ok_or_else(|| format!("progenitor's output has no `{name}` module"))
}

fn methods(builders: &[Item], types: &[Item], id: &str, tag: &Value) -> Result<Item, String> {
    let text = |key: &str| tag.get(key).and_then(Value::as_str).ok_or(format!("the tag has no `{key}`"));
    let builder = ident(&pascal(id));
    let page = builders
        .iter()
        .find_map(|item| match item {
            Item::Impl(block) if block.trait_.is_none() && is_type(&block.self_ty, &builder) => block.items.iter().find_map(|i| match i {
                syn::ImplItem::Fn(f) if f.sig.ident == "send" => success_type(&f.sig.output),
                _ => None,
            }),
            _ => None,
        })
        .ok_or(format!("no builder {builder} with a send method"))?;
    let fields = builder_fields(builders, &builder)?;
    let (start, size) = (ident(&snake(text("start")?)), ident(&snake(text("size")?)));
    for field in [&start, &size] {
        if !fields.contains(field) {
            return Err(format!("builder {builder} has no field `{field}`"));
        }
    }
    let default_size = tag.get("defaultSize").and_then(Value::as_i64).ok_or("the tag has no `defaultSize`")?;
    let (first, variant) = match text("style")? {
        "offset" => (0i64, ident("Offset")),
        "page" => (1i64, ident("Page")),
        other => return Err(format!("unknown style {other}")),
    };
    let items_field = ident(&snake(text("items")?));
    let (item, optional) = items_type(types, &page, &items_field)?;
    let (take, count): (syn::Expr, syn::Expr) = if optional {
        (syn::parse_quote!(page.#items_field.unwrap_or_default()), syn::parse_quote!(page.#items_field.as_ref().map_or(0, Vec::len)))
    } else {
        (syn::parse_quote!(page.#items_field), syn::parse_quote!(page.#items_field.len()))
    };
    let pages_doc = format!(
        " Every page of this list, as a [`Stream`](futures_core::Stream) of whole answers: one request per page, sent \
         when the stream is polled for it, with the client's token and retries. Pages hold `{size}` items ({default_size} \
         unless set) and start at `{start}`; the stream ends after a page with fewer items, or after an error."
    );
    let stream_doc = " Every item of this list, page after page, as a [`Stream`](futures_core::Stream) (see `pages()`). \
                      A failed request is an item of its own, after the items of the pages before it.";
    Ok(syn::parse_quote! {
        impl<'a> #builder<'a> {
            #[doc = #pages_doc]
            pub fn pages(mut self) -> crate::pagination::Pages<'a, #page> {
                use crate::pagination::{Cursor, PageParam};
                let size = match &self.#size { Ok(Some(value)) => PageParam::to_i64(*value), _ => #default_size };
                // Always sent: the end condition needs the page size the server used.
                self.#size = PageParam::from_i64(size).map(Some);
                let first = match &self.#start { Ok(Some(value)) => PageParam::to_i64(*value), _ => #first };
                crate::pagination::Pages::new(
                    Cursor::#variant(first),
                    size,
                    |page| #count,
                    Box::new(move |cursor| {
                        let mut request = self.clone();
                        if let Cursor::#variant(at) = cursor {
                            request.#start = PageParam::from_i64(at).map(Some);
                        }
                        Box::pin(request.send())
                    }),
                )
            }
            #[doc = #stream_doc]
            pub fn stream(self) -> crate::pagination::Items<'a, #page, #item> {
                crate::pagination::Items::new(self.pages(), |page| #take)
            }
        }
    })
}

fn ident(name: &str) -> Ident {
    Ident::new(name, proc_macro2::Span::call_site())
}

fn is_type(ty: &Type, name: &Ident) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == *name))
}

fn builder_fields(builders: &[Item], name: &Ident) -> Result<Vec<Ident>, String> {
    builders
        .iter()
        .find_map(|item| match item {
            Item::Struct(s) if s.ident == *name => match &s.fields {
                Fields::Named(named) => Some(named.named.iter().filter_map(|f| f.ident.clone()).collect()),
                _ => None,
            },
            _ => None,
        })
        .ok_or(format!("no builder struct {name}"))
}

/// The item type of `page`'s `field` (`Vec<T>` or `Option<Vec<T>>`) as a
/// path from the builder module, and whether it is optional.
fn items_type(types: &[Item], page: &Type, field: &Ident) -> Result<(Type, bool), String> {
    let Type::Path(page_path) = page else { return Err("the answer type is not a path".into()) };
    let name = &page_path.path.segments.last().ok_or("an empty answer type")?.ident;
    let ty = types
        .iter()
        .find_map(|item| match item {
            Item::Struct(s) if s.ident == *name => match &s.fields {
                Fields::Named(named) => named.named.iter().find(|f| f.ident.as_ref() == Some(field)).map(|f| f.ty.clone()),
                _ => None,
            },
            _ => None,
        })
        .ok_or(format!("no field `{field}` in types::{name}"))?;
    let (vec, optional) = match only_argument(&ty, "Option") {
        Some(inner) => (inner, true),
        None => (ty, false),
    };
    let item = only_argument(&vec, "Vec").ok_or(format!("types::{name}::{field} is not a Vec"))?;
    Ok((in_types(item), optional))
}

fn only_argument(ty: &Type, wrapper: &str) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first()? {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

/// A type named inside `types`, as seen from the `builder` module: a bare
/// name gains `types::`; absolute paths (`::std::string::String`) stay.
fn in_types(ty: Type) -> Type {
    match &ty {
        Type::Path(p) if p.qself.is_none() && p.path.leading_colon.is_none() && p.path.segments.len() == 1 => {
            syn::parse_quote!(types::#ty)
        }
        _ => ty,
    }
}

/// progenitor's builder name for an operation id: its first letter upper-cased
/// (`listCompanies` → `ListCompanies`), `_`-separated parts joined.
fn pascal(id: &str) -> String {
    id.split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect()
}

/// A parameter's field name in progenitor's builders (`pageNumber` →
/// `page_number`).
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
