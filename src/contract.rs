//! What the normaliser (`xtask`), the build (`build.rs`) and the runtime
//! agree on, defined once: the APIs, the extension keys the normaliser
//! writes into `openapi/spotnana.json`, the HTTP methods of a path item,
//! and how a spec name becomes a Rust name.
//!
//! The three include this file (`#[path]`); nothing else spells these
//! strings (`tests/dependencies.rs` checks).

/// The Spotnana APIs, each a cargo feature of the same name and one
/// document under `openapi/upstream/`.
pub const APIS: [&str; 11] =
    ["air", "auth", "company", "document", "event", "hotel", "payments", "policy", "template", "trip", "users"];

/// On an operation or component schema: the APIs that publish it or reach it.
pub const API_TAG: &str = "x-spotnana-apis";

/// On a component schema every build keeps, whatever its APIs (the error
/// answers the hand-written runtime decodes).
pub const SHARED_TAG: &str = "x-spotnana-shared";

/// On a list operation: how it pages (its keys are documented in
/// `xtask/src/normalize/pagination.rs`).
pub const PAGINATION_TAG: &str = "x-spotnana-pagination";

/// At the document's top level: the operations the SDK writes by hand
/// (multipart uploads), described as the generated ones are.
pub const HANDWRITTEN_KEY: &str = "x-spotnana-handwritten";

/// On an object schema: the optional fields whose absence and `null` both
/// mean unset.
pub const NULL_WHEN_UNSET_KEY: &str = "x-spotnana-null-when-unset";

/// On a schema whose `oneOf` branches were merged: exactly one of these
/// properties is set.
pub const EXACTLY_ONE_OF_KEY: &str = "x-spotnana-exactly-one-of";

/// The keys of a path item that are operations.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// A name in the PascalCase that typify and progenitor give Rust types and
/// operation builders.
///
/// Words break at non-alphanumeric characters, at a lower-to-upper change,
/// and before the last capital of an acronym that starts a new word
/// (`LLFInfo` is `Llf` + `Info`). Each word keeps its first letter
/// upper-cased, the rest lower.
pub fn pascal(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let mut cs = w.chars();
            let first = cs.next().map(|c| c.to_uppercase().collect::<String>());
            first.unwrap_or_default() + &cs.as_str().to_lowercase()
        })
        .collect()
}

/// A name in the snake_case progenitor gives methods, fields and setters.
pub fn snake(name: &str) -> String {
    words(name).iter().map(|w| w.to_lowercase()).collect::<Vec<_>>().join("_")
}

/// Splits a name into words (see [`pascal`]).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if !cur.is_empty() && c.is_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_numeric() || (prev.is_uppercase() && next_lower) {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::{pascal, snake};

    #[test]
    fn names_convert_as_typify_and_progenitor_write_them() {
        assert_eq!(pascal("LLFInfo"), "LlfInfo");
        assert_eq!(pascal("type"), "Type");
        assert_eq!(pascal("reason_code"), "ReasonCode");
        assert_eq!(pascal("fetchAirFareRules"), "FetchAirFareRules");
        assert_eq!(pascal("DirectBilling2"), "DirectBilling2");
        assert_eq!(pascal("getEventByExternalID"), "GetEventByExternalId");
        assert_eq!(snake("pageNumber"), "page_number");
        assert_eq!(snake("externalID"), "external_id");
        assert_eq!(snake("tripId"), "trip_id");
    }
}
