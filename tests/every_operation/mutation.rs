//! Answers that drift from what this build of the SDK knows still decode. A
//! proxy on 127.0.0.1 sits between the SDK and the sandbox in its full-size
//! mode and changes every success answer in one way per run (see
//! `support::mutate::Mutation`): enum values the SDK has never seen, unknown
//! properties, `null` for every optional property, optional arrays left out.
//! Under each, every operation must decode.

use crate::support;

use crate::calls;

use std::sync::Arc;

use serde_json::json;
use spotnana::sandbox::{Responses, Sandbox};
use spotnana::Client;
use support::inputs::Inputs;
use support::mutate::{MutatingProxy, Mutation};

/// A sandbox in full-size mode, a proxy applying `mutation` in front of it,
/// and a client that talks to the proxy.
async fn setup(mutation: Mutation) -> (Sandbox, MutatingProxy, Client, Inputs) {
    let sandbox = Sandbox::builder().with_responses(Responses::Full).start().await.expect("the sandbox starts");
    let proxy = MutatingProxy::start(sandbox.base_url(), mutation).await;
    let client = Client::builder()
        .with_base_url(proxy.url())
        .with_credentials(sandbox.client_id(), sandbox.client_secret())
        .build()
        .expect("a client for the proxy");
    let mut inputs = Inputs::default();
    inputs.overrides.insert(
        "fetchOauth2Token".into(),
        json!({ "client_id": sandbox.client_id(), "client_secret": sandbox.client_secret(), "grant_type": "client_credentials" }),
    );
    (sandbox, proxy, client, inputs)
}

async fn every_operation_decodes(mutation: Mutation) {
    let (sandbox, proxy, client, mut inputs) = setup(mutation).await;
    let ids = sandbox.operation_ids();
    for create in inputs.seed_lookups().into_iter().filter(|c| ids.iter().any(|id| id == c)) {
        calls::call(&client, &inputs, create).await.expect("the creates the lookups find succeed");
    }
    let (client, inputs) = (Arc::new(client), Arc::new(inputs));
    let mut failures = Vec::new();
    for id in &ids {
        // On a worker thread of the runtime, as in a server's handler.
        let (client, inputs, task_id) = (client.clone(), inputs.clone(), id.clone());
        let outcome = tokio::spawn(async move { calls::call(&client, &inputs, &task_id).await })
            .await
            .expect("the call's task ends");
        if let Err(e) = outcome {
            failures.push(format!("{id}: {e}"));
        }
    }
    println!(
        "{mutation:?}: {} of {} operations decoded; the proxy made {} changes; largest body {} bytes",
        ids.len() - failures.len(),
        ids.len(),
        proxy.changes(),
        proxy.largest_body()
    );
    assert!(proxy.changes() > 0, "{mutation:?} changed nothing, so it tested nothing");
    assert!(failures.is_empty(), "{mutation:?}: {} operations failed:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(ids.len(), support::enabled_operations(&support::spec()).len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_decodes_with_enum_values_it_has_never_seen() {
    every_operation_decodes(Mutation::UnknownEnumValues).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_decodes_with_unknown_properties() {
    every_operation_decodes(Mutation::UnknownProperties).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_decodes_with_null_for_every_optional_property() {
    every_operation_decodes(Mutation::NullOptionals).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_decodes_without_optional_arrays() {
    every_operation_decodes(Mutation::NoOptionalArrays).await;
}

/// A company role Spotnana added after this build decodes into the catch-all
/// variant, keeps its spelling, and is written back unchanged.
#[cfg(feature = "company")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_enum_value_reads_back_and_serialises_unchanged() {
    use spotnana::types::{CompanyRole, CreateCompanyRequest};

    let (_sandbox, _proxy, client, _) = setup(Mutation::UnknownEnumValues).await;
    let request: CreateCompanyRequest =
        serde_json::from_value(json!({ "name": "Drift Inc", "billingCurrency": "USD", "companyRoles": ["ORG"] }))
            .expect("a company request");
    let created = client.create_company().body(request).send().await.map_err(spotnana::Error::from).expect("created");
    let company = client
        .read_company()
        .company_id(created.id.to_string())
        .send()
        .await
        .map_err(spotnana::Error::from)
        .expect("read back");

    let role = &company.company_roles[0];
    assert_eq!(role, &CompanyRole::Unrecognized("UNSEEN_ORG".into()));
    assert!(!role.is_known());
    assert_eq!(role.as_str(), "UNSEEN_ORG");
    assert_eq!(role.to_string(), "UNSEEN_ORG");
    assert_eq!(serde_json::to_value(role).expect("serialises"), json!("UNSEEN_ORG"));
    assert_eq!("UNSEEN_ORG".parse::<CompanyRole>().expect("parses"), *role);
    // Known values keep their named variants, through every path.
    assert_eq!("ORG".parse::<CompanyRole>().expect("parses"), CompanyRole::Org);
    assert_eq!(serde_json::from_value::<CompanyRole>(json!("ORG")).expect("decodes"), CompanyRole::Org);
    assert!(CompanyRole::Org.is_known());
    // The whole model round-trips: what the SDK writes back is what it read.
    let again: spotnana::types::Company =
        serde_json::from_value(serde_json::to_value(&*company).expect("serialises")).expect("decodes");
    assert_eq!(again.company_roles, company.company_roles);
}

/// `DesignationNode` (a company's reporting tree) contains itself. A tree as
/// deep as `serde_json`'s nesting limit allows decodes on a thread with a
/// tokio worker's 2 MiB stack, and a deeper one is an error, not an abort.
#[cfg(feature = "company")]
#[test]
fn a_tree_nested_to_the_limit_decodes_and_a_deeper_one_is_an_error() {
    use spotnana::types::DesignationNode;

    fn tree(depth: usize) -> String {
        let mut json = r#"{"name":"leaf"}"#.to_string();
        for level in 0..depth {
            json = format!(r#"{{"name":"level {level}","children":[{json}]}}"#);
        }
        json
    }
    fn depth_of(node: &DesignationNode) -> usize {
        node.children.first().map_or(0, |child| 1 + depth_of(child))
    }
    let decode = |depth: usize| {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || spotnana::from_slice::<DesignationNode>(tree(depth).as_bytes()).map(|n| depth_of(&n)))
            .expect("a thread")
            .join()
            .expect("the decode does not panic")
    };
    // Each level is an object and an array: 63 levels nest 127 deep.
    assert_eq!(decode(63).expect("63 levels decode"), 63);
    let error = decode(100).expect_err("100 levels exceed the limit");
    assert!(error.to_string().contains("recursion limit"), "{error}");
}
