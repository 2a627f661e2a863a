//! Success bodies are decoded by the SDK, not by progenitor's client crate:
//! every `ResponseValue::from_response(response)` in the generated methods
//! becomes `crate::decode::response(response)`, which has the same signature.
//! The SDK's version decodes on a stack that cannot overflow however deep the
//! model, and words a failed decode of a 2xx answer to a POST or PATCH as the
//! warning it is (Spotnana may have applied the request).
//!
//! Keyed on shape: every call of a path ending `ResponseValue::from_response`.
//! A generated client that has operations but no such call fails the build.

use syn::visit_mut::VisitMut;

struct Rewrite {
    count: usize,
}

impl VisitMut for Rewrite {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        syn::visit_mut::visit_expr_call_mut(self, call);
        let syn::Expr::Path(p) = call.func.as_ref() else { return };
        let names: Vec<String> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
        if names.ends_with(&["ResponseValue".to_string(), "from_response".to_string()]) {
            *call.func = syn::parse_quote!(crate::decode::response);
            self.count += 1;
        }
    }
}

/// Rewrites the calls in `file` and returns how many it rewrote.
/// `has_operations` says whether the document had any operation to generate
/// (a build with no API feature has none, and so nothing to rewrite).
pub fn apply(file: &mut syn::File, has_operations: bool) -> Result<usize, String> {
    let mut rewrite = Rewrite { count: 0 };
    rewrite.visit_file_mut(file);
    if rewrite.count == 0 && has_operations {
        return Err("progenitor's output has no `ResponseValue::from_response` call for decode to rewrite; \
                    check the progenitor version against build/decode.rs"
            .into());
    }
    Ok(rewrite.count)
}
