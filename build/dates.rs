//! The models the normaliser tags `x-spotnana-chrono` (rule
//! `chrono-dates`: an object of one required `iso8601` string, a date or a
//! time) convert from and to `chrono`: `From<chrono::NaiveDate>` and the
//! like, `to_chrono()` back, and a line of docs giving the format. The
//! conversions are in `src/dates.rs`.
//!
//! Keyed on the tag; a tagged model the build generates must be a struct
//! whose `iso8601` field is a newtype, or the build fails naming it. A tagged
//! model that the enabled APIs do not reach is not generated, and not looked
//! for.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;
use syn::{Fields, Item};

use super::contract;

/// The `chrono` type, and the format as the docs give it, for a kind.
fn chrono_type(kind: &str) -> Option<(TokenStream, &'static str)> {
    Some(match kind {
        "date" => (quote!(::chrono::NaiveDate), "`YYYY-MM-DD`"),
        "date-time-local" => {
            (quote!(::chrono::NaiveDateTime), "`YYYY-MM-DDThh:mm` or `YYYY-MM-DDThh:mm:ss`, local time")
        }
        "date-time-offset" => (
            quote!(::chrono::DateTime<::chrono::FixedOffset>),
            "`YYYY-MM-DDThh:mm[:ss]` then `Z` or an offset such as `+05:30`",
        ),
        "time" => (quote!(::chrono::NaiveTime), "`hh:mm` or `hh:mm:ss`"),
        _ => return None,
    })
}

/// Adds the conversions to every tagged model among `items` and returns how
/// many models got them.
pub fn apply(items: &mut Vec<Item>, document: &Value) -> Result<usize, String> {
    let tagged: Vec<(String, String)> = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, schema)| {
            let kind = schema.get(contract::CHRONO_KEY)?.as_str()?;
            Some((contract::pascal(name), kind.to_string()))
        })
        .collect();
    let mut added = Vec::new();
    for (name, kind) in &tagged {
        let (chrono, format) = chrono_type(kind).ok_or_else(|| format!("{name}: unknown chrono kind {kind:?}"))?;
        let Some(model) = items.iter_mut().find_map(|item| match item {
            Item::Struct(s) if s.ident == name.as_str() => Some(s),
            _ => None,
        }) else {
            continue;
        };
        let Fields::Named(fields) = &model.fields else {
            return Err(format!("{name}: not a struct with named fields"));
        };
        let newtype = fields
            .named
            .iter()
            .find(|f| f.ident.as_ref().is_some_and(|i| i == "iso8601"))
            .and_then(|f| match &f.ty {
                syn::Type::Path(p) => p.path.get_ident().cloned(),
                _ => None,
            })
            .ok_or_else(|| format!("{name}: no `iso8601` field of a newtype"))?;
        let type_name = chrono.to_string().replace(' ', "");
        let doc = format!(
            " Converts from [`{}`] and back with [`to_chrono`](Self::to_chrono). Spotnana writes it {format}; \
             the SDK writes seconds and drops any fraction of one.",
            type_name.trim_start_matches("::")
        );
        model.attrs.push(syn::parse_quote!(#[doc = ""]));
        model.attrs.push(syn::parse_quote!(#[doc = #doc]));
        let ident = &model.ident;
        let read_doc = format!(" The value as a `{type_name}`, or why it does not read as one.");
        let tokens = quote! {
            impl ::std::convert::From<#chrono> for #ident {
                fn from(value: #chrono) -> Self {
                    Self { iso8601: #newtype(crate::dates::Iso8601::write(&value)) }
                }
            }
            impl #ident {
                #[doc = #read_doc]
                pub fn to_chrono(&self) -> ::std::result::Result<#chrono, ::chrono::ParseError> {
                    <#chrono as crate::dates::Iso8601>::read(self.iso8601.as_str())
                }
            }
        };
        let file: syn::File = syn::parse2(tokens).map_err(|e| format!("{name}: generated conversions: {e}"))?;
        added.extend(file.items);
    }
    let count = added.len() / 2;
    items.extend(added);
    Ok(count)
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::apply;
    use crate::contract::CHRONO_KEY;

    /// A schema tagged with a kind.
    fn tagged(kind: &str) -> Value {
        Value::Object([(CHRONO_KEY.to_string(), Value::String(kind.into()))].into_iter().collect())
    }

    fn types() -> Vec<syn::Item> {
        let module: syn::ItemMod = syn::parse_quote! {
            mod types {
                ///Date in ISO 8601 standard.
                #[derive(Clone, Debug)]
                pub struct DateModel {
                    pub iso8601: DateModelIso8601,
                }
                pub struct DateModelIso8601(::std::string::String);
                pub struct Company {
                    pub name: ::std::string::String,
                }
            }
        };
        module.content.expect("inline").1
    }

    #[test]
    fn a_tagged_model_converts_from_and_to_its_chrono_type() {
        let document = json!({ "components": { "schemas": {
            "DateModel": tagged("date"),
            "TimeLocal": tagged("time"),
            "Company": {},
        }}});
        let mut items = types();
        assert_eq!(apply(&mut items, &document), Ok(1), "TimeLocal is not generated, so not looked for");
        let text: Vec<String> = items[3..].iter().map(|i| quote::quote!(#i).to_string()).collect();
        assert!(
            text[0].starts_with("impl :: std :: convert :: From < :: chrono :: NaiveDate > for DateModel"),
            "{}",
            text[0]
        );
        assert!(text[0].contains("DateModelIso8601 (crate :: dates :: Iso8601 :: write (& value))"), "{}", text[0]);
        assert!(
            text[1].contains("pub fn to_chrono (& self) -> :: std :: result :: Result < :: chrono :: NaiveDate"),
            "{}",
            text[1]
        );
        let syn::Item::Struct(model) = &items[0] else { panic!("a struct") };
        let attrs = &model.attrs;
        let docs = quote::quote!(#(#attrs)*).to_string();
        assert!(docs.contains("YYYY-MM-DD"), "{docs}");
    }

    #[test]
    fn a_tagged_model_of_another_shape_fails_the_build_naming_it() {
        let document = json!({ "components": { "schemas": { "Company": tagged("date") } } });
        let error = apply(&mut types(), &document).expect_err("no iso8601 field");
        assert!(error.contains("Company") && error.contains("iso8601"), "{error}");
    }
}
