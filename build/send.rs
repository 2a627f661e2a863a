//! `send()` returns [`crate::Error`], through one path: every builder's
//! generated `send` keeps progenitor's request building and ends in one call
//! of `crate::call`, which sends the request through the runtime and decodes
//! the answer. What progenitor writes after the request is built (its hooks,
//! `exec`, and a `match` on the status that repeats a decode for each
//! documented status) is replaced:
//! - `type Error = progenitor_client::Error<E>;` at the top of the body, so
//!   that the body's `Error::InvalidRequest(..)` and the like keep their type;
//! - every `expr?` becomes `crate::error::sdk_try!(expr)`, so that each
//!   error goes through progenitor's `Error` (as it did) and then
//!   `crate::Error::from`, with no `Result` built in between (it would copy
//!   the success value);
//! - every path parameter goes through `crate::path::segment!`;
//! - from the `let info = OperationInfo { .. }` statement on, the body is
//!   `crate::call::json(client, request, "op").await` (or `call::empty`
//!   for an operation whose success is `()`). Any 2xx is a success, decoded
//!   as the documented success type; any other status is `Error::Api`,
//!   whatever its body, decided in one place, the runtime.
//!
//! Keyed on shape: the targets are the `builder` module's inherent methods
//! named `send` that return `Result<ResponseValue<T>, Error<E>>` and build a
//! `request` before an `OperationInfo`. A generated client that has
//! operations but no such method, or a `send` of another shape, fails the
//! build, and so does a `ResponseValue::from_response` left in the module
//! (a decode outside the one path).

use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{ImplItem, Item, ReturnType, Type};

use super::syntax::{success_type, type_arg};

/// Appended to each `send`'s documentation.
const DOCS: [&str; 7] = [
    "",
    " With the client's bearer token, retries and response checks.",
    "",
    " # Errors",
    "",
    " [`crate::Error`], sorted by what to do about it: `Api` for an answer with an error status (with",
    " Spotnana's `ErrorResponse`), `Auth`, `Timeout`, `Connect`, `Transport`, `Decode` and `InvalidRequest`.",
];

/// Routes every `?` in a body through progenitor's `Error` (the body's alias)
/// and then `crate::Error`, with `crate::error::sdk_try!`, and every path
/// parameter through `crate::path::segment!`, which encodes it as one
/// segment and refuses `.`, `..` and the empty value.
#[derive(Default)]
struct Questions {
    /// A path parameter this pass could not name, if any.
    unnamed: Option<String>,
}

impl VisitMut for Questions {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        if let syn::Expr::Try(question) = expr {
            let inner = &question.expr;
            *expr = syn::parse_quote!(crate::error::sdk_try!(#inner));
        } else if let Some(value) = encode_path_argument(expr) {
            match parameter_name(&value) {
                Some(name) => *expr = syn::parse_quote!(crate::path::segment!(#name, #value)),
                None => self.unnamed = Some(quote::quote!(#value).to_string()),
            }
        }
    }

    // progenitor builds each URL in a `format!`, whose arguments syn keeps
    // as tokens: they are parsed, rewritten and put back.
    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        let Some(mut args) = format_arguments(mac) else { return };
        args.iter_mut().for_each(|arg| self.visit_expr_mut(arg));
        mac.tokens = quote::quote!(#args);
    }

    // A closure's or an inner function's `?` is its own; progenitor's bodies
    // have none, and they are left as they are.
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
    fn visit_item_fn_mut(&mut self, _: &mut syn::ItemFn) {}
}

/// Rewrites every builder's `send` in `items` and returns how many it rewrote.
pub fn apply(items: &mut [Item], has_operations: bool) -> Result<usize, String> {
    let mut rewritten = 0;
    for item in items.iter_mut() {
        let Item::Impl(block) = item else { continue };
        if block.trait_.is_some() {
            continue;
        }
        let builder = match block.self_ty.as_ref() {
            Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default(),
            _ => String::new(),
        };
        for member in block.items.iter_mut() {
            let ImplItem::Fn(send) = member else { continue };
            if send.sig.ident != "send" {
                continue;
            }
            let mismatch = || {
                format!("builder {builder}'s send does not return Result<ResponseValue<T>, Error<E>> after building a `request` and an `OperationInfo`; check build/send.rs")
            };
            let (success, error) = result_types(&send.sig.output).ok_or_else(mismatch)?;
            let at = send.block.stmts.iter().position(|s| operation_id(s).is_some()).ok_or_else(mismatch)?;
            let id = operation_id(&send.block.stmts[at]).ok_or_else(mismatch)?;
            send.block.stmts.truncate(at);
            let mut body = std::mem::take(&mut send.block.stmts);
            let mut questions = Questions::default();
            for statement in &mut body {
                questions.visit_stmt_mut(statement);
            }
            if let Some(value) = questions.unnamed {
                return Err(format!("builder {builder}'s send encodes a path parameter from `{value}`, not from `&name.to_string()`; check build/send.rs"));
            }
            let call: syn::Path = if is_unit(&success) {
                syn::parse_quote!(crate::call::empty)
            } else {
                syn::parse_quote!(crate::call::json)
            };
            send.block = syn::parse_quote!({
                #[allow(unused)]
                type Error = progenitor_client::Error<#error>;
                #(#body)*
                #call(client, request, #id).await
            });
            send.sig.output = syn::parse_quote!(-> ::std::result::Result<ResponseValue<#success>, crate::Error>);
            send.attrs.extend(DOCS.iter().map(|line| -> syn::Attribute { syn::parse_quote!(#[doc = #line]) }));
            rewritten += 1;
        }
    }
    if rewritten == 0 && has_operations {
        return Err(
            "progenitor's builders have no `send` method for build/send.rs to rewrite; check the progenitor version"
                .into(),
        );
    }
    let mut left = Leftovers::default();
    items.iter().for_each(|item| left.visit_item(item));
    if left.encode_paths > 0 {
        return Err(format!("{} `encode_path` calls remain outside the builders' `send`; each path parameter must go through crate::path::segment (build/send.rs)", left.encode_paths));
    }
    if left.decodes > 0 {
        return Err(format!("{} `ResponseValue::from_response` calls remain in the builders; every answer must go through crate::call (build/send.rs)", left.decodes));
    }
    Ok(rewritten)
}

/// The operation id of a `let info = OperationInfo { operation_id: "..", .. };`
/// statement, where progenitor's request building ends.
fn operation_id(statement: &syn::Stmt) -> Option<syn::LitStr> {
    let syn::Stmt::Local(local) = statement else { return None };
    let syn::Expr::Struct(info) = local.init.as_ref()?.expr.as_ref() else { return None };
    if info.path.segments.last().is_none_or(|s| s.ident != "OperationInfo") {
        return None;
    }
    info.fields.iter().find_map(|field| match (&field.member, &field.expr) {
        (syn::Member::Named(name), syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(id), .. }))
            if name == "operation_id" =>
        {
            Some(id.clone())
        }
        _ => None,
    })
}

/// Whether `ty` is `()`.
fn is_unit(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(t) if t.elems.is_empty())
}

/// Counts what the rewrite should have left in no `send`: `encode_path(..)`
/// and `ResponseValue::from_response(..)` calls.
#[derive(Default)]
struct Leftovers {
    encode_paths: usize,
    decodes: usize,
}

impl<'ast> syn::visit::Visit<'ast> for Leftovers {
    fn visit_expr(&mut self, expr: &'ast syn::Expr) {
        if encode_path_argument(expr).is_some() {
            self.encode_paths += 1;
        }
        if let syn::Expr::Path(path) = expr {
            if path.path.segments.last().is_some_and(|s| s.ident == "from_response") {
                self.decodes += 1;
            }
        }
        syn::visit::visit_expr(self, expr);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        for arg in format_arguments(mac).iter().flatten() {
            self.visit_expr(arg);
        }
    }
}

/// The arguments of a `format!(..)` call, parsed.
fn format_arguments(mac: &syn::Macro) -> Option<syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>> {
    if !mac.path.is_ident("format") {
        return None;
    }
    mac.parse_body_with(syn::punctuated::Punctuated::parse_terminated).ok()
}

/// The argument of an `encode_path(..)` call (progenitor writes one for each
/// path parameter).
fn encode_path_argument(expr: &syn::Expr) -> Option<syn::Expr> {
    let syn::Expr::Call(call) = expr else { return None };
    let syn::Expr::Path(path) = call.func.as_ref() else { return None };
    let is_encode = path.path.segments.last().is_some_and(|s| s.ident == "encode_path");
    match (is_encode, call.args.len()) {
        (true, 1) => call.args.first().cloned(),
        _ => None,
    }
}

/// The parameter an `&name.to_string()` argument encodes: `name`, the
/// builder field and setter the caller knows.
fn parameter_name(value: &syn::Expr) -> Option<String> {
    let syn::Expr::Reference(reference) = value else { return None };
    let syn::Expr::MethodCall(call) = reference.expr.as_ref() else { return None };
    let syn::Expr::Path(receiver) = call.receiver.as_ref() else { return None };
    (call.method == "to_string").then(|| receiver.path.get_ident().map(ToString::to_string)).flatten()
}

/// `T` and `E` of a `Result<ResponseValue<T>, Error<E>>` return type.
fn result_types(output: &ReturnType) -> Option<(Type, Type)> {
    let ReturnType::Type(_, ty) = output else { return None };
    let error = type_arg(type_arg(ty, "Result", 1)?, "Error", 0)?;
    Some((success_type(output)?, error.clone()))
}

#[cfg(test)]
mod tests {
    use super::apply;

    /// A `builder` module's items as progenitor writes them: one `send`
    /// with a path parameter, its request, its hooks and a status `match`.
    fn builders(success: syn::Type) -> Vec<syn::Item> {
        let module: syn::ItemMod = syn::parse_quote! {
            mod builder {
                impl<'a> ReadThing<'a> {
                    pub async fn send(self) -> Result<ResponseValue<#success>, Error<types::ErrorResponse>> {
                        let Self { client, thing_id } = self;
                        let thing_id = thing_id.map_err(Error::InvalidRequest)?;
                        let url = format!("{}/v2/things/{}", client.baseurl, encode_path(&thing_id.to_string()),);
                        let mut request = client.client.get(url).build()?;
                        let info = OperationInfo { operation_id: "read_thing" };
                        client.pre(&mut request, &info).await?;
                        let result = client.exec(request, &info).await;
                        let response = result?;
                        match response.status().as_u16() {
                            200u16 => ResponseValue::from_response(response).await,
                            404u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                }
            }
        };
        module.content.expect("a module with items").1
    }

    fn text(items: &[syn::Item]) -> String {
        quote::quote!(#(#items)*).to_string()
    }

    #[test]
    fn a_send_ends_in_one_call_after_its_request_is_built() {
        let mut items = builders(syn::parse_quote!(types::Thing));
        assert_eq!(apply(&mut items, true), Ok(1));
        let code = text(&items);
        assert!(code.contains(r#"crate :: call :: json (client , request , "read_thing") . await"#), "{code}");
        assert!(code.contains("crate :: Error >"), "the return type is the SDK's error: {code}");
        for gone in ["from_response", "exec", "OperationInfo", "match response"] {
            assert!(!code.contains(gone), "{gone} left in {code}");
        }
        assert!(code.contains(r#"crate :: path :: segment ! ("thing_id" , & thing_id . to_string ())"#), "{code}");
        assert!(code.contains("crate :: error :: sdk_try ! (thing_id . map_err (Error :: InvalidRequest))"), "{code}");
    }

    #[test]
    fn a_send_with_no_success_body_ends_in_call_empty() {
        let mut items = builders(syn::parse_quote!(()));
        assert_eq!(apply(&mut items, true), Ok(1));
        assert!(text(&items).contains(r#"crate :: call :: empty (client , request , "read_thing")"#));
    }

    #[test]
    fn a_send_of_another_shape_fails_the_build() {
        let module: syn::ItemMod = syn::parse_quote! {
            mod builder {
                impl<'a> ReadThing<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::ErrorResponse>> {
                        todo!()
                    }
                }
            }
        };
        let mut items = module.content.expect("items").1;
        let error = apply(&mut items, true).expect_err("no OperationInfo");
        assert!(error.contains("ReadThing") && error.contains("build/send.rs"), "{error}");
        assert!(apply(&mut [], true).is_err(), "a client with operations but no send");
        assert_eq!(apply(&mut [], false), Ok(0));
    }
}
