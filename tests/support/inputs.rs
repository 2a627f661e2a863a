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
