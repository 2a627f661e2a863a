//! Request bodies for the generated every-operation calls: the minimal bodies
//! the sandbox module builds from the spec, with per-operation overrides.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde_json::Value;

/// What the generated calls in `tests/every_operation/calls.rs` ask for.
#[derive(Default)]
pub struct Inputs {
    /// Bodies to use instead of the synthesised ones, by operation id.
    pub overrides: HashMap<String, Value>,
}

impl Inputs {
    fn example(&self, operation_id: &str) -> Result<Value, String> {
        self.overrides
            .get(operation_id)
            .cloned()
            .or_else(|| spotnana::sandbox::example_request(operation_id))
            .ok_or(format!("{operation_id} takes no body"))
    }

    /// A body for the operation, typed. Decoded as stored JSON should be,
    /// with `spotnana::from_slice`: a plain decode of the largest request
    /// models (`PnrData`) overflows a tokio worker's stack in a debug build.
    pub fn body<T: DeserializeOwned>(&self, operation_id: &str) -> Result<T, String> {
        let body = self.example(operation_id)?;
        spotnana::from_slice(body.to_string().as_bytes())
            .map_err(|e| format!("{operation_id}: example {body} does not decode: {e}"))
    }

    /// One property of a multipart body, typed.
    pub fn value<T: DeserializeOwned>(&self, operation_id: &str, property: &str) -> Result<T, String> {
        let body = self.example(operation_id)?;
        serde_json::from_value(body[property].clone()).map_err(|e| format!("{operation_id}.{property}: {e}"))
    }
}

/// The external ids the generated calls look up (`getEventByExternalID`,
/// `getEventTemplateByExternalID`, `getPnrByExternalId`): the create that
/// makes each, where its body holds the external id, the value, and the
/// lookup that finds it.
/// A lookup finds only what was created, so the every-operation runs create
/// these first; the values are the ones `cargo xtask regen` gave the lookups.
const LOOKED_UP: [(&str, &str, &str, &str); 3] = [
    ("createEvent", "/externalId", "00000000-0000-4000-8000-000000000102", "getEventByExternalID"),
    ("createEventTemplate", "/externalId", "00000000-0000-4000-8000-000000000153", "getEventTemplateByExternalID"),
    ("createPnrV3", "/externalInfo/externalPnrId", "00000000-0000-4000-8000-000000000183", "getPnrByExternalId"),
];

impl Inputs {
    /// Gives the creates of [`LOOKED_UP`] bodies with those external ids, and
    /// returns the creates to call before the lookups.
    pub fn seed_lookups(&mut self) -> Vec<&'static str> {
        let mut creates = Vec::new();
        for (create, at, value, _) in LOOKED_UP {
            let Some(mut body) = spotnana::sandbox::example_request(create) else { continue };
            let (outer, field) = at.rsplit_once('/').unwrap_or(("", at));
            let parent = if outer.is_empty() { &mut body } else { &mut body[&outer[1..]] };
            if !parent.is_object() {
                *parent = Value::Object(Default::default());
            }
            parent[field] = Value::String(value.to_string());
            self.overrides.insert(create.to_string(), body);
            creates.push(create);
        }
        creates
    }

    /// The body a seeding create sends, when [`seed_lookups`](Self::seed_lookups) set one.
    pub fn seeded_body(&self, create: &str) -> Option<&Value> {
        self.overrides.get(create)
    }

    /// The external id a lookup of [`LOOKED_UP`] finds, once seeded.
    pub fn looked_up(lookup: &str) -> Option<&'static str> {
        LOOKED_UP.iter().find(|(.., op)| *op == lookup).map(|(_, _, value, _)| *value)
    }
}
