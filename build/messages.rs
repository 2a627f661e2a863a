//! Messages written for the user, not the generator: progenitor's operation
//! builders say ``conversion to `:: uuid :: Uuid` for company_id failed``
//! when a setter's value does not convert, and `company_id was not
//! initialized` when a required parameter was never set. This pass rewrites
//! both in plain words, naming the parameter and what it takes:
//! - a setter's error becomes ``"`company_id` must be a UUID, such as …; the
//!   value given does not convert: {e}"``, with the conversion's own error
//!   (which says what it found), for which the setter gains the bound
//!   `V::Error: Display` that typify's model builders already have;
//! - a missing parameter becomes ``"`company_id` is required and was not set;
//!   call .company_id(..) before .send()"``.
//!
//! Keyed on shape: in the `builder` module, every method with one type
//! parameter bound by `TryInto<T>` whose body maps the conversion error with
//! `map_err(|_| "conversion to … for NAME failed".to_string())`, and every
//! string literal `"NAME was not initialized"`.

use syn::visit_mut::VisitMut;
use syn::{GenericParam, ImplItemFn, Item, WherePredicate};

/// Rewrites the builders in `items`; returns how many setters it rewrote.
pub fn apply(items: &mut [Item]) -> Result<usize, String> {
    let mut pass = Messages { setters: 0 };
    for item in items.iter_mut() {
        pass.visit_item_mut(item);
    }
    Ok(pass.setters)
}

struct Messages {
    setters: usize,
}

impl VisitMut for Messages {
    fn visit_impl_item_fn_mut(&mut self, function: &mut ImplItemFn) {
        syn::visit_mut::visit_impl_item_fn_mut(self, function);
        let Some((param, target)) = converted_param(function) else { return };
        let mut closures = ConversionClosure { replaced: 0, target: &target };
        closures.visit_block_mut(&mut function.block);
        if closures.replaced == 0 {
            return;
        }
        let display: WherePredicate = syn::parse_quote!(<#param as ::std::convert::TryInto<#target>>::Error: ::std::fmt::Display);
        function.sig.generics.make_where_clause().predicates.push(display);
        self.setters += 1;
    }

    fn visit_lit_str_mut(&mut self, literal: &mut syn::LitStr) {
        if let Some(name) = literal.value().strip_suffix(" was not initialized") {
            let text = format!("`{name}` is required and was not set; call .{name}(..) before .send()");
            *literal = syn::LitStr::new(&text, literal.span());
        }
    }
}

/// The setter's type parameter and the type it converts to, from its
/// `where V: TryInto<T>` (progenitor's operation setters have exactly one).
fn converted_param(function: &ImplItemFn) -> Option<(syn::Ident, syn::Type)> {
    let mut params = function.sig.generics.params.iter();
    let (Some(GenericParam::Type(param)), None) = (params.next(), params.next()) else { return None };
    let clause = function.sig.generics.where_clause.as_ref()?;
    clause.predicates.iter().find_map(|predicate| {
        let WherePredicate::Type(bound) = predicate else { return None };
        let syn::Type::Path(bounded) = &bound.bounded_ty else { return None };
        if !bounded.path.is_ident(&param.ident) {
            return None;
        }
        bound.bounds.iter().find_map(|b| {
            let syn::TypeParamBound::Trait(t) = b else { return None };
            let last = t.path.segments.last()?;
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
            match (last.ident == "TryInto", args.args.first()) {
                (true, Some(syn::GenericArgument::Type(target))) => Some((param.ident.clone(), target.clone())),
                _ => None,
            }
        })
    })
}

/// Replaces `|_| "conversion to `T` for NAME failed".to_string()`.
struct ConversionClosure<'a> {
    replaced: usize,
    target: &'a syn::Type,
}

impl VisitMut for ConversionClosure<'_> {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        let syn::Expr::Closure(closure) = expr else { return };
        let syn::Expr::MethodCall(call) = closure.body.as_ref() else { return };
        let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }) = call.receiver.as_ref() else { return };
        let text = text.value();
        let Some(name) = text.strip_prefix("conversion to `").and_then(|rest| rest.split("` for ").nth(1)).and_then(|rest| rest.strip_suffix(" failed")) else {
            return;
        };
        let message = format!("`{name}` must be {}; the value given does not convert: {{e}}", expected(self.target));
        *expr = syn::parse_quote!(|e| format!(#message));
        self.replaced += 1;
    }
}

/// What a value of `ty` is, in plain words.
fn expected(ty: &syn::Type) -> String {
    let syn::Type::Path(path) = ty else { return "a value of the parameter's type".into() };
    let Some(last) = path.path.segments.last() else { return "a value of the parameter's type".into() };
    let inner = match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first() {
            Some(syn::GenericArgument::Type(inner)) => Some(inner),
            _ => None,
        },
        _ => None,
    };
    match (last.ident.to_string().as_str(), inner) {
        ("Option", Some(inner)) => expected(inner),
        ("Vec", Some(inner)) => format!("a list, each item {}", expected(inner)),
        ("Uuid", _) => "a UUID, such as 4974a66b-7493-4f41-908c-58ba81093947".into(),
        ("String", _) => "a string".into(),
        ("bool", _) => "`true` or `false`".into(),
        ("NonZeroU32" | "NonZeroU64", _) => "a whole number above 0".into(),
        ("u8" | "u16" | "u32" | "u64", _) => "a whole number, 0 or more".into(),
        ("i8" | "i16" | "i32" | "i64", _) => "a whole number".into(),
        ("f32" | "f64", _) => "a number".into(),
        (name, _) => format!("a `types::{name}` (or one of the values it converts from)"),
    }
}
