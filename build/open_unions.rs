//! Open unions: every `oneOf`/`anyOf` that typify makes an untagged enum gains
//! a last variant, `Unrecognized(serde_json::Value)`, so that a value matching
//! none of the spec's branches is kept as raw JSON instead of failing the
//! whole response. serde tries an untagged enum's variants in order, so the
//! catch-all only takes what every branch refused.
//!
//! Keyed on shape: the targets are the `types` module's enums marked
//! `#[serde(untagged)]`. An enum that already has a variant of the new name
//! fails the build.

use syn::{Ident, Item};

use super::open_enums::VARIANT;

/// Opens every untagged enum of `items` and returns how many it opened.
pub fn apply(items: &mut [Item]) -> Result<usize, String> {
    let variant = Ident::new(VARIANT, proc_macro2::Span::call_site());
    let mut opened = 0;
    for item in items.iter_mut() {
        let Item::Enum(e) = item else { continue };
        let untagged = e
            .attrs
            .iter()
            .any(|a| a.path().is_ident("serde") && a.parse_args::<syn::Path>().is_ok_and(|p| p.is_ident("untagged")));
        if !untagged {
            continue;
        }
        if e.variants.iter().any(|v| v.ident == VARIANT) {
            return Err(format!("union {} already has a variant {VARIANT}; open_unions needs another name", e.ident));
        }
        e.variants.push(syn::parse_quote! {
            /// A value that matches none of the shapes the spec describes,
            /// kept as the JSON Spotnana sent.
            #variant(::serde_json::Value)
        });
        opened += 1;
    }
    Ok(opened)
}

#[cfg(test)]
mod tests {
    use super::apply;

    fn items(module: syn::ItemMod) -> Vec<syn::Item> {
        module.content.expect("a module with items").1
    }

    fn text(items: &[syn::Item]) -> String {
        quote::quote!(#(#items)*).to_string()
    }

    fn the_enum<'a>(items: &'a [syn::Item], name: &str) -> &'a syn::ItemEnum {
        items
            .iter()
            .find_map(|item| match item {
                syn::Item::Enum(e) if e.ident == name => Some(e),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no enum {name}"))
    }

    fn variants(items: &[syn::Item], name: &str) -> Vec<String> {
        the_enum(items, name).variants.iter().map(|v| v.ident.to_string()).collect()
    }

    /// Two `oneOf`s as typify writes them, one with a `From` impl beside it.
    fn unions() -> Vec<syn::Item> {
        items(syn::parse_quote! {
            mod types {
                ///Additional data need to be sent along with the custom field response.
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, schemars::JsonSchema)]
                #[serde(untagged)]
                pub enum AdditionalInfo {
                    Variable(Variable),
                    Expression(Expression),
                }
                impl ::std::convert::From<Variable> for AdditionalInfo {
                    fn from(value: Variable) -> Self {
                        Self::Variable(value)
                    }
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                #[serde(untagged)]
                pub enum Amount {
                    Number(f64),
                    Text(::std::string::String),
                }
            }
        })
    }

    #[test]
    fn an_untagged_enum_gains_a_last_variant_that_keeps_raw_json() {
        let mut items = unions();
        assert_eq!(apply(&mut items), Ok(2));
        assert_eq!(variants(&items, "AdditionalInfo"), ["Variable", "Expression", "Unrecognized"]);
        assert_eq!(variants(&items, "Amount"), ["Number", "Text", "Unrecognized"]);
        let last = the_enum(&items, "AdditionalInfo").variants.last().unwrap();
        let fields = &last.fields;
        assert_eq!(quote::quote!(#fields).to_string(), quote::quote!((::serde_json::Value)).to_string());
        // Only documentation: no serde attribute moves it from last, where
        // serde tries it after every branch.
        assert!(last.attrs.iter().all(|a| a.path().is_ident("doc")), "{}", quote::quote!(#last));
        assert!(text(&items).contains("impl :: std :: convert :: From < Variable > for AdditionalInfo"));
    }

    #[test]
    fn enums_that_are_not_untagged_are_left_as_they_are() {
        // An internally tagged enum, an externally tagged one, and a string
        // enum as open_enums leaves it (its catch-all is untagged, the enum
        // is not), which is why this pass runs after open_enums.
        let mut items = items(syn::parse_quote! {
            mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                #[serde(tag = "type")]
                pub enum Pet {
                    #[serde(rename = "CAT")]
                    Cat(Cat),
                    #[serde(rename = "DOG")]
                    Dog(Dog),
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub enum Shape {
                    Circle { radius: f64 },
                    Square(f64),
                }
                #[derive(::serde::Serialize, Clone, Debug)]
                pub enum TravelType {
                    #[serde(rename = "AIR")]
                    Air,
                    #[serde(untagged)]
                    Unrecognized(::std::string::String),
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Trip {
                    pub info: AdditionalInfo,
                }
            }
        });
        let before = text(&items);
        assert_eq!(apply(&mut items), Ok(0));
        assert_eq!(text(&items), before);
    }

    #[test]
    fn after_open_enums_each_enum_has_one_catch_all_of_its_kind() {
        let mut items = unions();
        items.extend(self::items(syn::parse_quote! {
            mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
                pub enum TravelType {
                    #[serde(rename = "AIR")]
                    Air,
                }
                impl ::std::fmt::Display for TravelType {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        match *self {
                            Self::Air => f.write_str("AIR"),
                        }
                    }
                }
                impl ::std::str::FromStr for TravelType {
                    type Err = self::error::ConversionError;
                    fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                        match value {
                            "AIR" => Ok(Self::Air),
                            _ => Err("invalid value".into()),
                        }
                    }
                }
            }
        }));
        assert_eq!(super::super::open_enums::apply(&mut items), Ok(1));
        assert_eq!(apply(&mut items), Ok(2), "the string enum is not taken for a union");
        assert_eq!(variants(&items, "TravelType"), ["Air", "Unrecognized"]);
        let string = &the_enum(&items, "TravelType").variants.last().unwrap().fields;
        assert_eq!(quote::quote!(#string).to_string(), quote::quote!((::std::string::String)).to_string());
        assert_eq!(variants(&items, "Amount"), ["Number", "Text", "Unrecognized"]);
    }

    #[test]
    fn an_untagged_enum_with_a_variant_of_the_catch_all_s_name_fails_naming_it() {
        let mut items = items(syn::parse_quote! {
            mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                #[serde(untagged)]
                pub enum Choice {
                    Known(Known),
                    Unrecognized(Other),
                }
            }
        });
        assert_eq!(
            apply(&mut items),
            Err("union Choice already has a variant Unrecognized; open_unions needs another name".into())
        );
    }
}
