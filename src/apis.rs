//! The Spotnana APIs, each a cargo feature of the same name.

/// Every Spotnana API, by the name of its cargo feature. With
/// `default-features = false, features = ["company"]` only `company` is on,
/// and only its operations and models exist ([`enabled_apis`] says which).
pub const APIS: [&str; 11] = crate::contract::APIS;

/// The APIs this build compiled in, by feature name, in the order of [`APIS`].
pub fn enabled_apis() -> impl Iterator<Item = &'static str> {
    env!("SPOTNANA_ENABLED_APIS").split(',').filter(|api| !api.is_empty())
}

/// Whether this build has the operation: one of the APIs in its
/// `x-spotnana-apis` tag is enabled.
#[cfg(any(feature = "sandbox", feature = "schemars"))]
pub(crate) fn has_operation(op: &serde_json::Value) -> bool {
    let tags = op.get(crate::contract::API_TAG).and_then(serde_json::Value::as_array);
    tags.into_iter().flatten().filter_map(serde_json::Value::as_str).any(|api| enabled_apis().any(|on| on == api))
}
