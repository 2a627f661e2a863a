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

use super::syntax::{module, success_type};

/// The paging methods, one `impl` block per operation of `document` tagged
/// `x-spotnana-pagination`, to add to the `builder` module of `items`.
pub fn methods_for(items: &[Item], document: &Value) -> Result<Vec<Item>, String> {
    let builders = module(items, "builder")?;
    let types = module(items, "types")?;
    let mut added = Vec::new();
    for op in document.get("paths").and_then(Value::as_object).into_iter().flat_map(|p| p.values()) {
        for op in op.as_object().into_iter().flat_map(|m| m.values()) {
            let Some(tag) = op.get(super::contract::PAGINATION_TAG) else { continue };
            let id = op.get("operationId").and_then(Value::as_str).ok_or("a paginated operation has no operationId")?;
            added.push(methods(builders, types, id, tag).map_err(|e| format!("pagination of {id}: {e}"))?);
        }
    }
    Ok(added)
}

fn methods(builders: &[Item], types: &[Item], id: &str, tag: &Value) -> Result<Item, String> {
    let tag = super::contract::Pagination::from_tag(tag);
    let builder = ident(&pascal(id));
    let page = send_success(builders, &builder)?;
    let fields = builder_fields(builders, &builder)?;
    let default_size = tag.default_size;
    let style = need("style", &tag.style)?;
    let (first, variant) = match style {
        "offset" => (quote::quote!(Cursor::Offset), ident("Offset")),
        "page" => (quote::quote!(Cursor::Page), ident("Page")),
        "token" => (quote::quote!(Cursor::Token), ident("Token")),
        other => return Err(format!("unknown style {other}")),
    };
    let start_at: i64 = if style == "page" { 1 } else { 0 };
    let default_size_expr = match default_size {
        Some(size) => quote::quote!(Some(#size)),
        None => quote::quote!(None),
    };

    // The query style sets the builder's own fields, so `pages` takes `mut self`.
    let (receiver, prepare, fetch): (proc_macro2::TokenStream, proc_macro2::TokenStream, proc_macro2::TokenStream) =
        match need("in", &tag.location)? {
            "query" => {
                let (start, size) =
                    (ident(&snake(need("start", &tag.start)?)), ident(&snake(need("size", &tag.size)?)));
                for field in [&start, &size] {
                    if !fields.iter().any(|(name, _)| name == field) {
                        return Err(format!("builder {builder} has no field `{field}`"));
                    }
                }
                let prepare = quote::quote! {
                    let size = match &self.#size { Ok(Some(value)) => Some(PageParam::to_i64(*value)), _ => #default_size_expr };
                    // Always sent: the end condition needs the page size the server used.
                    if let Some(size) = size {
                        self.#size = PageParam::from_i64(size).map(Some);
                    }
                    let first = #first(match &self.#start { Ok(Some(value)) => PageParam::to_i64(*value), _ => #start_at });
                };
                let fetch = quote::quote! {
                    let mut request = self.clone();
                    if let Cursor::#variant(at) = cursor {
                        request.#start = PageParam::from_i64(at).map(Some);
                    }
                    Box::pin(request.send())
                };
                (quote::quote!(mut self), prepare, fetch)
            }
            "body" => {
                let body_ty = fields
                    .iter()
                    .find(|(name, _)| name == "body")
                    .map(|(_, ty)| ty)
                    .ok_or(format!("builder {builder} has no body"))?;
                let request =
                    request_type(body_ty).ok_or(format!("builder {builder}'s body is not a Result of a type"))?;
                let start = need("start", &tag.start)?;
                let sized = tag.size.as_deref();
                let base = if sized.is_some() { quote::quote!(mut base) } else { quote::quote!(base) };
                let size = match sized {
                    Some(pointer) => quote::quote! {
                        let size = json_int(&base, #pointer).or(#default_size_expr);
                        // Always sent: the end condition needs the page size the server used.
                        if let Some(size) = size {
                            json_set(&mut base, #pointer, size.into());
                        }
                    },
                    None => quote::quote!(let size = None;),
                };
                let (first, set) = if style == "token" {
                    let template =
                        tag.token_request.as_ref().map(Value::to_string).ok_or("the tag has no `tokenRequest`")?;
                    let field = need("tokenField", &tag.token_field)?;
                    (
                        quote::quote!(let first = Cursor::Token(None);),
                        quote::quote! {
                            if let Cursor::Token(Some(token)) = &cursor {
                                json_set(&mut body, #start, token_request(#template, #field, token));
                            }
                        },
                    )
                } else {
                    (
                        quote::quote!(let first = #first(json_int(&base, #start).unwrap_or(#start_at));),
                        quote::quote! {
                            if let Cursor::#variant(at) = cursor {
                                json_set(&mut body, #start, at.into());
                            }
                        },
                    )
                };
                let prepare = quote::quote! {
                    use crate::pagination::{json_body, json_int, json_set, json_typed, token_request};
                    let #base = json_body(self.body.clone().and_then(|body| types::#request::try_from(body).map_err(|e| e.to_string())));
                    #size
                    #first
                };
                let fetch = quote::quote! {
                    let mut body = base.clone();
                    #set
                    let mut request = self.clone();
                    request.body = json_typed::<types::#request>(body).map(Into::into);
                    Box::pin(request.send())
                };
                (quote::quote!(self), prepare, fetch)
            }
            other => return Err(format!("unknown place {other}")),
        };

    let items_field = ident(&snake(need("items", &tag.items)?));
    let (item, optional) = items_type(types, &page, &items_field)?;
    let (take, count): (syn::Expr, syn::Expr) = if optional {
        (
            syn::parse_quote!(page.#items_field.unwrap_or_default()),
            syn::parse_quote!(crate::pagination::fingerprints(page.#items_field.iter().flatten())),
        )
    } else {
        (
            syn::parse_quote!(page.#items_field),
            syn::parse_quote!(crate::pagination::fingerprints(page.#items_field.iter())),
        )
    };
    let total = match tag.total.as_deref() {
        Some(pointer) => {
            let at = navigate(types, &page, pointer)?;
            quote::quote!(#at.map(|total| PageParam::to_i64(*total)))
        }
        None => quote::quote!(None),
    };
    let next_token = match tag.next_token.as_deref() {
        Some(pointer) => {
            let at = navigate(types, &page, pointer)?;
            quote::quote!(#at.map(|token| token.to_string()))
        }
        None => quote::quote!(None),
    };
    let ends = match (style, tag.total.is_some()) {
        ("token", _) => "after a page with no next-page token".to_string(),
        (_, true) => "when the answer's count of the list is reached, or on an empty page".to_string(),
        (_, false) => "on an empty page".to_string(),
    };
    let sizes = match (tag.size.as_deref(), default_size) {
        (Some(size), Some(default)) => format!(" Pages hold `{size}` items ({default} unless set)."),
        (Some(size), None) => format!(" Pages hold `{size}` items."),
        _ => String::new(),
    };
    let pages_doc = format!(
        " Every page of this list, as a [`Stream`](futures_core::Stream) of whole answers: one request per page, sent \
         when the stream is polled for it, with the client's token and retries.{sizes} The first page is the one the \
         request asks for; the stream ends {ends}, on a page that brings nothing new, or after an error. It advances by the items the \
         server returned, so a server that caps its page size loses nothing."
    );
    let stream_doc = format!(
        " Every item of this list (`{}` of each page), page after page, as a [`Stream`](futures_core::Stream) (see \
         `pages()`). A failed request is an item of its own, after the items of the pages before it.",
        need("items", &tag.items)?
    );
    Ok(syn::parse_quote! {
        impl<'a> #builder<'a> {
            #[doc = #pages_doc]
            pub fn pages(#receiver) -> crate::pagination::Pages<'a, #page> {
                #[allow(unused_imports)]
                use crate::pagination::{Cursor, PageInfo, PageParam};
                #prepare
                crate::pagination::Pages::new(
                    first,
                    size,
                    |page| PageInfo { items: #count, total: #total, next_token: #next_token },
                    Box::new(move |cursor| { #fetch }),
                )
            }
            #[doc = #stream_doc]
            pub fn stream(self) -> crate::pagination::Items<'a, #page, #item> {
                crate::pagination::Items::new(self.pages(), |page| #take)
            }
        }
    })
}

/// `types::X` for a builder's body field of type `Result<types::builder::X, String>`
/// (or `Result<types::X, String>`).
pub fn request_type(ty: &Type) -> Option<Ident> {
    let inner = only_argument(ty, "Result")?;
    let Type::Path(path) = inner else { return None };
    Some(path.path.segments.last()?.ident.clone())
}

/// An expression of type `Option<&Leaf>` for the field at `pointer` (a JSON
/// pointer of property names) in `page: &Root`, stepping through `Option`s.
fn navigate(types: &[Item], root: &Type, pointer: &str) -> Result<proc_macro2::TokenStream, String> {
    let mut expr = quote::quote!(Some(page));
    let mut ty = root.clone();
    for name in pointer.split('/').skip(1) {
        let field = ident(&snake(name));
        let Type::Path(path) = &ty else { return Err(format!("{pointer}: not a named type at `{name}`")) };
        let owner = &path.path.segments.last().ok_or("an empty type")?.ident;
        let field_ty = struct_fields(types, owner)?
            .into_iter()
            .find(|(f, _)| *f == field)
            .map(|(_, t)| t)
            .ok_or(format!("{pointer}: no field `{field}` in types::{owner}"))?;
        match only_argument(&field_ty, "Option") {
            Some(inner) => {
                expr = quote::quote!(#expr.and_then(|at| at.#field.as_ref()));
                ty = inner;
            }
            None => {
                expr = quote::quote!(#expr.map(|at| &at.#field));
                ty = field_ty;
            }
        }
    }
    Ok(expr)
}

/// A key of the tag that the pass needs, or the error that names it.
fn need<'a>(key: &str, value: &'a Option<String>) -> Result<&'a str, String> {
    value.as_deref().ok_or(format!("the tag has no `{key}`"))
}

pub fn ident(name: &str) -> Ident {
    Ident::new(name, proc_macro2::Span::call_site())
}

fn is_type(ty: &Type, name: &Ident) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == *name))
}

/// `T` of the `Result<ResponseValue<T>, _>` that builder `name`'s `send` returns.
pub fn send_success(builders: &[Item], name: &Ident) -> Result<Type, String> {
    builders
        .iter()
        .find_map(|item| match item {
            Item::Impl(block) if block.trait_.is_none() && is_type(&block.self_ty, name) => {
                block.items.iter().find_map(|i| match i {
                    syn::ImplItem::Fn(f) if f.sig.ident == "send" => success_type(&f.sig.output),
                    _ => None,
                })
            }
            _ => None,
        })
        .ok_or(format!("no builder {name} with a send method"))
}

pub fn builder_fields(builders: &[Item], name: &Ident) -> Result<Vec<(Ident, Type)>, String> {
    struct_fields(builders, name).map_err(|_| format!("no builder struct {name}"))
}

/// The named fields of the struct `name` among `items`.
fn struct_fields(items: &[Item], name: &Ident) -> Result<Vec<(Ident, Type)>, String> {
    items
        .iter()
        .find_map(|item| match item {
            Item::Struct(s) if s.ident == *name => match &s.fields {
                Fields::Named(named) => {
                    Some(named.named.iter().filter_map(|f| Some((f.ident.clone()?, f.ty.clone()))).collect())
                }
                _ => None,
            },
            _ => None,
        })
        .ok_or(format!("no struct {name}"))
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
                Fields::Named(named) => {
                    named.named.iter().find(|f| f.ident.as_ref() == Some(field)).map(|f| f.ty.clone())
                }
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

pub use super::contract::{pascal, snake};

#[cfg(test)]
mod tests {
    /// The tag the normaliser writes.
    const TAG: &str = super::super::contract::PAGINATION_TAG;

    use serde_json::{json, Value};

    use super::{methods_for, request_type};

    /// progenitor's output, cut down to what the pass reads, after the
    /// `send` pass: the builders of three lists (offsets in the query, an
    /// offset in the body, a token in the body) and their answers' types.
    fn generated() -> Vec<syn::Item> {
        let file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct ThingPage {
                    #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub elements: ::std::vec::Vec<Thing>,
                    #[serde(rename = "totalNumResults", skip_serializing_if = "::std::option::Option::is_none")]
                    pub total_num_results: ::std::option::Option<i32>,
                }
                pub struct Thing {
                    pub id: ::std::string::String,
                }
                pub struct ThingFeed {
                    pub things: ::std::option::Option<::std::vec::Vec<Thing>>,
                    pub meta: ::std::option::Option<FeedMeta>,
                }
                pub struct FeedMeta {
                    #[serde(rename = "nextPageToken")]
                    pub next_page_token: ::std::option::Option<::std::string::String>,
                }
            }
            pub mod builder {
                use super::types;
                #[derive(Debug, Clone)]
                pub struct ListThings<'a> {
                    client: &'a super::Client,
                    limit: Result<Option<i64>, String>,
                    offset: Result<Option<u64>, String>,
                }
                impl<'a> ListThings<'a> {
                    pub fn limit<V>(mut self, value: V) -> Self where V: std::convert::TryInto<i64> {
                        todo!()
                    }
                    pub async fn send(self) -> ::std::result::Result<ResponseValue<types::ThingPage>, crate::Error> {
                        todo!()
                    }
                }
                #[derive(Debug, Clone)]
                pub struct SearchThings<'a> {
                    client: &'a super::Client,
                    body: Result<types::builder::SearchThingsRequest, String>,
                }
                impl<'a> SearchThings<'a> {
                    pub async fn send(self) -> ::std::result::Result<ResponseValue<types::ThingPage>, crate::Error> {
                        todo!()
                    }
                }
                #[derive(Debug, Clone)]
                pub struct FeedThings<'a> {
                    client: &'a super::Client,
                    body: Result<types::builder::FeedThingsRequest, String>,
                }
                impl<'a> FeedThings<'a> {
                    pub async fn send(self) -> ::std::result::Result<ResponseValue<types::ThingFeed>, crate::Error> {
                        todo!()
                    }
                }
            }
        };
        file.items
    }

    /// The normalised document's operations, tagged as `cargo xtask regen`
    /// tags them, and one untagged operation (with no builder above).
    fn document() -> Value {
        json!({
            "paths": {
                "/v2/things": {
                    "parameters": [],
                    "get": {
                        "operationId": "listThings",
                        TAG: {
                            "style": "offset", "in": "query", "start": "offset", "size": "limit", "defaultSize": 100,
                            "items": "elements", "total": "/totalNumResults"
                        }
                    },
                    "post": { "operationId": "createThing" }
                },
                "/v2/things/search": {
                    "post": {
                        "operationId": "searchThings",
                        TAG: {
                            "style": "offset", "in": "body", "start": "/paginationParams/offset",
                            "size": "/paginationParams/limit", "defaultSize": 50, "items": "elements",
                            "total": "/totalNumResults"
                        }
                    }
                },
                "/v2/things/feed": {
                    "post": {
                        "operationId": "feedThings",
                        TAG: {
                            "style": "token", "in": "body", "start": "/pageInfo", "nextToken": "/meta/nextPageToken",
                            "tokenRequest": { "type": "PAGE_TOKEN" }, "tokenField": "pageToken", "items": "things"
                        }
                    }
                }
            }
        })
    }

    fn text(item: &syn::Item) -> String {
        quote::quote!(#item).to_string()
    }

    /// Whether `code` holds `tokens`, whitespace aside (syn and `quote!`
    /// space some punctuation differently).
    fn holds(code: &str, tokens: proc_macro2::TokenStream) -> bool {
        let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        squeeze(code).contains(&squeeze(&tokens.to_string()))
    }

    macro_rules! assert_holds {
        ($code:expr, $($tokens:tt)*) => {{
            let tokens = quote::quote!($($tokens)*);
            assert!(holds(&$code, tokens.clone()), "`{tokens}` is not in:\n{}", $code);
        }};
    }

    /// The builder an `impl` block is for, and its methods' names.
    fn shape(item: &syn::Item) -> (String, Vec<String>) {
        let syn::Item::Impl(imp) = item else { panic!("not an impl: {}", text(item)) };
        let syn::Type::Path(ty) = imp.self_ty.as_ref() else { panic!("{}", text(item)) };
        let names = imp.items.iter().filter_map(|i| match i {
            syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
            _ => None,
        });
        (ty.path.segments.last().unwrap().ident.to_string(), names.collect())
    }

    fn only(document: &Value) -> String {
        let methods = methods_for(&generated(), document).expect("paging methods");
        text(methods.first().expect("one impl block"))
    }

    /// The error `methods_for` gives for `document`.
    fn error(items: &[syn::Item], document: &Value) -> String {
        match methods_for(items, document) {
            Ok(methods) => panic!("no error, {} impl blocks", methods.len()),
            Err(error) => error,
        }
    }

    /// The document with the tag of `listThings` changed at `key`.
    fn list_tagged(key: &str, value: Value) -> Value {
        let mut document = document();
        document["paths"]["/v2/things"]["get"][TAG][key] = value;
        document
    }

    #[test]
    fn each_tagged_operation_gets_pages_and_stream_on_its_builder() {
        let methods = methods_for(&generated(), &document()).expect("paging methods");
        let shapes: Vec<(String, Vec<String>)> = methods.iter().map(shape).collect();
        let added = || vec!["pages".to_string(), "stream".to_string()];
        let expected = ["ListThings", "SearchThings", "FeedThings"].map(|b| (b.to_string(), added()));
        assert_eq!(shapes, expected, "in document order; the untagged createThing gets nothing");
        for item in &methods {
            assert!(text(item).starts_with("impl < 'a >"), "{}", text(item));
        }
    }

    #[test]
    fn query_offsets_page_through_the_builder_s_own_fields() {
        let methods = methods_for(&generated(), &document()).unwrap();
        let code = text(&methods[0]);
        assert_holds!(code, pub fn pages(mut self) -> crate::pagination::Pages<'a, types::ThingPage>);
        assert_holds!(code, pub fn stream(self) -> crate::pagination::Items<'a, types::ThingPage, types::Thing>);
        // The page size: the caller's, else the tag's default, always sent.
        assert_holds!(code, let size = match &self.limit {
            Ok(Some(value)) => Some(PageParam::to_i64(*value)),
            _ => Some(100i64)
        };);
        assert_holds!(
            code,
            if let Some(size) = size {
                self.limit = PageParam::from_i64(size).map(Some);
            }
        );
        // The first page is the caller's offset, else 0; each next one sets it.
        assert_holds!(code, let first = Cursor::Offset(match &self.offset {
            Ok(Some(value)) => PageParam::to_i64(*value),
            _ => 0i64
        }););
        assert_holds!(
            code,
            if let Cursor::Offset(at) = cursor {
                request.offset = PageParam::from_i64(at).map(Some);
            }
        );
        assert_holds!(code, Box::pin(request.send()));
        assert_holds!(code, items: crate::pagination::fingerprints(page.elements.iter()));
        assert_holds!(code, total: Some(page)
            .and_then(|at| at.total_num_results.as_ref())
            .map(|total| PageParam::to_i64(*total)));
        assert_holds!(code, next_token: None);
        assert_holds!(code, crate::pagination::Items::new(self.pages(), |page| page.elements));
        assert!(code.contains("Pages hold `limit` items (100 unless set)."), "{code}");
        assert!(code.contains("the stream ends when the answer's count of the list is reached"), "{code}");
    }

    #[test]
    fn page_numbers_start_at_one() {
        let code = only(&list_tagged("style", json!("page")));
        assert_holds!(code, let first = Cursor::Page(match &self.offset {
            Ok(Some(value)) => PageParam::to_i64(*value),
            _ => 1i64
        }););
        assert_holds!(
            code,
            if let Cursor::Page(at) = cursor {
                request.offset = PageParam::from_i64(at).map(Some);
            }
        );
    }

    #[test]
    fn without_a_default_size_only_the_caller_s_size_is_sent() {
        let code = only(&list_tagged("defaultSize", Value::Null));
        assert_holds!(code, Ok(Some(value)) => Some(PageParam::to_i64(*value)), _ => None);
        assert!(code.contains("Pages hold `limit` items.") && !code.contains("unless set"), "{code}");
    }

    #[test]
    fn body_offsets_page_through_the_request_s_json() {
        let methods = methods_for(&generated(), &document()).unwrap();
        let code = text(&methods[1]);
        assert_holds!(code, pub fn pages(self) -> crate::pagination::Pages<'a, types::ThingPage>);
        assert!(!holds(&code, quote::quote!(mut self)), "the builder is not changed: {code}");
        assert_holds!(code, use crate::pagination::{json_body, json_int, json_set, json_typed, token_request};);
        assert_holds!(code, let mut base = json_body(
            self.body.clone().and_then(|body| types::SearchThingsRequest::try_from(body).map_err(|e| e.to_string()))
        ););
        assert_holds!(code, let size = json_int(&base, "/paginationParams/limit").or(Some(50i64)););
        assert_holds!(
            code,
            if let Some(size) = size {
                json_set(&mut base, "/paginationParams/limit", size.into());
            }
        );
        assert_holds!(code, let first = Cursor::Offset(json_int(&base, "/paginationParams/offset").unwrap_or(0i64)););
        assert_holds!(code, let mut body = base.clone(););
        assert_holds!(
            code,
            if let Cursor::Offset(at) = cursor {
                json_set(&mut body, "/paginationParams/offset", at.into());
            }
        );
        assert_holds!(code, request.body = json_typed::<types::SearchThingsRequest>(body).map(Into::into););
        assert!(code.contains("Pages hold `/paginationParams/limit` items (50 unless set)."), "{code}");
    }

    #[test]
    fn tokens_in_the_body_follow_the_answer_s_next_token() {
        let methods = methods_for(&generated(), &document()).unwrap();
        let code = text(&methods[2]);
        assert_holds!(code, let base = json_body(
            self.body.clone().and_then(|body| types::FeedThingsRequest::try_from(body).map_err(|e| e.to_string()))
        ););
        assert_holds!(code, let size = None;);
        assert_holds!(code, let first = Cursor::Token(None););
        let template = r#"{"type":"PAGE_TOKEN"}"#;
        assert_holds!(code, if let Cursor::Token(Some(token)) = &cursor {
            json_set(&mut body, "/pageInfo", token_request(#template, "pageToken", token));
        });
        // An optional items array counts as empty when absent.
        assert_holds!(code, items: crate::pagination::fingerprints(page.things.iter().flatten()));
        assert_holds!(code, total: None);
        assert_holds!(code, next_token: Some(page)
            .and_then(|at| at.meta.as_ref())
            .and_then(|at| at.next_page_token.as_ref())
            .map(|token| token.to_string()));
        assert_holds!(code, pub fn stream(self) -> crate::pagination::Items<'a, types::ThingFeed, types::Thing>);
        assert_holds!(code, crate::pagination::Items::new(self.pages(), |page| page.things.unwrap_or_default()));
        assert!(code.contains("the stream ends after a page with no next-page token"), "{code}");
    }

    #[test]
    fn untagged_operations_get_nothing() {
        let mut document = document();
        for path in ["/v2/things/search", "/v2/things/feed"] {
            document["paths"].as_object_mut().unwrap().remove(path);
        }
        document["paths"]["/v2/things"]["get"].as_object_mut().unwrap().remove(TAG);
        assert_eq!(methods_for(&generated(), &document).map(|m| m.len()), Ok(0));
        assert_eq!(methods_for(&generated(), &json!({})).map(|m| m.len()), Ok(0));
    }

    #[test]
    fn a_tagged_operation_without_a_builder_fails_naming_it() {
        let mut document = document();
        document["paths"]["/v2/widgets"] = json!({ "get": { "operationId": "listWidgets", TAG: {
            "style": "offset", "in": "query", "start": "offset", "size": "limit", "items": "elements"
        } } });
        let expected = "pagination of listWidgets: no builder ListWidgets with a send method";
        assert_eq!(error(&generated(), &document), expected);
        document["paths"]["/v2/widgets"]["get"].as_object_mut().unwrap().remove("operationId");
        assert_eq!(error(&generated(), &document), "a paginated operation has no operationId");
    }

    #[test]
    fn a_tag_the_builder_or_its_answer_does_not_match_fails_naming_the_operation() {
        let cases = [
            ("start", json!("pageNumber"), "builder ListThings has no field `page_number`"),
            ("size", Value::Null, "the tag has no `size`"),
            ("in", json!("body"), "builder ListThings has no body"),
            ("in", json!("header"), "unknown place header"),
            ("style", json!("cursor"), "unknown style cursor"),
            ("items", json!("things"), "no field `things` in types::ThingPage"),
            ("items", json!("totalNumResults"), "types::ThingPage::total_num_results is not a Vec"),
            ("total", json!("/meta/total"), "/meta/total: no field `meta` in types::ThingPage"),
        ];
        for (key, value, error) in cases {
            let document = list_tagged(key, value.clone());
            let expected = format!("pagination of listThings: {error}");
            assert_eq!(self::error(&generated(), &document), expected, "{key}: {value}");
        }
    }

    #[test]
    fn output_without_the_builder_or_types_module_fails() {
        let types: Vec<syn::Item> = generated().into_iter().take(1).collect();
        let builder: Vec<syn::Item> = generated().into_iter().skip(1).collect();
        assert_eq!(error(&types, &document()), "progenitor's output has no `builder` module");
        assert_eq!(error(&builder, &document()), "progenitor's output has no `types` module");
    }

    #[test]
    fn a_body_type_is_named_as_the_types_module_names_it() {
        let name = |ty: syn::Type| request_type(&ty).map(|i| i.to_string());
        let request = Some("SearchThingsRequest".to_string());
        assert_eq!(name(syn::parse_quote!(Result<types::builder::SearchThingsRequest, String>)), request);
        assert_eq!(name(syn::parse_quote!(Result<types::SearchThingsRequest, String>)), request);
        assert_eq!(name(syn::parse_quote!(Option<types::SearchThingsRequest>)), None);
        assert_eq!(name(syn::parse_quote!(Result<&'a str, String>)), None);
    }
}
