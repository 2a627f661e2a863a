//! `send_or_find()` on the builder of every create that the rule in
//! `src/resources.rs` pairs with a lookup by external id (the README lists
//! them; `openapi/NORMALIZATION.md` says how each was found). The method
//! hands the create's body and path parameters, and a plan of the lookup,
//! to `crate::safe_create::run`, which holds the logic.
//!
//! A paired create whose builder, body, path parameter or answer id is
//! missing from progenitor's output fails the build, naming it.

use serde_json::Value;
use syn::Item;

use super::pagination::{builder_fields, ident, pascal, request_type, send_success, snake};
use super::syntax::module;
use super::resources::{self, Family, Source};

/// One `impl` block per paired create of `document` (the enabled APIs'
/// operations), to add to the `builder` module of `items`.
pub fn methods_for(items: &[Item], document: &Value) -> Result<Vec<Item>, String> {
    let builders = module(items, "builder")?;
    let ops = document["paths"].as_object().into_iter().flatten().flat_map(|(path, item)| {
        item.as_object().into_iter().flatten().filter(|(_, op)| op.get("operationId").is_some()).map(move |(m, op)| (path.as_str(), m.as_str(), op))
    });
    let mut added = Vec::new();
    for family in resources::families(document, ops) {
        if family.lookup.is_some() {
            added.push(method(builders, &family).map_err(|e| format!("send_or_find of {}: {e}", family.create))?);
        }
    }
    Ok(added)
}

fn method(builders: &[Item], family: &Family) -> Result<Item, String> {
    let lookup = family.lookup.as_ref().ok_or("no lookup")?;
    let created = family.created_id.as_ref().ok_or("the create's answer has no id to fill in")?;
    let builder = ident(&pascal(&family.create));
    let fields = builder_fields(builders, &builder)?;
    let body = fields.iter().find(|(name, _)| name == "body").and_then(|(_, ty)| request_type(ty)).ok_or(format!("builder {builder} has no body"))?;
    let success = send_success(builders, &builder)?;
    let mut path_values = Vec::new();
    let mut params = Vec::new();
    for (name, in_path, source) in &lookup.params {
        let source = match source {
            Source::Path(p) => {
                let field = ident(&snake(p));
                if !fields.iter().any(|(f, _)| *f == field) {
                    return Err(format!("builder {builder} has no field `{field}`"));
                }
                path_values.push(quote::quote!((#p, self.#field.as_ref().ok().map(|v| v.to_string()))));
                quote::quote!(crate::safe_create::Source::Path(#p))
            }
            Source::Body(at) => quote::quote!(crate::safe_create::Source::Body(#at)),
        };
        params.push(quote::quote!((#name, #in_path, #source)));
    }
    let (lookup_id, path, external, found) = (&lookup.operation, &lookup.path, &lookup.external_id, lookup.found.pointer());
    let created_at = format!("{}/{}", created.object, created.field);
    let wrapped = created.wrapped;
    let doc = format!(
        " Sends the create, and after a failure that may have applied (a timeout or dropped connection \
         after sending, a 5xx, a success answer that could not be read) looks for what it made by the \
         external id at `{external}` of the body, with `{lookup_id}`, before anything is sent again.\n\n \
         Found: [`CreateOutcome::Found`](crate::CreateOutcome::Found), with the id as the create's answer \
         holds it. Not found: the create is sent once more, which is now safe. Any other failure, or a \
         failed lookup, is the create's error.\n\n Without an external id in the body this is `send()`: \
         set one to make the create safe to repeat."
    );
    Ok(syn::parse_quote! {
        impl<'a> #builder<'a> {
            #[doc = #doc]
            pub async fn send_or_find(self) -> ::std::result::Result<crate::CreateOutcome<#success>, crate::Error> {
                const PLAN: crate::safe_create::Plan = crate::safe_create::Plan {
                    lookup: #lookup_id,
                    path: #path,
                    external_id: #external,
                    params: &[#(#params),*],
                    found: #found,
                    created: (#created_at, #wrapped),
                };
                let body = self
                    .body
                    .clone()
                    .ok()
                    .and_then(|b| types::#body::try_from(b).ok())
                    .and_then(|b| ::serde_json::to_value(b).ok());
                let path: &[(&str, ::std::option::Option<::std::string::String>)] = &[#(#path_values),*];
                let again = self.clone();
                crate::safe_create::run(self.client, &PLAN, body, path, self.send(), move || again.send()).await
            }
        }
    })
}
