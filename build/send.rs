//! `send()` returns [`crate::Error`]: every builder's generated `send` is
//! rewritten in place to return `Result<ResponseValue<T>, crate::Error>`.
//! Users never meet progenitor's error, nor the internal response that
//! carries the runtime's own failures to it.
//!
//! In place, not wrapped: a wrapping `send` would be one more future around
//! the generated one, and each layer copies the whole future when it starts
//! and the whole answer when it ends (a `Company` is 2,480 bytes). The
//! rewrite keeps progenitor's body and its error values, and converts where
//! they leave the function:
//! - `type Error = progenitor_client::Error<E>;` at the top of the body, so
//!   that the body's `Error::InvalidRequest(..)` and the like keep their type;
//! - every `expr?` becomes `crate::error::sdk_try!(expr)`, so that each
//!   error goes through progenitor's `Error` (as it did) and then
//!   `crate::Error::from`, the conversion every other path uses, with no
//!   `Result` built in between (it would copy the success value);
//! - the tail, progenitor's `match` on the status, is converted arm by arm:
//!   an arm that only decodes the answer calls `crate::decode::success`
//!   (which returns `crate::Error` itself, so the answer is written once),
//!   `Err(e)` becomes `Err(crate::Error::from(e))`, `Ok(..)` stays, and any
//!   other arm becomes `Result::map_err(arm, crate::Error::from)`.
//!   A tail that is not a `match` is converted as a whole.
//!
//! Keyed on shape: the targets are the `builder` module's inherent methods
//! named `send` that return `Result<ResponseValue<T>, Error<E>>` and end in a
//! tail expression. A generated client that has operations but no such
//! method fails the build.

use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{GenericArgument, ImplItem, Item, PathArguments, ReturnType, Type};

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
            let mismatch = || format!("builder {builder}'s send does not return Result<ResponseValue<T>, Error<E>> from a tail expression; check build/send.rs");
            let (success, error) = result_types(&send.sig.output).ok_or_else(mismatch)?;
            let Some(syn::Stmt::Expr(mut tail, None)) = send.block.stmts.pop() else {
                return Err(mismatch());
            };
            let mut body = std::mem::take(&mut send.block.stmts);
            let mut questions = Questions::default();
            for statement in &mut body {
                questions.visit_stmt_mut(statement);
            }
            questions.visit_expr_mut(&mut tail);
            if let Some(value) = questions.unnamed {
                return Err(format!("builder {builder}'s send encodes a path parameter from `{value}`, not from `&name.to_string()`; check build/send.rs"));
            }
            let tail = convert(tail);
            send.block = syn::parse_quote!({
                #[allow(unused)]
                type Error = progenitor_client::Error<#error>;
                #(#body)*
                #tail
            });
            send.sig.output = syn::parse_quote!(-> ::std::result::Result<ResponseValue<#success>, crate::Error>);
            send.attrs.extend(DOCS.iter().map(|line| -> syn::Attribute { syn::parse_quote!(#[doc = #line]) }));
            rewritten += 1;
        }
    }
    if rewritten == 0 && has_operations {
        return Err("progenitor's builders have no `send` method for build/send.rs to rewrite; check the progenitor version".into());
    }
    let mut left = EncodePaths(0);
    items.iter().for_each(|item| left.visit_item(item));
    if left.0 > 0 {
        return Err(format!("{} `encode_path` calls remain outside the builders' `send`; each path parameter must go through crate::path::segment (build/send.rs)", left.0));
    }
    Ok(rewritten)
}

/// The tail converted to `Result<_, crate::Error>`. A `match` (progenitor
/// ends each `send` with one on the status) is converted arm by arm: an arm
/// that is only a decode of the answer calls `crate::decode::success`, which
/// returns the SDK's error itself; an `Ok(..)` arm stays as it is; an
/// `Err(e)` arm becomes `Err(crate::Error::from(e))`; any other arm goes
/// through `Result::map_err`. Converting the whole `match` at once would copy the
/// decoded answer out of one `Result` into another.
fn convert(tail: syn::Expr) -> syn::Expr {
    let syn::Expr::Match(mut choice) = tail else {
        return syn::parse_quote!(::std::result::Result::map_err(#tail, crate::Error::from));
    };
    any_success(&mut choice);
    for arm in &mut choice.arms {
        let body = arm.body.as_mut();
        unblock(body);
        if let Some(call) = decode_call(body) {
            *call.func = syn::parse_quote!(crate::decode::success);
            continue;
        }
        match variant(body) {
            Some((name, _)) if name == "Ok" => {}
            Some((name, value)) if name == "Err" => *value = syn::parse_quote!(crate::Error::from(#value)),
            _ => *body = syn::parse_quote!(::std::result::Result::<_, Error>::map_err(#body, crate::Error::from)),
        }
    }
    syn::Expr::Match(choice)
}

/// Success is any 2xx: a status the spec does not list for the operation,
/// but that is a success, is answered as the first documented success
/// status is (its body decoded as the documented type), never as an
/// unexpected answer. The arm goes before the catch-all, guarded by
/// `response.status().is_success()`. A `match` with no 2xx arm (an
/// operation documenting no success) is left as it is.
fn any_success(choice: &mut syn::ExprMatch) {
    let Some(success) = choice.arms.iter().find(|arm| is_success_pattern(&arm.pat)) else { return };
    let body = success.body.clone();
    let arm: syn::Arm = syn::parse_quote!(_ if response.status().is_success() => #body,);
    let at = choice.arms.iter().position(|arm| matches!(arm.pat, syn::Pat::Wild(_))).unwrap_or(choice.arms.len());
    choice.arms.insert(at, arm);
}

/// Whether a status pattern (`200u16`, `200u16..=299u16`) starts in 2xx.
fn is_success_pattern(pattern: &syn::Pat) -> bool {
    let first = match pattern {
        syn::Pat::Lit(literal) => Some(&literal.lit),
        syn::Pat::Range(range) => match range.start.as_deref() {
            Some(syn::Expr::Lit(literal)) => Some(&literal.lit),
            _ => None,
        },
        _ => None,
    };
    matches!(first, Some(syn::Lit::Int(status)) if status.base10_parse::<u16>().is_ok_and(|s| (200..300).contains(&s)))
}

/// Counts the `encode_path(..)` calls in what it visits.
struct EncodePaths(usize);

impl<'ast> syn::visit::Visit<'ast> for EncodePaths {
    fn visit_expr(&mut self, expr: &'ast syn::Expr) {
        if encode_path_argument(expr).is_some() {
            self.0 += 1;
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

/// Replaces a block of one expression by that expression.
fn unblock(expr: &mut syn::Expr) {
    if let syn::Expr::Block(block) = expr {
        if let [syn::Stmt::Expr(inner, None)] = block.block.stmts.as_mut_slice() {
            *expr = std::mem::replace(inner, syn::Expr::Verbatim(Default::default()));
        }
    }
}

/// The name and the one argument of a call such as `Ok(value)` or `Err(error)`.
fn variant(expr: &mut syn::Expr) -> Option<(String, &mut syn::Expr)> {
    let syn::Expr::Call(call) = expr else { return None };
    let syn::Expr::Path(path) = call.func.as_ref() else { return None };
    let name = path.path.get_ident()?.to_string();
    let mut args = call.args.iter_mut();
    match (args.next(), args.next()) {
        (Some(value), None) => Some((name, value)),
        _ => None,
    }
}

/// The `crate::decode::response(..)` call of an expression that is only
/// `crate::decode::response(..).await`.
fn decode_call(body: &mut syn::Expr) -> Option<&mut syn::ExprCall> {
    let syn::Expr::Await(awaited) = body else { return None };
    let syn::Expr::Call(call) = awaited.base.as_mut() else { return None };
    let syn::Expr::Path(path) = call.func.as_ref() else { return None };
    let names: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
    (names == ["crate", "decode", "response"]).then_some(call)
}

/// `T` and `E` of a `Result<ResponseValue<T>, Error<E>>` return type.
fn result_types(output: &ReturnType) -> Option<(Type, Type)> {
    let ReturnType::Type(_, ty) = output else { return None };
    let error = type_arg(type_arg(ty, "Result", 1)?, "Error", 0)?;
    Some((success_type(output)?, error.clone()))
}

/// `T` of a `Result<ResponseValue<T>, _>` return type.
pub fn success_type(output: &ReturnType) -> Option<Type> {
    let ReturnType::Type(_, ty) = output else { return None };
    type_arg(type_arg(ty, "Result", 0)?, "ResponseValue", 0).cloned()
}

/// The type argument at `at` of `ty`, when `ty`'s last segment is `name<..>`.
fn type_arg<'a>(ty: &'a Type, name: &str, at: usize) -> Option<&'a Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.iter().nth(at)? {
        GenericArgument::Type(t) if last.ident == name => Some(t),
        _ => None,
    }
}
