//! `send()` returns [`crate::Error`]: every builder's generated `send` is
//! renamed `send_generated` and made private, and a public `send` with the
//! same documentation wraps it and sorts its error into `crate::Error`. Users
//! never meet progenitor's error, nor the internal response that carries the
//! runtime's own failures to it.
//!
//! Keyed on shape: the targets are the `builder` module's inherent methods
//! named `send` that return `Result<ResponseValue<T>, Error<E>>`. A generated
//! client that has operations but no such method fails the build.

use syn::{GenericArgument, ImplItem, Item, PathArguments, ReturnType, Type};

/// The private name the generated `send` keeps.
const GENERATED: &str = "send_generated";

/// Wraps every builder's `send` in `items` and returns how many it wrapped.
pub fn apply(items: &mut [Item], has_operations: bool) -> Result<usize, String> {
    let mut wrapped = 0;
    for item in items.iter_mut() {
        let Item::Impl(block) = item else { continue };
        if block.trait_.is_some() {
            continue;
        }
        let Some(at) = block.items.iter().position(|i| matches!(i, ImplItem::Fn(f) if f.sig.ident == "send")) else {
            continue;
        };
        let ImplItem::Fn(generated) = &mut block.items[at] else { unreachable!("found as a fn above") };
        let Some(success) = success_type(&generated.sig.output) else {
            let builder = match block.self_ty.as_ref() {
                Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default(),
                _ => String::new(),
            };
            return Err(format!(
                "builder {builder}'s send does not return Result<ResponseValue<T>, Error<E>>; check build/send.rs"
            ));
        };
        let docs: Vec<syn::Attribute> = generated.attrs.iter().filter(|a| a.path().is_ident("doc")).cloned().collect();
        generated.attrs.retain(|a| !a.path().is_ident("doc"));
        generated.sig.ident = syn::Ident::new(GENERATED, generated.sig.ident.span());
        generated.vis = syn::Visibility::Inherited;
        let inner = syn::Ident::new(GENERATED, proc_macro2::Span::call_site());
        let wrapper: ImplItem = syn::parse_quote! {
            #(#docs)*
            ///
            /// With the client's bearer token, retries and response checks.
            ///
            /// # Errors
            ///
            /// [`crate::Error`], sorted by what to do about it: `Api` for an
            /// answer with an error status (with Spotnana's `ErrorResponse`),
            /// `Auth`, `Timeout`, `Connect`, `Transport`, `Decode` and
            /// `InvalidRequest`.
            pub async fn send(self) -> ::std::result::Result<ResponseValue<#success>, crate::Error> {
                self.#inner().await.map_err(crate::Error::from)
            }
        };
        block.items.insert(at + 1, wrapper);
        wrapped += 1;
    }
    if wrapped == 0 && has_operations {
        return Err("progenitor's builders have no `send` method for build/send.rs to wrap; check the progenitor version".into());
    }
    Ok(wrapped)
}

/// `T` of a `Result<ResponseValue<T>, _>` return type.
pub fn success_type(output: &ReturnType) -> Option<Type> {
    let ReturnType::Type(_, ty) = output else { return None };
    let result = last_segment_args(ty, "Result")?;
    let GenericArgument::Type(value) = result.first()? else { return None };
    let inner = last_segment_args(value, "ResponseValue")?;
    match inner.first()? {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

fn last_segment_args<'a>(ty: &'a Type, name: &str) -> Option<Vec<&'a GenericArgument>> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    match &last.arguments {
        PathArguments::AngleBracketed(args) => Some(args.args.iter().collect()),
        _ => None,
    }
}
