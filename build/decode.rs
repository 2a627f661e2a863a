//! Success bodies are decoded by the SDK, not by progenitor's client crate:
//! every `ResponseValue::from_response(response)` in the generated methods
//! becomes `crate::decode::response(response, client, Method::X)`, with the
//! same result type. The SDK's version decodes on a stack that cannot
//! overflow however deep the model, redacts the client's tokens from what a
//! failed decode reports, and words a failed decode of a 2xx answer to a POST
//! or PATCH as the warning it is (Spotnana may have applied the request).
//!
//! The client and the method are passed, not carried with the answer in its
//! extensions (two allocations and a map per call): `client` is the builder's
//! own, and the method is the one the same function builds its request with
//! (`client.client.post(url)`).
//!
//! Keyed on shape: every call of a path ending `ResponseValue::from_response`,
//! in a function that builds its request with one `client.client.<method>(..)`
//! call. A generated client that has operations but no such call, or a call in
//! a function whose method cannot be told, fails the build.

use syn::visit::Visit;
use syn::visit_mut::VisitMut;

/// reqwest's request builders, by the method constant they stand for.
const METHODS: [(&str, &str); 6] =
    [("get", "GET"), ("post", "POST"), ("put", "PUT"), ("patch", "PATCH"), ("delete", "DELETE"), ("head", "HEAD")];

/// The method a function's `client.client.<method>(..)` calls name.
#[derive(Default)]
struct RequestMethod {
    found: Vec<&'static str>,
}

impl<'ast> Visit<'ast> for RequestMethod {
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        syn::visit::visit_expr_method_call(self, call);
        let syn::Expr::Field(field) = call.receiver.as_ref() else { return };
        let on_client = matches!(&field.member, syn::Member::Named(m) if m == "client")
            && matches!(field.base.as_ref(), syn::Expr::Path(p) if p.path.is_ident("client"));
        if !on_client {
            return;
        }
        if let Some((_, constant)) = METHODS.iter().find(|(name, _)| call.method == name) {
            if !self.found.contains(constant) {
                self.found.push(constant);
            }
        }
    }
}

struct Rewrite {
    count: usize,
    /// The method of the function being visited, when it has exactly one.
    method: Option<&'static str>,
    function: String,
    error: Option<String>,
}

impl VisitMut for Rewrite {
    fn visit_impl_item_fn_mut(&mut self, function: &mut syn::ImplItemFn) {
        let mut methods = RequestMethod::default();
        methods.visit_block(&function.block);
        let outer = (self.method, std::mem::replace(&mut self.function, function.sig.ident.to_string()));
        self.method = match methods.found.as_slice() {
            [one] => Some(one),
            _ => None,
        };
        syn::visit_mut::visit_impl_item_fn_mut(self, function);
        (self.method, self.function) = outer;
    }

    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        syn::visit_mut::visit_expr_call_mut(self, call);
        let syn::Expr::Path(p) = call.func.as_ref() else { return };
        let names: Vec<String> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
        if !names.ends_with(&["ResponseValue".to_string(), "from_response".to_string()]) {
            return;
        }
        let Some(method) = self.method else {
            self.error.get_or_insert_with(|| {
                format!(
                    "{} decodes an answer but builds its request with no single `client.client.<method>(..)` call; \
                     check the progenitor version against build/decode.rs",
                    self.function
                )
            });
            return;
        };
        let method = syn::Ident::new(method, proc_macro2::Span::call_site());
        *call.func = syn::parse_quote!(crate::decode::response);
        call.args.push(syn::parse_quote!(client));
        call.args.push(syn::parse_quote!(::reqwest::Method::#method));
        self.count += 1;
    }
}

/// Rewrites the calls in `file` and returns how many it rewrote.
/// `has_operations` says whether the document had any operation to generate
/// (a build with no API feature has none, and so nothing to rewrite).
pub fn apply(file: &mut syn::File, has_operations: bool) -> Result<usize, String> {
    let mut rewrite = Rewrite { count: 0, method: None, function: String::new(), error: None };
    rewrite.visit_file_mut(file);
    if let Some(error) = rewrite.error {
        return Err(error);
    }
    if rewrite.count == 0 && has_operations {
        return Err("progenitor's output has no `ResponseValue::from_response` call for decode to rewrite; \
                    check the progenitor version against build/decode.rs"
            .into());
    }
    Ok(rewrite.count)
}
