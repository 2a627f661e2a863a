//! Lists that page themselves: `pages()` and `stream()` on the builders of
//! the operations `cargo xtask regen` found paginated, against the sandbox's
//! stateful companies and a scripted server on 127.0.0.1.

mod support;

use std::collections::HashSet;
use std::future::poll_fn;
use std::pin::Pin;

use futures_core::Stream;
use serde_json::json;
use spotnana::sandbox::Sandbox;
use spotnana::types::{CompanyRole, CreateCompanyRequest};
use spotnana::{Client, RetryPolicy};
use support::server::{Reply, TestServer};

/// The next item of `stream`, as `StreamExt::next` would give it.
async fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)).await
}

async fn collect<S: Stream + Unpin>(mut stream: S) -> Vec<S::Item> {
    let mut items = Vec::new();
    while let Some(item) = next(&mut stream).await {
        items.push(item);
    }
    items
}

async fn create_companies(client: &Client, count: usize) {
    for i in 0..count {
        let request = CreateCompanyRequest::builder()
            .name(format!("Company {i:03}"))
            .billing_currency("USD")
            .company_roles(vec![CompanyRole::Org]);
        client.create_company().body(request).send().await.expect("the sandbox creates the company");
    }
}

#[tokio::test]
async fn two_hundred_fifty_companies_in_pages_of_100_are_250_items_in_3_requests() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    create_companies(&client, 250).await;
    let before = sandbox.requests("listCompanies");

    let items = collect(client.list_companies().limit(100).stream()).await;
    let ids: Vec<String> = items.into_iter().map(|item| item.expect("every page loads").id.to_string()).collect();
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), 250, "every company once");
    assert_eq!(distinct.len(), 250, "none repeated");
    assert_eq!(sandbox.requests("listCompanies") - before, 3, "pages of 100, 100 and 50");

    // Whole pages, with the page size the spec defaults to (100).
    let pages = collect(client.list_companies().pages()).await;
    let sizes: Vec<usize> = pages.into_iter().map(|page| page.expect("a page").elements.len()).collect();
    assert_eq!(sizes, [100, 100, 50]);
}

#[tokio::test]
async fn an_empty_list_is_no_items_in_one_request() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    let items = collect(client.list_companies().limit(100).stream()).await;
    assert!(items.is_empty());
    assert_eq!(sandbox.requests("listCompanies"), 1);
}

#[tokio::test]
async fn a_list_of_exactly_one_page_takes_one_more_request_to_see_its_end() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    create_companies(&client, 20).await;
    let items = collect(client.list_companies().limit(10).stream()).await;
    assert_eq!(items.len(), 20);
    assert_eq!(sandbox.requests("listCompanies"), 3, "10, 10, then an empty page");
}

#[tokio::test]
async fn nothing_is_fetched_before_it_is_asked_for() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    create_companies(&client, 30).await;
    let mut stream = client.list_companies().limit(10).stream();
    assert_eq!(sandbox.requests("listCompanies"), 0, "making the stream sends nothing");
    for _ in 0..10 {
        next(&mut stream).await.expect("an item").expect("loads");
    }
    assert_eq!(sandbox.requests("listCompanies"), 1, "ten items come from the first page alone");
    next(&mut stream).await.expect("an item").expect("loads");
    assert_eq!(sandbox.requests("listCompanies"), 2);
}

/// A page that fails arrives as an item after the items before it, and ends
/// the stream. The scripted server answers pages by `pageNumber`
/// (`listLegalEntities`, the page-number style).
#[tokio::test]
async fn an_error_on_page_two_arrives_after_the_items_of_page_one() {
    let server = TestServer::start(|request| {
        let page = request.target.split("pageNumber=").nth(1).and_then(|rest| rest.split('&').next()).unwrap_or("1");
        match page {
            "1" => {
                let elements: Vec<_> = (0..5).map(|i| json!({ "id": format!("00000000-0000-4000-8000-00000000000{i}") })).collect();
                Reply::json(200, json!({ "elements": elements }))
            }
            _ => Reply::json(400, json!({ "debugIdentifier": "dbg-page-2", "errorMessages": [{ "errorCode": "BAD_PAGE", "message": "no such page" }] })),
        }
    })
    .await;
    let client = Client::builder()
        .with_base_url(server.url())
        .with_static_token("a-static-token")
        .with_retry_policy(RetryPolicy::disabled())
        .build()
        .expect("a client");
    let company = "00000000-0000-4000-8000-000000000001";
    let items = collect(client.list_legal_entities().company_id(company).page_size(std::num::NonZeroU32::new(5).expect("not zero")).stream()).await;
    assert_eq!(items.len(), 6, "five items, then the error");
    assert!(items[..5].iter().all(Result::is_ok));
    let error = items[5].as_ref().expect_err("page 2 failed");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert!(error.to_string().contains("BAD_PAGE"), "{error}");
    let pages: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(pages[0].contains("pageNumber=1") && pages[0].contains("pageSize=5"), "{pages:?}");
    assert!(pages[1].contains("pageNumber=2"), "{pages:?}");
}
