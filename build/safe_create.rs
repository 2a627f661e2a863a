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
use super::resources::{self, Family, Source};
use super::syntax::module;

/// One `impl` block per paired create of `document` (the enabled APIs'
/// operations), to add to the `builder` module of `items`.
pub fn methods_for(items: &[Item], document: &Value) -> Result<Vec<Item>, String> {
    let builders = module(items, "builder")?;
    let ops = document["paths"].as_object().into_iter().flatten().flat_map(|(path, item)| {
        item.as_object()
            .into_iter()
            .flatten()
            .filter(|(_, op)| op.get("operationId").is_some())
            .map(move |(m, op)| (path.as_str(), m.as_str(), op))
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
    let body = fields
        .iter()
        .find(|(name, _)| name == "body")
        .and_then(|(_, ty)| request_type(ty))
        .ok_or(format!("builder {builder} has no body"))?;
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
    let (lookup_id, path, external, found) =
        (&lookup.operation, &lookup.path, &lookup.external_id, lookup.found.pointer());
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

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::methods_for;

    fn json_content(schema: &str) -> Value {
        json!({ "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
    }

    fn path_param(name: &str) -> Value {
        json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } })
    }

    fn external_id_param() -> Value {
        json!({ "name": "externalId", "in": "query", "schema": { "type": "string" } })
    }

    /// Three collections by `src/resources.rs`'s rule, each a `POST` with an
    /// item path below it: things, whose list takes an `externalId` (and a
    /// `companyId` the create's body has); notes under a company, whose list
    /// takes the company from the path; widgets, whose create's body has no
    /// external id.
    fn document() -> Value {
        let string = json!({ "type": "string" });
        json!({
            "paths": {
                "/v2/things": {
                    "post": {
                        "operationId": "createThing",
                        "requestBody": json_content("ThingCreate"),
                        "responses": { "200": json_content("EntityId") }
                    },
                    "get": {
                        "operationId": "listThings",
                        "parameters": [
                            external_id_param(),
                            { "name": "companyId", "in": "query", "required": true, "schema": string }
                        ],
                        "responses": { "200": json_content("Things") }
                    }
                },
                "/v2/things/{thingId}": {
                    "get": {
                        "operationId": "getThing",
                        "parameters": [path_param("thingId")],
                        "responses": { "200": json_content("Thing") }
                    }
                },
                "/v2/companies/{companyId}/notes": {
                    "parameters": [],
                    "post": {
                        "operationId": "createNote",
                        "parameters": [path_param("companyId")],
                        "requestBody": json_content("NoteCreate"),
                        "responses": { "201": json_content("EntityId") }
                    },
                    "get": {
                        "operationId": "listNotes",
                        "parameters": [path_param("companyId"), external_id_param()],
                        "responses": { "200": json_content("Notes") }
                    }
                },
                "/v2/companies/{companyId}/notes/{noteId}": {
                    "delete": {
                        "operationId": "deleteNote",
                        "parameters": [path_param("companyId"), path_param("noteId")],
                        "responses": { "204": { "description": "Deleted" } }
                    }
                },
                "/v2/widgets": {
                    "post": {
                        "operationId": "createWidget",
                        "requestBody": json_content("WidgetCreate"),
                        "responses": { "200": json_content("EntityId") }
                    },
                    "get": {
                        "operationId": "listWidgets",
                        "parameters": [external_id_param()],
                        "responses": { "200": json_content("Widgets") }
                    }
                },
                "/v2/widgets/{widgetId}": {
                    "get": {
                        "operationId": "getWidget",
                        "parameters": [path_param("widgetId")],
                        "responses": { "200": json_content("EntityId") }
                    }
                }
            },
            "components": { "schemas": {
                "EntityId": { "type": "object", "properties": { "id": string } },
                "ThingCreate": { "type": "object", "properties": {
                    "name": string, "companyId": string, "externalId": string
                } },
                "Thing": { "type": "object", "properties": { "id": string, "externalId": string } },
                "Things": { "type": "object", "properties": {
                    "elements": { "type": "array", "items": { "$ref": "#/components/schemas/Thing" } }
                } },
                "NoteCreate": { "type": "object", "properties": { "text": string, "externalId": string } },
                "Note": { "type": "object", "properties": { "noteId": string, "externalId": string } },
                "Notes": { "type": "object", "properties": {
                    "notes": { "type": "array", "items": { "$ref": "#/components/schemas/Note" } }
                } },
                "WidgetCreate": { "type": "object", "properties": { "name": string } },
                "Widgets": { "type": "object", "properties": {
                    "widgets": { "type": "array", "items": { "$ref": "#/components/schemas/EntityId" } }
                } }
            } }
        })
    }

    /// progenitor's builders of the three creates, after the `send` pass.
    fn generated() -> Vec<syn::Item> {
        let file: syn::File = syn::parse_quote! {
            pub mod types {}
            pub mod builder {
                use super::types;
                #[derive(Debug, Clone)]
                pub struct CreateThing<'a> {
                    client: &'a super::Client,
                    body: Result<types::builder::ThingCreate, String>,
                }
                impl<'a> CreateThing<'a> {
                    pub async fn send(self) -> ::std::result::Result<ResponseValue<types::EntityId>, crate::Error> {
                        todo!()
                    }
                }
                #[derive(Debug, Clone)]
                pub struct CreateNote<'a> {
                    client: &'a super::Client,
                    company_id: Result<::std::string::String, String>,
                    body: Result<types::builder::NoteCreate, String>,
                }
                impl<'a> CreateNote<'a> {
                    pub async fn send(self) -> ::std::result::Result<ResponseValue<types::EntityId>, crate::Error> {
                        todo!()
                    }
                }
                #[derive(Debug, Clone)]
                pub struct CreateWidget<'a> {
                    client: &'a super::Client,
                    body: Result<types::builder::WidgetCreate, String>,
                }
                impl<'a> CreateWidget<'a> {
                    pub async fn send(self) -> ::std::result::Result<ResponseValue<types::EntityId>, crate::Error> {
                        todo!()
                    }
                }
            }
        };
        file.items
    }

    fn builders(items: &mut [syn::Item]) -> &mut Vec<syn::Item> {
        super::super::syntax::module_mut(items, "builder").unwrap()
    }

    /// Removes the field `field` from the builder struct `builder`.
    fn drop_field(items: &mut [syn::Item], builder: &str, field: &str) {
        for item in builders(items) {
            let syn::Item::Struct(s) = item else { continue };
            let syn::Fields::Named(fields) = &mut s.fields else { continue };
            if s.ident == builder {
                let kept = fields.named.clone().into_iter().filter(|f| f.ident.as_ref().is_none_or(|i| i != field));
                fields.named = kept.collect();
            }
        }
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

    /// The builders that gained a method, and the methods' names.
    fn shapes(items: &[syn::Item]) -> Vec<(String, Vec<String>)> {
        let shape = |item: &syn::Item| {
            let syn::Item::Impl(imp) = item else { panic!("not an impl: {}", text(item)) };
            let syn::Type::Path(ty) = imp.self_ty.as_ref() else { panic!("{}", text(item)) };
            let names = imp.items.iter().filter_map(|i| match i {
                syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                _ => None,
            });
            (ty.path.segments.last().unwrap().ident.to_string(), names.collect())
        };
        items.iter().map(shape).collect()
    }

    fn error(items: &[syn::Item], document: &Value) -> String {
        match methods_for(items, document) {
            Ok(methods) => panic!("no error, {} impl blocks", methods.len()),
            Err(error) => error,
        }
    }

    #[test]
    fn creates_paired_with_a_lookup_by_external_id_get_send_or_find() {
        let methods = methods_for(&generated(), &document()).expect("methods");
        let expected = ["CreateThing", "CreateNote"].map(|b| (b.to_string(), vec!["send_or_find".to_string()]));
        assert_eq!(shapes(&methods), expected, "createWidget's body has no external id");
    }

    #[test]
    fn send_or_find_hands_the_body_and_a_plan_of_the_lookup_to_the_runtime() {
        let methods = methods_for(&generated(), &document()).unwrap();
        let code = text(&methods[0]);
        assert_holds!(code,
            pub async fn send_or_find(self)
                -> ::std::result::Result<crate::CreateOutcome<types::EntityId>, crate::Error>
        );
        // The list takes the external id; its required `companyId` comes
        // from the create's body, and the answer's first item has the id.
        assert_holds!(
            code,
            const PLAN: crate::safe_create::Plan = crate::safe_create::Plan {
                lookup: "listThings",
                path: "/v2/things",
                external_id: "/externalId",
                params: &[("companyId", false, crate::safe_create::Source::Body("/companyId"))],
                found: "/elements/0/id",
                created: ("/id", false),
            };
        );
        assert_holds!(code, let body = self
            .body
            .clone()
            .ok()
            .and_then(|b| types::ThingCreate::try_from(b).ok())
            .and_then(|b| ::serde_json::to_value(b).ok()););
        assert_holds!(code, let path: &[(&str, ::std::option::Option<::std::string::String>)] = &[];);
        assert_holds!(code, let again = self.clone(););
        assert_holds!(
            code,
            crate::safe_create::run(self.client, &PLAN, body, path, self.send(), move || again.send()).await
        );
        assert!(code.contains("by the external id at `/externalId` of the body, with `listThings`"), "{code}");
    }

    #[test]
    fn a_path_parameter_the_lookup_shares_comes_from_the_create_s_builder() {
        let methods = methods_for(&generated(), &document()).unwrap();
        let code = text(&methods[1]);
        assert_holds!(code, lookup: "listNotes", path: "/v2/companies/{companyId}/notes",);
        assert_holds!(code, params: &[("companyId", true, crate::safe_create::Source::Path("companyId"))],);
        assert_holds!(code, found: "/notes/0/noteId", created: ("/id", false),);
        assert_holds!(code, let path: &[(&str, ::std::option::Option<::std::string::String>)] = &[
            ("companyId", self.company_id.as_ref().ok().map(|v| v.to_string()))
        ];);
        assert_holds!(code, types::NoteCreate::try_from(b));
    }

    #[test]
    fn a_create_with_no_lookup_by_external_id_gets_nothing() {
        let mut document = document();
        let params = document["paths"]["/v2/things"]["get"]["parameters"].as_array_mut().unwrap();
        params.retain(|p| p["name"] != "externalId");
        let methods = methods_for(&generated(), &document).unwrap();
        let names: Vec<String> = shapes(&methods).into_iter().map(|(builder, _)| builder).collect();
        assert_eq!(names, ["CreateNote"]);
        assert_eq!(methods_for(&generated(), &json!({ "paths": {} })).map(|m| m.len()), Ok(0));
    }

    #[test]
    fn a_paired_create_that_progenitor_s_output_does_not_match_fails_naming_it() {
        let mut no_field = generated();
        drop_field(&mut no_field, "CreateNote", "company_id");
        let expected = "send_or_find of createNote: builder CreateNote has no field `company_id`";
        assert_eq!(error(&no_field, &document()), expected);

        let mut no_body = generated();
        drop_field(&mut no_body, "CreateThing", "body");
        assert_eq!(error(&no_body, &document()), "send_or_find of createThing: builder CreateThing has no body");

        let mut no_struct = generated();
        builders(&mut no_struct).retain(|item| !matches!(item, syn::Item::Struct(s) if s.ident == "CreateThing"));
        assert_eq!(error(&no_struct, &document()), "send_or_find of createThing: no builder struct CreateThing");

        let mut no_send = generated();
        builders(&mut no_send).retain(|item| !matches!(item, syn::Item::Impl(_)));
        let expected = "send_or_find of createThing: no builder CreateThing with a send method";
        assert_eq!(error(&no_send, &document()), expected);

        assert_eq!(error(&[], &document()), "progenitor's output has no `builder` module");
    }

    #[test]
    fn a_paired_create_whose_answer_has_no_id_fails_naming_it() {
        let mut document = document();
        document["paths"]["/v2/things"]["post"]["responses"] = json!({ "204": { "description": "Created" } });
        let expected = "send_or_find of createThing: the create's answer has no id to fill in";
        assert_eq!(error(&generated(), &document), expected);
    }
}
