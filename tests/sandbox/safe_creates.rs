//! `send_or_find()` makes each create with an external id safe to repeat:
//! after a reset that lost the answer of an applied create it finds the
//! resource instead of making a second; after a reset before the create
//! applied, or a 503, it creates it, once.

use std::future::Future;
use std::pin::Pin;

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use spotnana::sandbox::{Fault, Sandbox};
use spotnana::{Client, CreateOutcome, Error};

use super::support;

const COMPANY: &str = "00000000-0000-4000-8000-0000000c0001";
const LEGAL_ENTITY: &str = "00000000-0000-4000-8000-0000000e0001";
const TRIP: &str = "4000000002";

/// Every create the README lists as safe to repeat: where its body holds
/// the external id, and what else the body needs for its lookup.
const CREATES: [(&str, &str, &[(&str, &str)]); 9] = [
    ("createCompany", "/externalId", &[]),
    ("createLegalEntity", "/externalId", &[]),
    ("createCostCenter", "/externalId", &[]),
    ("createOffice", "/externalId", &[]),
    ("createDepartment", "/externalId", &[]),
    ("createEvent", "/externalId", &[("/companyId", COMPANY)]),
    ("createEventTemplate", "/externalId", &[("/companyId", COMPANY)]),
    ("createUser", "/externalId", &[]),
    ("createPnrV3", "/externalInfo/externalPnrId", &[]),
];

type Outcome = Result<CreateOutcome<Value>, Error>;

fn typed<T: DeserializeOwned>(body: &Value) -> T {
    spotnana::from_slice(body.to_string().as_bytes()).expect("the example body is a valid request")
}

fn plain<T: serde::Serialize>(outcome: Result<CreateOutcome<T>, Error>) -> Outcome {
    outcome.map(|o| match o {
        CreateOutcome::Created(t) => CreateOutcome::Created(serde_json::to_value(t).unwrap()),
        CreateOutcome::Found(t) => CreateOutcome::Found(serde_json::to_value(t).unwrap()),
    })
}

/// Calls the typed `send_or_find()` of `create` with `body`.
fn send_or_find<'a>(
    client: &'a Client,
    create: &str,
    body: Value,
) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>> {
    match create {
        "createCompany" => Box::pin(async move {
            plain(
                client
                    .create_company()
                    .body(typed::<spotnana::types::CreateCompanyRequest>(&body))
                    .send_or_find()
                    .await,
            )
        }),
        "createLegalEntity" => Box::pin(async move {
            plain(
                client
                    .create_legal_entity()
                    .company_id(COMPANY)
                    .body(typed::<spotnana::types::LegalEntityCreateRequest>(&body))
                    .send_or_find()
                    .await,
            )
        }),
        "createCostCenter" => Box::pin(async move {
            plain(
                client
                    .create_cost_center()
                    .company_id(COMPANY)
                    .body(typed::<spotnana::types::CreateCostCenterRequest>(&body))
                    .send_or_find()
                    .await,
            )
        }),
        "createOffice" => Box::pin(async move {
            plain(
                client
                    .create_office()
                    .company_id(COMPANY)
                    .legal_entity_id(LEGAL_ENTITY)
                    .body(typed::<spotnana::types::CreateOfficeRequest>(&body))
                    .send_or_find()
                    .await,
            )
        }),
        "createDepartment" => Box::pin(async move {
            plain(
                client
                    .create_department()
                    .company_id(COMPANY)
                    .body(typed::<spotnana::types::CreateDepartmentRequest>(&body))
                    .send_or_find()
                    .await,
            )
        }),
        "createEvent" => Box::pin(async move {
            plain(client.create_event().body(typed::<spotnana::types::CreateEventRequest>(&body)).send_or_find().await)
        }),
        "createEventTemplate" => Box::pin(async move {
            plain(
                client
                    .create_event_template()
                    .body(typed::<spotnana::types::CreateEventTemplateRequest>(&body))
                    .send_or_find()
                    .await,
            )
        }),
        "createUser" => Box::pin(async move {
            plain(client.create_user().body(typed::<spotnana::types::UserCreateRequest>(&body)).send_or_find().await)
        }),
        "createPnrV3" => Box::pin(async move {
            plain(
                client
                    .create_pnr_v3()
                    .trip_id(TRIP)
                    .body(typed::<spotnana::types::PnrData>(&body))
                    .send_or_find()
                    .await,
            )
        }),
        other => panic!("{other} is not one of the safe creates"),
    }
}

/// `create`'s example body with `external` as its external id (when given).
fn body(create: &str, at: &str, needs: &[(&str, &str)], external: Option<&str>) -> Value {
    let mut body = spotnana::sandbox::example_request(create).expect("a create takes a body");
    for (pointer, id) in needs {
        body[&pointer[1..]] = json!({ "id": id });
    }
    if let Some(external) = external {
        let (outer, field) = at.rsplit_once('/').unwrap();
        let parent = if outer.is_empty() { &mut body } else { &mut body[&outer[1..]] };
        if !parent.is_object() {
            *parent = json!({});
        }
        parent[field] = json!(external);
    }
    body
}

/// One create under `fault`: what `send_or_find` reported, how many
/// resources exist afterwards, and how many creates were sent.
async fn under(
    fault: Fault,
    create: &str,
    at: &str,
    needs: &[(&str, &str)],
    external: Option<&str>,
) -> (Outcome, usize, usize) {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client().unwrap();
    sandbox.inject(create, fault, 1).unwrap();
    let outcome = send_or_find(&client, create, body(create, at, needs, external)).await;
    (outcome, sandbox.stored(create).len(), sandbox.requests(create))
}

fn id_of(outcome: &CreateOutcome<Value>) -> Option<&str> {
    match outcome {
        CreateOutcome::Created(v) | CreateOutcome::Found(v) => v["id"].as_str(),
    }
}

#[test]
fn after_a_reset_after_apply_each_create_is_found_not_repeated() {
    support::on_big_stack(async {
        let mut failures = Vec::new();
        for (create, at, needs) in CREATES {
            let (outcome, stored, sent) =
                under(Fault::ResetAfterApply, create, at, needs, Some(&format!("ext-{create}"))).await;
            match outcome {
                Ok(found @ CreateOutcome::Found(_)) if stored == 1 && sent == 1 && id_of(&found).is_some() => {}
                other => failures.push(format!("{create}: {other:?}, {stored} stored, {sent} creates sent")),
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    });
}

#[test]
fn after_a_reset_before_apply_or_a_503_each_create_is_sent_once_more() {
    support::on_big_stack(async {
        let mut failures = Vec::new();
        for fault in [Fault::ResetBeforeApply, Fault::status(503)] {
            for (create, at, needs) in CREATES {
                let (outcome, stored, sent) =
                    under(fault.clone(), create, at, needs, Some(&format!("ext-{create}"))).await;
                match outcome {
                    Ok(created @ CreateOutcome::Created(_))
                        if stored == 1 && sent == 2 && id_of(&created).is_some() => {}
                    other => {
                        failures.push(format!("{fault:?} {create}: {other:?}, {stored} stored, {sent} creates sent"))
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    });
}

#[test]
fn without_an_external_id_send_or_find_is_send() {
    support::on_big_stack(async {
        let (outcome, stored, sent) = under(Fault::ResetAfterApply, "createCompany", "/externalId", &[], None).await;
        assert!(matches!(outcome, Err(Error::Transport(_))), "{outcome:?}");
        assert_eq!((stored, sent), (1, 1), "the create applied once and was not repeated");
        let (outcome, _, sent) = under(Fault::status(400), "createUser", "/externalId", &[], Some("emp-1")).await;
        assert_eq!(outcome.expect_err("a 400 did not apply").status().map(|s| s.as_u16()), Some(400));
        assert_eq!(sent, 1, "a refused create is not looked up or repeated");
    });
}
