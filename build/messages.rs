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
        let display: WherePredicate =
            syn::parse_quote!(<#param as ::std::convert::TryInto<#target>>::Error: ::std::fmt::Display);
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
        let Some(name) = text
            .strip_prefix("conversion to `")
            .and_then(|rest| rest.split("` for ").nth(1))
            .and_then(|rest| rest.strip_suffix(" failed"))
        else {
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

#[cfg(test)]
mod tests {
    use super::apply;
    use syn::visit::Visit;

    /// An operation builder as progenitor writes it: `new` with a required
    /// parameter never set, and one setter for it.
    fn builder(target: syn::Type) -> Vec<syn::Item> {
        let failed = format!("conversion to `{}` for company_id failed", quote::quote!(#target));
        let module: syn::ItemMod = syn::parse_quote! {
            mod builder {
                impl<'a> ReadCompany<'a> {
                    pub fn new(client: &'a super::Client) -> Self {
                        Self {
                            client: client,
                            company_id: Err("company_id was not initialized".to_string()),
                        }
                    }
                    pub fn company_id<V>(mut self, value: V) -> Self
                    where
                        V: std::convert::TryInto<#target>,
                    {
                        self.company_id = value
                            .try_into()
                            .map_err(|_| #failed.to_string());
                        self
                    }
                }
            }
        };
        module.content.expect("a module with items").1
    }

    /// The function `name` among the impls of `items`.
    fn function<'a>(items: &'a [syn::Item], name: &str) -> &'a syn::ImplItemFn {
        items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Impl(block) => Some(block),
                _ => None,
            })
            .flat_map(|block| &block.items)
            .find_map(|member| match member {
                syn::ImplItem::Fn(f) if f.sig.ident == name => Some(f),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no function {name}"))
    }

    /// The closures and string literals (outside macros) in a body.
    #[derive(Default)]
    struct Found {
        closures: Vec<syn::ExprClosure>,
        strings: Vec<String>,
    }

    impl<'ast> Visit<'ast> for Found {
        fn visit_expr_closure(&mut self, closure: &'ast syn::ExprClosure) {
            self.closures.push(closure.clone());
            syn::visit::visit_expr_closure(self, closure);
        }
        fn visit_lit_str(&mut self, literal: &'ast syn::LitStr) {
            self.strings.push(literal.value());
        }
    }

    fn found(function: &syn::ImplItemFn) -> Found {
        let mut found = Found::default();
        found.visit_block(&function.block);
        found
    }

    /// The message of a setter's error: the closure `|e| format!("..")`.
    fn setter_message(setter: &syn::ImplItemFn) -> String {
        let closures = found(setter).closures;
        let [closure] = closures.as_slice() else { panic!("{} closures", closures.len()) };
        let input = closure.inputs.first().expect("one input");
        assert_eq!(quote::quote!(#input).to_string(), "e", "the closure takes the conversion's error");
        let syn::Expr::Macro(call) = closure.body.as_ref() else { panic!("the closure's body is not a macro") };
        assert!(call.mac.path.is_ident("format"));
        call.mac.parse_body::<syn::LitStr>().expect("one format string").value()
    }

    fn text(items: &[syn::Item]) -> String {
        quote::quote!(#(#items)*).to_string()
    }

    #[test]
    fn a_setter_names_its_parameter_what_it_takes_and_why_it_failed() {
        let mut items = builder(syn::parse_quote!(::uuid::Uuid));
        assert_eq!(apply(&mut items), Ok(1));
        let message = setter_message(function(&items, "company_id"));
        assert!(message.starts_with("`company_id` must be a UUID, such as "), "{message}");
        assert!(message.ends_with("; the value given does not convert: {e}"), "{message}");
        assert!(!text(&items).contains("conversion to"), "progenitor's message is gone");
    }

    #[test]
    fn a_rewritten_setter_gains_a_display_bound_on_its_conversion_error() {
        let mut items = builder(syn::parse_quote!(::uuid::Uuid));
        apply(&mut items).expect("apply");
        let clause = function(&items, "company_id").sig.generics.where_clause.as_ref().expect("a where clause");
        let predicates: Vec<String> = clause.predicates.iter().map(|p| quote::quote!(#p).to_string()).collect();
        let kept: syn::WherePredicate = syn::parse_quote!(V: std::convert::TryInto<::uuid::Uuid>);
        let display: syn::WherePredicate =
            syn::parse_quote!(<V as ::std::convert::TryInto<::uuid::Uuid>>::Error: ::std::fmt::Display);
        assert_eq!(predicates, [quote::quote!(#kept).to_string(), quote::quote!(#display).to_string()]);
    }

    #[test]
    fn what_a_parameter_takes_follows_its_type() {
        let cases: [(syn::Type, &str); 7] = [
            (syn::parse_quote!(::std::string::String), "`company_id` must be a string;"),
            (syn::parse_quote!(bool), "`company_id` must be `true` or `false`;"),
            (syn::parse_quote!(::std::num::NonZeroU64), "`company_id` must be a whole number above 0;"),
            (syn::parse_quote!(i32), "`company_id` must be a whole number;"),
            (syn::parse_quote!(f64), "`company_id` must be a number;"),
            (
                syn::parse_quote!(::std::vec::Vec<::std::string::String>),
                "`company_id` must be a list, each item a string;",
            ),
            (
                syn::parse_quote!(types::TripStatus),
                "`company_id` must be a `types::TripStatus` (or one of the values it converts from);",
            ),
        ];
        for (target, start) in cases {
            let mut items = builder(target);
            assert_eq!(apply(&mut items), Ok(1));
            let message = setter_message(function(&items, "company_id"));
            assert!(message.starts_with(start), "{message}");
        }
    }

    #[test]
    fn a_parameter_never_set_says_which_setter_to_call() {
        let mut items = builder(syn::parse_quote!(::uuid::Uuid));
        apply(&mut items).expect("apply");
        let strings = found(function(&items, "new")).strings;
        assert_eq!(strings, ["`company_id` is required and was not set; call .company_id(..) before .send()"]);
    }

    #[test]
    fn other_closures_and_generic_shapes_are_left_as_they_were() {
        let module: syn::ItemMod = syn::parse_quote! {
            mod builder {
                impl<'a> ReadCompany<'a> {
                    // typify's setter: its message is already a format of the error.
                    pub fn name<T>(mut self, value: T) -> Self
                    where
                        T: ::std::convert::TryInto<::std::string::String>,
                        T::Error: ::std::fmt::Display,
                    {
                        self.name = value
                            .try_into()
                            .map_err(|e| format!("error converting supplied value for name: {e}"));
                        self
                    }
                    // Two type parameters: not one of progenitor's operation setters.
                    pub fn pair<V, W>(mut self, value: V) -> Self
                    where
                        V: std::convert::TryInto<::uuid::Uuid>,
                    {
                        self.pair = value.try_into().map_err(|_| "conversion to `Uuid` for pair failed".to_string());
                        self
                    }
                    pub fn new(client: &'a super::Client) -> Self {
                        Self { client, note: Err("company_id was initialized".to_string()) }
                    }
                }
            }
        };
        let mut items = module.content.expect("items").1;
        let before = text(&items);
        assert_eq!(apply(&mut items), Ok(0));
        assert_eq!(text(&items), before);
    }
}
