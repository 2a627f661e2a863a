//! The sandbox's stateful core: companies you create can be listed, read back,
//! updated and deleted. Ids it has never seen answer as the spec describes, so
//! every operation works without setup; deleted ids answer 404.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use serde_json::{json, Value};

use super::error_body;
use super::spec::{Answer, Spec};

#[derive(Default)]
pub(super) struct Companies {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Created companies by id, in creation order of their ids' insertion.
    stored: BTreeMap<String, (u64, Value)>,
    deleted: HashSet<String>,
    serial: u64,
}

impl Companies {
    /// Answers a company operation, or `None` for every other operation.
    pub(super) fn handle(
        &self,
        spec: &Spec,
        operation: &str,
        params: &HashMap<String, String>,
        query: &HashMap<String, String>,
        body: Option<&Value>,
    ) -> Option<Answer> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let id = params.get("companyId").cloned();
        let answer = |status, body| Some(Answer { status, body });
        match (operation, id) {
            ("createCompany", _) => {
                let id = uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid().to_string();
                let mut company = spec.instance_of("Company");
                merge(&mut company, body.cloned().unwrap_or(json!({})));
                company["id"] = json!({ "id": id });
                inner.serial += 1;
                let serial = inner.serial;
                inner.stored.insert(id.clone(), (serial, company));
                answer(201, Some(json!({ "id": id })))
            }
            ("listCompanies", _) => {
                let mut companies: Vec<&(u64, Value)> = inner.stored.values().collect();
                companies.sort_by_key(|(serial, _)| *serial);
                // Paged as the spec says: `offset` (default 0), `limit` (default and at most 100).
                let number = |name: &str, default: usize| query.get(name).and_then(|v| v.parse::<usize>().ok()).unwrap_or(default);
                let (offset, limit) = (number("offset", 0), number("limit", 100).min(100));
                let total = companies.len();
                let elements: Vec<Value> = companies
                    .iter()
                    .skip(offset)
                    .take(limit)
                    .map(|(_, c)| json!({ "id": c["id"]["id"], "name": c["name"] }))
                    .collect();
                answer(200, Some(json!({ "length": elements.len(), "totalNumResults": total, "elements": elements })))
            }
            (_, Some(id)) if inner.deleted.contains(&id) && operation.ends_with("Company") => {
                answer(404, Some(error_body("COMPANY_NOT_FOUND", "no company with this id", Some(&id))))
            }
            ("readCompany", Some(id)) => match inner.stored.get(&id) {
                Some((_, company)) => answer(200, Some(company.clone())),
                None if uuid::Uuid::parse_str(&id).is_ok() => {
                    let mut company = spec.instance_of("Company");
                    company["id"] = json!({ "id": id });
                    answer(200, Some(company))
                }
                None => answer(404, Some(error_body("COMPANY_NOT_FOUND", "company ids are UUIDs", Some(&id)))),
            },
            ("updateCompany", Some(id)) => {
                if let (Some((_, company)), Some(update)) = (inner.stored.get_mut(&id), body) {
                    merge(company, update.clone());
                }
                answer(204, None)
            }
            ("deleteCompany", Some(id)) => {
                inner.stored.remove(&id);
                inner.deleted.insert(id);
                answer(204, None)
            }
            _ => None,
        }
    }
}

/// Overlays the fields of `update` on `target`.
fn merge(target: &mut Value, update: Value) {
    if let (Some(t), Value::Object(u)) = (target.as_object_mut(), update) {
        for (k, v) in u {
            t.insert(k, v);
        }
    }
}
