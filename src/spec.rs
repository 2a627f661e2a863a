//! The normalised spec the client is generated from, embedded once for the
//! parts that read it at run time (the sandbox, the operation list).

use serde_json::Value;

/// `openapi/spotnana.json`, as `cargo xtask regen` wrote it.
pub(crate) const SPEC: &str = include_str!("../openapi/spotnana.json");

/// The operations this build has, generated and hand-written, in document
/// order: `(path, method, operation)`. Operations of APIs whose cargo feature
/// is off are left out.
pub(crate) fn operations(doc: &Value) -> impl Iterator<Item = (&str, &str, &Value)> {
    ["paths", crate::contract::HANDWRITTEN_KEY].into_iter().flat_map(move |key| {
        doc[key].as_object().into_iter().flatten().flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flatten()
                .filter(|(_, op)| op.get("operationId").is_some() && crate::apis::has_operation(op))
                .map(move |(method, op)| (path.as_str(), method.as_str(), op))
        })
    })
}
