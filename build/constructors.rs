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
    function.sig.inputs.iter().any(|input| matches!(input, FnArg::Typed(t) if matches!(t.pat.as_ref(), Pat::Ident(i) if i.ident == "inner")))
}
