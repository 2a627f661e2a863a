//! Every resource family keeps state in the sandbox: create, read back what
//! was sent, find it in each list by each filter the spec offers, update and
//! read again, delete and get a typed 404. Requests go over HTTP with a token
//! from the sandbox's own token endpoint; answers decode into the typed models.

use serde_json::{json, Value};
use spotnana::sandbox::Sandbox;
use spotnana::types;

use super::support;

type Decode = fn(&[u8]) -> Result<(), String>;

macro_rules! decode {
    ($t:ty) => {
        (|bytes: &[u8]| spotnana::from_slice::<$t>(bytes).map(|_| ()).map_err(|e| e.to_string())) as Decode
    };
}

/// One family, as the spec describes it.
struct Case {
    create: &'static str,
    /// A string field of the body that reads back, with where the read
    /// answer (or a list item) carries it.
    marker: (&'static str, &'static str),
    /// Where the create's answer carries the new id; `None` when it has no body.
    created_id: Option<&'static str>,
    read: Option<(&'static str, Decode)>,
    /// A list, its items array, where an item has the id, and its answer's type.
    list: Option<(&'static str, &'static str, &'static str, Decode)>,
    /// Query parameters of the list that filter, with where the body holds each.
    filters: &'static [(&'static str, &'static str)],
    update: Option<&'static str>,
    delete: Option<&'static str>,
    /// Objects of the body to fill with an example of a model first, so
    /// that the filters set inside them leave the body valid.
    models: &'static [(&'static str, &'static str)],
}

const EXTERNAL_ID: &[(&str, &str)] = &[("externalId", "/externalId")];

const CASES: &[Case] = &[
    Case {
        create: "createCompany",
        marker: ("/name", "/name"),
        created_id: Some("/id"),
        read: Some(("readCompany", decode!(types::Company))),
        list: Some(("listCompanies", "/elements", "/id", decode!(types::ArrayOfReference))),
        filters: EXTERNAL_ID,
        update: Some("updateCompany"),
        delete: Some("deleteCompany"),
        models: &[],
    },
    Case {
        create: "createLegalEntity",
        marker: ("/name", "/name"),
        created_id: Some("/id"),
        read: Some(("getLegalEntity", decode!(types::LegalEntity))),
        list: Some(("listLegalEntities", "/elements", "/id", decode!(types::ArrayOfReference))),
        filters: EXTERNAL_ID,
        update: Some("updateLegalEntity"),
        delete: Some("deleteLegalEntity"),
        models: &[],
    },
    Case {
        create: "createCostCenter",
        marker: ("/name", "/name"),
        created_id: Some("/id"),
        read: Some(("getCostCenter", decode!(types::CostCenter))),
        list: Some(("listCostCenters", "/elements", "/id", decode!(types::ArrayOfReference))),
        filters: EXTERNAL_ID,
        update: Some("updateCostCenter"),
        delete: Some("deleteCostCenter"),
        models: &[],
    },
    Case {
        create: "createOffice",
        marker: ("/name", "/name"),
        created_id: Some("/id"),
        read: Some(("getOffice", decode!(types::OfficeV2))),
        list: Some(("listLegalEntityOffices", "/elements", "/id", decode!(types::ArrayOfReference))),
        filters: EXTERNAL_ID,
        update: Some("updateOffice"),
        delete: Some("deleteOffice"),
        models: &[],
    },
    Case {
        create: "createDepartment",
        marker: ("/name", "/name"),
        created_id: Some("/id"),
        read: Some(("getDepartment", decode!(types::DepartmentV2))),
        list: Some(("listDepartments", "/elements", "/id", decode!(types::ArrayOfReference))),
        filters: EXTERNAL_ID,
        update: Some("updateDepartment"),
        delete: Some("deleteDepartment"),
        models: &[],
    },
    Case {
        create: "createGrade",
        marker: ("/name", "/name"),
        created_id: Some("/id"),
        read: Some(("getGrade", decode!(types::GradeV2))),
        list: Some(("listGrades", "/grades", "/id", decode!(types::ListGradesResponse))),
        filters: &[],
        update: Some("updateGrade"),
        delete: Some("deleteGrade"),
        models: &[],
    },
    Case {
        create: "createPolicy",
        marker: ("/name", "/name"),
        created_id: Some("/id"),
        read: Some(("readPolicy", decode!(types::Policy))),
        list: Some(("listPolicies", "/elements", "/id", decode!(types::ArrayOfReference))),
        filters: &[],
        update: Some("updatePolicy"),
        delete: Some("deletePolicy"),
        models: &[],
    },
    Case {
        create: "createCompanyQuestion",
        marker: ("/name", "/name"),
        created_id: Some("/id"),
        read: Some(("getCompanyQuestion", decode!(types::Question))),
        list: Some(("getCompanyQuestions", "/elements", "/id", decode!(types::ArrayOfReference))),
        filters: &[],
        update: Some("updateCompanyQuestion"),
        delete: Some("deleteCompanyQuestion"),
        models: &[],
    },
    Case {
        create: "addPartnerPublicKey",
        marker: ("", ""),
        created_id: Some("/keys/0/kid"),
        read: None,
        list: Some(("listPartnerPublicKeys", "/keys", "/kid", decode!(types::ListPartnerPublicKeysResponse))),
        filters: &[],
        update: None,
        delete: Some("revokePartnerPublicKey"),
        models: &[],
    },
    Case {
        create: "createEvent",
        marker: ("/name", "/event/name"),
        created_id: Some("/id"),
        read: Some(("getEvent", decode!(types::GetEventResponse))),
        list: Some(("listEvents", "/events", "/id", decode!(types::ListEventsResponse))),
        filters: &[],
        update: None,
        delete: Some("deleteEvent"),
        models: &[],
    },
    Case {
        create: "createEventTemplate",
        marker: ("/name", "/eventTemplate/name"),
        created_id: Some("/id"),
        read: Some(("getEventTemplate", decode!(types::GetEventTemplateResponse))),
        list: Some(("listEventTemplates", "/eventTemplates", "/id", decode!(types::ListEventTemplatesResponse))),
        filters: &[],
        update: None,
        delete: Some("deleteEventTemplate"),
        models: &[],
    },
    Case {
        create: "createPersonalPaymentSource",
        marker: ("", ""),
        created_id: Some("/id"),
        read: Some(("getPersonalPaymentSource", decode!(types::GetPaymentSourceResponseV2))),
        list: Some(("listUserPaymentSources", "/paymentSourceInfos", "/id", decode!(types::ListPaymentSourceResponse))),
        filters: &[],
        update: Some("updatePersonalPaymentSource"),
        delete: Some("deletePersonalPaymentSource"),
        models: &[],
    },
    Case {
        create: "createTrip",
        marker: ("/tripName", "/tripName"),
        created_id: Some("/id"),
        read: Some(("readTrip", decode!(types::BasicTripInfo))),
        list: None,
        filters: &[],
        update: Some("updateTrip"),
        delete: Some("deleteTrip"),
        models: &[],
    },
    Case {
        create: "createPnrV3",
        marker: ("/dkNumber", "/dkNumber"),
        created_id: Some("/id"),
        read: Some(("getPnrV3", decode!(types::PnrData))),
        list: None,
        filters: &[],
        update: Some("updatePnrV3"),
        delete: None,
        models: &[],
    },
    Case {
        create: "createAgentNote",
        marker: ("/note", "/note"),
        created_id: None,
        read: None,
        list: Some(("listAgentNotes", "/agentNotes", "/noteId/id", decode!(types::ListAgentNotesResponse))),
        filters: &[],
        update: None,
        delete: Some("deleteAgentNote"),
        models: &[],
    },
    Case {
        create: "createUser",
        marker: ("/externalId", "/externalId"),
        created_id: Some("/id"),
        read: Some(("getUserInfo", decode!(types::UserProfile))),
        list: Some(("queryUser", "/elements", "/id", decode!(types::UserSummaryList))),
        filters: &[
            ("externalId", "/externalId"),
            ("email", "/personalInfo/email"),
            ("employeeId", "/businessInfo/employeeId"),
        ],
        update: Some("updateUser"),
        delete: Some("deleteUser"),
        models: &[("businessInfo", "BusinessInfo")],
    },
    Case {
        create: "addFavorite",
        marker: ("/displayName", "/favorite/displayName"),
        created_id: Some("/favorite/favoriteId"),
        read: None,
        list: Some(("listFavorites", "/favorites", "/favorite/favoriteId", decode!(types::ListFavoritesResponse))),
        filters: &[],
        update: None,
        delete: Some("removeFavorite"),
        models: &[],
    },
];

/// Parent resources every family is created under.
const PARENTS: &[(&str, &str)] = &[
    ("companyId", "00000000-0000-4000-8000-00000000c001"),
    ("legalEntityId", "00000000-0000-4000-8000-00000000e001"),
    ("userId", "00000000-0000-4000-8000-00000000a001"),
    ("tripId", "4000000001"),
];

struct Http {
    client: reqwest::Client,
    base: String,
    token: String,
    doc: Value,
}

impl Http {
    async fn new(sandbox: &Sandbox) -> Http {
        let client = support::bare_reqwest().build().unwrap();
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", sandbox.client_id()),
            ("client_secret", sandbox.client_secret()),
        ];
        let token: Value = client
            .post(format!("{}{}", sandbox.base_url(), spotnana::TOKEN_PATH))
            .form(&form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Http {
            client,
            base: sandbox.base_url(),
            token: token["access_token"].as_str().unwrap().to_string(),
            doc: support::spec(),
        }
    }

    /// Calls `operation` with the parents, `id` as its own path parameter,
    /// `query` and `body`; returns the status and the body's bytes.
    async fn call(
        &self,
        operation: &str,
        id: Option<&str>,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> (u16, Vec<u8>) {
        let op = support::operations(&self.doc)
            .into_iter()
            .find(|o| o.id == operation)
            .unwrap_or_else(|| panic!("{operation} is in the spec"));
        let mut path = op.path.clone();
        // The id goes in the path's last parameter; parents fill the others.
        let last = op
            .path
            .rsplit('/')
            .next()
            .and_then(|s| s.strip_prefix('{'))
            .and_then(|s| s.strip_suffix('}'))
            .map(str::to_string);
        for param in op.op["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "path") {
            let name = param["name"].as_str().unwrap();
            let own = id.filter(|_| last.as_deref() == Some(name));
            let value = own
                .or(PARENTS.iter().find(|(p, _)| *p == name).map(|(_, v)| *v))
                .unwrap_or_else(|| panic!("{operation}: a value for {name}"));
            path = path.replace(&format!("{{{name}}}"), value);
        }
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).unwrap();
        let mut request =
            self.client.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token).query(query);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.bytes().await.unwrap().to_vec())
    }
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

fn set(body: &mut Value, pointer: &str, value: &str) {
    let mut at = body;
    for step in pointer.split('/').skip(1) {
        if !at.is_object() {
            *at = json!({});
        }
        at = at.as_object_mut().unwrap().entry(step).or_insert(Value::Null);
    }
    *at = json!(value);
}

/// The ids at `id_at` of the items of a list answer.
fn ids(answer: &Value, items: &str, id_at: &str) -> Vec<String> {
    answer
        .pointer(items)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| i.pointer(id_at)?.as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn every_resource_family_keeps_what_you_create() {
    let sandbox = Sandbox::start().await.unwrap();
    let http = Http::new(&sandbox).await;
    let mut failures = Vec::new();
    for case in CASES {
        if let Err(e) = family(&sandbox, &http, case).await {
            failures.push(format!("{}: {e}", case.create));
        }
    }
    assert_eq!(CASES.len(), 17, "the issue counts seventeen families");
    assert!(failures.is_empty(), "{} families failed:\n{}", failures.len(), failures.join("\n"));
}

async fn family(sandbox: &Sandbox, http: &Http, case: &Case) -> Result<(), String> {
    let mut body = sandbox.example_request(case.create).ok_or("the create takes a body")?;
    let tag = filter_value(case, "", case.marker.0);
    if !case.marker.0.is_empty() {
        set(&mut body, case.marker.0, &tag);
    }
    for (field, model) in case.models {
        body[*field] =
            spotnana::sandbox::example_model(model, spotnana::sandbox::Responses::Minimal).ok_or("no such model")?;
    }
    for (param, at) in case.filters {
        set(&mut body, at, &filter_value(case, param, at));
    }
    let (status, created) = http.call(case.create, None, &[], Some(&body)).await;
    if !(200..300).contains(&status) {
        return Err(format!("create answered {status}: {}", String::from_utf8_lossy(&created)));
    }
    let list_ids = |answer: &Value| case.list.map(|(_, items, id_at, _)| ids(answer, items, id_at)).unwrap_or_default();
    let id = match case.created_id {
        Some(at) => json(&created)
            .pointer(at)
            .and_then(Value::as_str)
            .ok_or(format!("no id at {at} in {}", String::from_utf8_lossy(&created)))?
            .to_string(),
        None => {
            let (list, _, _, _) = case.list.ok_or("no id and no list")?;
            let (_, answer) = http.call(list, None, &[], sandbox.example_request(list).as_ref()).await;
            list_ids(&json(&answer))
                .pop()
                .ok_or(format!("{list} does not have what was created: {}", String::from_utf8_lossy(&answer)))?
        }
    };

    read_back(http, case, &id, &tag).await?;

    if let Some((list, items, id_at, decode)) = case.list {
        let list_body = sandbox.example_request(list);
        let (status, answer) = http.call(list, None, &[], list_body.as_ref()).await;
        decode(&answer).map_err(|e| format!("{list} ({status}) does not decode: {e}"))?;
        if !ids(&json(&answer), items, id_at).contains(&id) {
            return Err(format!("{list} does not list {id}: {}", String::from_utf8_lossy(&answer)));
        }
        for (param, at) in case.filters {
            let value = filter_value(case, param, at);
            let (_, found) = http.call(list, None, &[(param, &value)], list_body.as_ref()).await;
            let (_, missed) = http.call(list, None, &[(param, "no-such-value")], list_body.as_ref()).await;
            if ids(&json(&found), items, id_at) != [id.clone()] || !ids(&json(&missed), items, id_at).is_empty() {
                return Err(format!(
                    "{list}?{param}= does not filter: {} / {}",
                    String::from_utf8_lossy(&found),
                    String::from_utf8_lossy(&missed)
                ));
            }
        }
    }

    if let Some(update) = case.update {
        let mut change = sandbox.example_request(update).unwrap_or(json!({}));
        let renamed = format!("{}-second", case.create);
        if !case.marker.0.is_empty() {
            set(&mut change, case.marker.0, &renamed);
        }
        let (status, answer) = http.call(update, Some(&id), &[], Some(&change)).await;
        if !(200..300).contains(&status) {
            return Err(format!("{update} answered {status}: {}", String::from_utf8_lossy(&answer)));
        }
        read_back(http, case, &id, &renamed).await?;
    }

    if let Some(delete) = case.delete {
        let (status, _) = http.call(delete, Some(&id), &[], sandbox.example_request(delete).as_ref()).await;
        if !(200..300).contains(&status) {
            return Err(format!("{delete} answered {status}"));
        }
        if let Some((op, _)) = case.read {
            let (status, answer) = http.call(op, Some(&id), &[], None).await;
            let error: types::ErrorResponse =
                spotnana::from_slice(&answer).map_err(|e| format!("the 404 is no ErrorResponse: {e}"))?;
            if status != 404 || error.error_messages.is_empty() {
                return Err(format!("{op} after {delete} answered {status} {error:?}"));
            }
        }
        if let Some((list, _, _, _)) = case.list {
            let (_, answer) = http.call(list, None, &[], sandbox.example_request(list).as_ref()).await;
            if list_ids(&json(&answer)).contains(&id) {
                return Err(format!("{list} still lists {id} after {delete}"));
            }
        }
    }
    Ok(())
}

/// Reads `id` back with the family's read, if it has one: the answer
/// decodes and carries `marker` where the case says.
async fn read_back(http: &Http, case: &Case, id: &str, marker: &str) -> Result<(), String> {
    let Some((op, decode)) = case.read else { return Ok(()) };
    let (status, answer) = http.call(op, Some(id), &[], None).await;
    if status != 200 {
        return Err(format!("{op} answered {status}"));
    }
    decode(&answer).map_err(|e| format!("{op}'s answer does not decode: {e}"))?;
    let got = json(&answer).pointer(case.marker.1).cloned();
    if !case.marker.0.is_empty() && got != Some(json!(marker)) {
        return Err(format!("{op} reads {} as {got:?}, not {marker:?}", case.marker.1));
    }
    Ok(())
}

/// The value a filter's field is created with: the marker's where the
/// marker is that field.
fn filter_value(case: &Case, param: &str, at: &str) -> String {
    if at == case.marker.0 {
        format!("{}-first", case.create)
    } else {
        format!("{param}-of-{}", case.create)
    }
}
