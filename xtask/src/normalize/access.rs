//! Recording what each operation may do to the account (`src/access.rs`,
//! the SDK's own rule, included by path): the report lists the `POST`s that
//! only read and the operations that only add, so that the docs say exactly
//! what `spotnana mcp` offers an agent by default. Nothing in the document
//! changes.

use serde_json::Value;

use super::report::Report;
use super::HANDWRITTEN;

#[path = "../../../src/access.rs"]
mod rule;
// The rule splits names into words as the secrets rule does.
use super::secrets::secret_fields;

use rule::Access;

/// Logs every `POST` that reads and every operation that only adds.
pub fn record(doc: &Value, report: &mut Report) {
    let mut verdicts: Vec<(Access, String, String)> = Vec::new();
    for key in ["paths", HANDWRITTEN] {
        for item in doc[key].as_object().into_iter().flat_map(|paths| paths.values()) {
            for (method, op) in item.as_object().into_iter().flatten() {
                let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
                let summary = op.get("summary").and_then(Value::as_str).unwrap_or("");
                verdicts.push((Access::of(method, id, summary), method.to_uppercase(), id.to_string()));
            }
        }
    }
    let log = report.rule(
        "operation-access",
        "An agent must not book, cancel or delete unless the operator allowed exactly that. Each operation is \
         `read`, `write` (only adds) or `destructive` by the rule in `src/access.rs`: `GET` reads; `PUT`, `PATCH` \
         and `DELETE` are destructive; a `POST` whose `operationId` or summary books (`book`, `booking`, or \
         `create` beside `pnr`) or holds a verb that changes or removes (`cancel`, `modify`, `update`, `delete`, \
         `rotate`, ...) is destructive; another `POST` whose summary starts with `Get`, `List`, `Search`, `Fetch`, \
         `Returns`, `Validate`, `Verify` or `Download` reads; one that starts with `Create` or `Add` writes; \
         anything else is destructive. `spotnana mcp` offers only `read` operations unless `--allow` names more, \
         and `destructive` ones also need `--allow-writes`. Listed: the `POST`s that read and the operations that \
         write. The document is not changed.",
    );
    verdicts.sort_by(|a, b| (a.0, &a.2).cmp(&(b.0, &b.2)));
    for (access, method, id) in &verdicts {
        if (*access == Access::Read && method == "POST") || *access == Access::Write {
            log.changes.push(format!("`{id}` ({method}) is `{access}`"));
        }
    }
}
