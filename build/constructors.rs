//! Every way to build a client is checked: progenitor's constructors of the
//! client type (`new`, which builds its own reqwest client and unwraps the
//! result, and `new_with_client`) skip [`ClientBuilder`]'s URL checks, its
//! no-redirect policy, its timeouts and its proxy rule. `new` is removed and
//! `new_with_client` becomes `pub(crate)`, for `ClientBuilder::build` alone.
//!
//! Keyed on shape: the inherent `impl` of the type progenitor writes with the
//! `inner` field, and its associated functions that take `inner`. A client
//! without both fails the build.
//!
//! [`ClientBuilder`]: ../src/config.rs

use syn::{FnArg, ImplItem, Item, Pat, Type};

/// Applies the pass to the file's top-level items; returns how many
/// constructors it changed.
pub fn apply(items: &mut [Item]) -> Result<usize, String> {
    let mut changed = 0;
    for item in items.iter_mut() {
        let Item::Impl(block) = item else { continue };
        if block.trait_.is_some() || !matches!(block.self_ty.as_ref(), Type::Path(p) if p.path.is_ident("Client")) {
            continue;
        }
        let before = block.items.len();
        block.items.retain(|member| !matches!(member, ImplItem::Fn(f) if f.sig.ident == "new" && takes_inner(f)));
        changed += before - block.items.len();
        for member in block.items.iter_mut() {
            if let ImplItem::Fn(f) = member {
                if takes_inner(f) {
                    f.vis = syn::parse_quote!(pub(crate));
                    changed += 1;
                }
            }
        }
    }
    if changed < 2 {
        return Err("progenitor's client has no `new` and `new_with_client` taking `inner` for build/constructors.rs; check the progenitor version".into());
    }
    Ok(changed)
}

/// Whether a function has a parameter named `inner`.
fn takes_inner(function: &syn::ImplItemFn) -> bool {
    function
        .sig
        .inputs
        .iter()
        .any(|input| matches!(input, FnArg::Typed(t) if matches!(t.pat.as_ref(), Pat::Ident(i) if i.ident == "inner")))
}

#[cfg(test)]
mod tests {
    use super::apply;

    /// The client as progenitor writes it: the struct with `inner`, its two
    /// constructors, the `ClientInfo` impl and an impl of operation methods;
    /// and a trait impl whose function takes `inner`, which is not a constructor.
    fn client() -> Vec<syn::Item> {
        let file: syn::File = syn::parse_quote! {
            pub struct Client {
                pub(crate) baseurl: String,
                pub(crate) client: reqwest::Client,
                pub(crate) inner: crate::runtime::Runtime,
            }
            impl Client {
                pub fn new(baseurl: &str, inner: crate::runtime::Runtime) -> Self {
                    let client = reqwest::ClientBuilder::new();
                    Self::new_with_client(baseurl, client.build().unwrap(), inner)
                }
                pub fn new_with_client(baseurl: &str, client: reqwest::Client, inner: crate::runtime::Runtime) -> Self {
                    Self { baseurl: baseurl.to_string(), client, inner }
                }
            }
            impl ClientInfo<crate::runtime::Runtime> for Client {
                fn inner(&self) -> &crate::runtime::Runtime {
                    &self.inner
                }
            }
            impl Client {
                pub fn read_thing(&self) -> builder::ReadThing<'_> {
                    builder::ReadThing::new(self)
                }
            }
            impl From<crate::runtime::Runtime> for Client {
                fn from(inner: crate::runtime::Runtime) -> Self {
                    Self::new_with_client("https://example.com", reqwest::Client::new(), inner)
                }
            }
        };
        file.items
    }

    /// Each function of the inherent `impl Client` blocks, with its visibility.
    fn functions(items: &[syn::Item]) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for item in items {
            let syn::Item::Impl(block) = item else { continue };
            if block.trait_.is_some() {
                continue;
            }
            for member in &block.items {
                if let syn::ImplItem::Fn(f) = member {
                    let vis = &f.vis;
                    found.push((f.sig.ident.to_string(), quote::quote!(#vis).to_string()));
                }
            }
        }
        found
    }

    fn text(items: &[syn::Item]) -> String {
        quote::quote!(#(#items)*).to_string()
    }

    #[test]
    fn new_is_removed_and_new_with_client_is_for_the_crate_alone() {
        let mut items = client();
        assert_eq!(apply(&mut items), Ok(2));
        let functions = functions(&items);
        assert!(!functions.iter().any(|(name, _)| name == "new"), "{functions:?}");
        assert!(functions.contains(&("new_with_client".into(), "pub (crate)".into())), "{functions:?}");
        assert!(functions.contains(&("read_thing".into(), "pub".into())), "an operation stays public: {functions:?}");
    }

    #[test]
    fn other_items_are_left_as_they_were() {
        let mut items = client();
        let before: Vec<String> = items.iter().map(|item| quote::quote!(#item).to_string()).collect();
        apply(&mut items).expect("the client has both constructors");
        assert_eq!(items.len(), before.len());
        for at in [0, 2, 3, 4] {
            let item = &items[at];
            assert_eq!(quote::quote!(#item).to_string(), before[at], "item {at} changed");
        }
    }

    #[test]
    fn a_client_without_both_constructors_fails_the_build() {
        let mut only_one: Vec<syn::Item> = vec![syn::parse_quote! {
            impl Client {
                pub fn new_with_client(baseurl: &str, client: reqwest::Client, inner: Runtime) -> Self {
                    Self { baseurl: baseurl.to_string(), client, inner }
                }
            }
        }];
        let error = apply(&mut only_one).expect_err("no `new`");
        assert!(error.contains("build/constructors.rs"), "{error}");

        let mut without_inner: Vec<syn::Item> = vec![syn::parse_quote! {
            impl Client {
                pub fn new(baseurl: &str) -> Self { todo!() }
                pub fn new_with_client(baseurl: &str, client: reqwest::Client) -> Self { todo!() }
            }
        }];
        let before = text(&without_inner);
        assert!(apply(&mut without_inner).is_err(), "constructors that take no `inner`");
        assert_eq!(text(&without_inner), before, "functions without `inner` are not touched");

        assert!(apply(&mut []).is_err(), "no client at all");
    }

    #[test]
    fn only_the_client_type_is_keyed_on() {
        let mut items: Vec<syn::Item> = vec![syn::parse_quote! {
            impl Other {
                pub fn new(baseurl: &str, inner: Runtime) -> Self { todo!() }
                pub fn new_with_client(baseurl: &str, client: reqwest::Client, inner: Runtime) -> Self { todo!() }
            }
        }];
        let before = text(&items);
        assert!(apply(&mut items).is_err());
        assert_eq!(text(&items), before);
    }
}
