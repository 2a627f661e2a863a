//! The Spotnana APIs, each a cargo feature of the same name.

/// Every Spotnana API, by the name of its cargo feature, with whether this
/// build compiled it in. With `default-features = false, features = ["company"]`
/// only `company` is on, and only its operations and models exist.
pub const APIS: [(&str, bool); 11] = [
    ("air", cfg!(feature = "air")),
    ("auth", cfg!(feature = "auth")),
    ("company", cfg!(feature = "company")),
    ("document", cfg!(feature = "document")),
    ("event", cfg!(feature = "event")),
    ("hotel", cfg!(feature = "hotel")),
    ("payments", cfg!(feature = "payments")),
    ("policy", cfg!(feature = "policy")),
    ("template", cfg!(feature = "template")),
    ("trip", cfg!(feature = "trip")),
    ("users", cfg!(feature = "users")),
];

/// The APIs this build compiled in, by feature name.
pub fn enabled_apis() -> impl Iterator<Item = &'static str> {
    APIS.into_iter().filter_map(|(api, on)| on.then_some(api))
}

/// Whether this build has the operation: one of the APIs in its
/// `x-spotnana-apis` tag is enabled.
#[cfg(any(feature = "sandbox", feature = "schemars"))]
pub(crate) fn has_operation(op: &serde_json::Value) -> bool {
    let tags = op.get("x-spotnana-apis").and_then(serde_json::Value::as_array);
    tags.into_iter().flatten().filter_map(serde_json::Value::as_str).any(|api| enabled_apis().any(|on| on == api))
}
