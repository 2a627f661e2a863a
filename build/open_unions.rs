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
        let untagged = e.attrs.iter().any(|a| {
            a.path().is_ident("serde") && a.parse_args::<syn::Path>().is_ok_and(|p| p.is_ident("untagged"))
        });
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
