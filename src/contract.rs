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

/// On an object schema of one ISO 8601 string (`iso8601`): which `chrono`
/// type it holds (`date`, `date-time-local`, `date-time-offset`, `time`).
pub const CHRONO_KEY: &str = "x-spotnana-chrono";

/// On a schema whose `oneOf` branches were merged: exactly one of these
/// properties is set.
pub const EXACTLY_ONE_OF_KEY: &str = "x-spotnana-exactly-one-of";

/// The `x-spotnana-pagination` tag of a list operation, typed: what the
/// normaliser writes ([`Pagination::to_value`]) and what the build and the
/// sandbox read ([`Pagination::from_tag`]). Positions are query parameter
/// names (`in` = `query`) or JSON pointers into the body or the answer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pagination {
    /// `offset`, `page` or `token`.
    pub style: Option<String>,
    /// Where the position goes: `query` or `body`.
    pub location: Option<String>,
    /// The position's parameter or body pointer.
    pub start: Option<String>,
    /// The page size's parameter or body pointer.
    pub size: Option<String>,
    /// The spec's default page size.
    pub default_size: Option<i64>,
    /// The answer's list of items.
    pub items: Option<String>,
    /// The answer's other lists, kept in each page but not streamed.
    pub other_arrays: Vec<String>,
    /// The answer's count of the whole list.
    pub total: Option<String>,
    /// The answer's next-page token.
    pub next_token: Option<String>,
    /// The fixed fields of the request branch that asks for a token's page.
    pub token_request: Option<serde_json::Value>,
    /// The field of that branch that holds the token.
    pub token_field: Option<String>,
}

impl Pagination {
    /// Reads a tag; a key that is missing or of another type is `None`.
    pub fn from_tag(tag: &serde_json::Value) -> Self {
        let text = |key: &str| tag.get(key).and_then(serde_json::Value::as_str).map(str::to_string);
        let others = tag.get("otherArrays").and_then(serde_json::Value::as_array);
        Pagination {
            style: text("style"),
            location: text("in"),
            start: text("start"),
            size: text("size"),
            default_size: tag.get("defaultSize").and_then(serde_json::Value::as_i64),
            items: text("items"),
            other_arrays: others.into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            total: text("total"),
            next_token: text("nextToken"),
            token_request: tag.get("tokenRequest").cloned(),
            token_field: text("tokenField"),
        }
    }

    /// The tag as the spec holds it.
    pub fn to_value(&self) -> serde_json::Value {
        let mut tag = serde_json::Map::new();
        let mut put = |key: &str, value: Option<serde_json::Value>| {
            if let Some(value) = value {
                tag.insert(key.to_string(), value);
            }
        };
        put("style", self.style.clone().map(Into::into));
        put("in", self.location.clone().map(Into::into));
        put("start", self.start.clone().map(Into::into));
        put("size", self.size.clone().map(Into::into));
        put("defaultSize", self.default_size.map(Into::into));
        put("items", self.items.clone().map(Into::into));
        put("otherArrays", (!self.other_arrays.is_empty()).then(|| self.other_arrays.clone().into()));
        put("total", self.total.clone().map(Into::into));
        put("nextToken", self.next_token.clone().map(Into::into));
        put("tokenRequest", self.token_request.clone());
        put("tokenField", self.token_field.clone().map(Into::into));
        serde_json::Value::Object(tag)
    }

    /// Whether the position goes in the query.
    pub fn in_query(&self) -> bool {
        self.location.as_deref() == Some("query")
    }
}

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
    use super::{pascal, snake, Pagination};

    #[test]
    fn a_pagination_tag_reads_back_what_it_wrote() {
        let tag = Pagination {
            style: Some("offset".into()),
            location: Some("body".into()),
            start: Some("/paginationParams/offset".into()),
            size: Some("/paginationParams/limit".into()),
            default_size: Some(50),
            items: Some("/events".into()),
            other_arrays: vec!["/failed".into()],
            total: Some("/paginationParams/totalNumResults".into()),
            ..Default::default()
        };
        let value = tag.to_value();
        assert_eq!(value["in"], "body");
        assert_eq!(value["defaultSize"], 50);
        assert!(value.get("nextToken").is_none(), "an unset key is absent");
        assert_eq!(Pagination::from_tag(&value), tag);
        assert!(!tag.in_query());
    }

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
