//! Lists that page themselves: `pages()` and `stream()` on the builders of
//! the operations `cargo xtask regen` found paginated, against the sandbox's
//! stateful companies and lists, and a scripted server on 127.0.0.1.

mod support;

// Written by `cargo xtask regen`, which checks it is current: not formatted here.
#[rustfmt::skip]
#[path = "every_operation/streams.rs"]
mod streams;

use std::collections::HashSet;
use std::future::poll_fn;
use std::pin::Pin;

use futures_core::Stream;
use serde_json::json;
use spotnana::sandbox::Sandbox;
use spotnana::types::{self, CompanyRole, CreateCompanyRequest};
use spotnana::{Client, RetryPolicy};
use support::inputs::Inputs;
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

/// How many items a stream gave, and how many of them are distinct (by
/// their JSON); every item must have loaded.
fn counted<T: serde::Serialize>(items: &[spotnana::Result<T>]) -> (usize, usize) {
    let distinct: HashSet<String> =
        items.iter().map(|e| serde_json::to_string(e.as_ref().expect("every page loads")).expect("JSON")).collect();
    (items.len(), distinct.len())
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
async fn a_list_that_fills_its_last_page_ends_on_the_length_the_answer_gives() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    create_companies(&client, 20).await;
    let items = collect(client.list_companies().limit(10).stream()).await;
    assert_eq!(items.len(), 20);
    assert_eq!(sandbox.requests("listCompanies"), 2, "totalNumResults says 20 after the second page of 10");
}

/// `getApiUsers` answers no length: only a short (here empty) page ends it.
#[tokio::test]
async fn without_a_length_a_full_last_page_takes_one_more_request() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    sandbox.add_list_items("getApiUsers", 20).expect("getApiUsers pages");
    let items = collect(client.get_api_users().limit(10).stream()).await;
    assert_eq!(items.len(), 20);
    assert_eq!(sandbox.requests("getApiUsers"), 3, "10, 10, then an empty page");
}

/// Every operation `cargo xtask regen` tagged, called as the every-operation
/// test calls it, reads a list of two pages and three items to its end: each
/// item once, in three requests (four where the answer gives no length: a
/// short page may be a capped one, so only an empty page ends the list).
#[test]
fn every_paginated_operation_streams_its_whole_list() {
    support::on_big_stack(async {
        let doc = support::spec();
        let paginated: Vec<support::Operation> = support::enabled_operations(&doc)
            .into_iter()
            .filter(|op| op.op.get(xtask::contract::PAGINATION_TAG).is_some())
            .collect();
        if cfg!(feature = "all-apis") {
            assert_eq!(paginated.len(), 20, "regen tags 20 operations");
        }
        let inputs = Inputs::default();
        let mut failures = Vec::new();
        for op in &paginated {
            assert!(streams::PAGINATED.contains(&op.id.as_str()), "{} has a generated stream call", op.id);
            let tag = &op.op[xtask::contract::PAGINATION_TAG];
            // The page size the stream asks for: the spec's default, else the sandbox's 10.
            let page = tag["defaultSize"].as_u64().map_or(10, |s| s as usize);
            let length = 2 * page + 3;
            let sandbox = Sandbox::start().await.expect("the sandbox starts");
            let client = sandbox.client().expect("a client");
            sandbox.add_list_items(&op.id, length).expect("a paginated operation takes items");
            let mut items = Vec::new();
            let outcome = streams::stream(&client, &inputs, &op.id, &mut items).await;
            let distinct: HashSet<&String> = items.iter().collect();
            let requests = sandbox.requests(&op.id);
            let ends_early = tag.get("total").is_some() || tag["style"] == "token";
            let expected = if ends_early { 3 } else { 4 };
            if outcome.is_err() || items.len() != length || distinct.len() != length || requests != expected {
                failures.push(format!(
                    "{}: {} items ({} distinct) of {length} in {requests} requests, {outcome:?}",
                    op.id,
                    items.len(),
                    distinct.len()
                ));
            }
        }
        println!(
            "{} of {} paginated operations streamed their whole list",
            paginated.len() - failures.len(),
            paginated.len()
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    });
}

#[tokio::test]
async fn a_list_that_pages_in_its_body_is_read_whole() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    sandbox.add_list_items("listUsersV3", 250).expect("listUsersV3 pages");
    // The body is a company's or a TMC's list; `pagination` is required in both.
    let body: types::ListUsersV3Request = serde_json::from_value(json!({
        "companyId": { "id": "00000000-0000-4000-8000-000000000001" },
        "pagination": { "limit": 100 },
    }))
    .expect("a list-users request");
    let users = collect(client.list_users_v3().body(body).stream()).await;
    assert_eq!(counted(&users), (250, 250));
    assert_eq!(sandbox.requests("listUsersV3"), 3, "pages of 100, 100 and 50");
}

#[tokio::test]
async fn body_offsets_start_where_the_caller_says() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    sandbox.add_list_items("listEvents", 25).expect("listEvents pages");
    let body = types::ListEventsRequest::builder().offset(5).limit(4);
    let pages = collect(client.list_events().body(body).pages()).await;
    let sizes: Vec<usize> = pages.iter().map(|p| p.as_ref().expect("a page").events.len()).collect();
    assert_eq!(sizes, [4, 4, 4, 4, 4], "20 events after the first 5, 4 at a time");
    assert_eq!(sandbox.requests("listEvents"), 5);
}

#[tokio::test]
async fn a_token_list_follows_next_page_tokens_to_the_end() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    sandbox.add_list_items("hotelSearch", 45).expect("hotelSearch pages");
    let mut body = spotnana::sandbox::example_request("hotelSearch").expect("hotelSearch takes a body");
    body["paginationParams"] = json!({ "requestType": "PAGE_SIZE", "pageSize": 20 });
    let body: types::HotelSearchRequest = serde_json::from_value(body).expect("a hotel search");
    let pages = collect(client.hotel_search().body(body).pages()).await;
    let sizes: Vec<usize> = pages.iter().map(|p| p.as_ref().expect("a page").hotels.len()).collect();
    assert_eq!(sizes, [20, 20, 5]);
    assert_eq!(sandbox.requests("hotelSearch"), 3);
}

#[tokio::test]
async fn an_empty_body_paged_list_is_no_items_in_one_request() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    sandbox.add_list_items("listEventTemplates", 0).expect("listEventTemplates pages");
    let items = collect(client.list_event_templates().body(types::ListEventTemplatesRequest::builder()).stream()).await;
    assert!(items.is_empty(), "{items:?}");
    assert_eq!(sandbox.requests("listEventTemplates"), 1);
}

#[tokio::test]
async fn only_paginated_operations_take_list_items() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let error = sandbox.add_list_items("readCompany", 3).expect_err("readCompany does not page");
    assert!(error.to_string().contains("readCompany") && error.to_string().contains("NORMALIZATION.md"), "{error}");
}

/// A token-paged list whose second page fails: the items of the first page,
/// then the error, then the end. The second request asks for the token.
#[tokio::test]
async fn an_error_after_a_page_token_arrives_after_the_first_pages_items() {
    let server = TestServer::start(|request| {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
        match body.pointer("/paginationParams/pageToken") {
            None => {
                let mut page = spotnana::sandbox::example_response("hotelSearch", spotnana::sandbox::Responses::Minimal).unwrap_or_default();
                let full = spotnana::sandbox::example_response("hotelSearch", spotnana::sandbox::Responses::Full).unwrap_or_default();
                let hotel = full["hotels"][0].clone();
                page["hotels"] = json!([hotel.clone(), hotel.clone(), hotel]);
                page["paginationParams"] = json!({ "currentPageSize": 3, "nextPageToken": "token-2" });
                Reply::json(200, page)
            }
            Some(_) => Reply::json(503, json!({ "debugIdentifier": "dbg-token-2", "errorMessages": [{ "errorCode": "UNAVAILABLE", "message": "try later" }] })),
        }
    })
    .await;
    let client = Client::builder()
        .with_base_url(server.url())
        .with_static_token("a-static-token")
        .with_retry_policy(RetryPolicy::disabled())
        .build()
        .expect("a client");
    let body: types::HotelSearchRequest =
        serde_json::from_value(spotnana::sandbox::example_request("hotelSearch").expect("a body"))
            .expect("a hotel search");
    let items = collect(client.hotel_search().body(body).stream()).await;
    assert_eq!(items.len(), 4, "three hotels, then the error: {items:?}");
    assert!(items[..3].iter().all(Result::is_ok));
    let error = items[3].as_ref().expect_err("page 2 failed");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let second: serde_json::Value = serde_json::from_slice(&requests[1].body).expect("a JSON body");
    assert_eq!(second["paginationParams"], json!({ "requestType": "PAGE_TOKEN", "pageToken": "token-2" }));
    assert_eq!(
        second["searchParams"],
        serde_json::from_slice::<serde_json::Value>(&requests[0].body).expect("JSON")["searchParams"],
        "the rest of the body is kept"
    );
}

#[tokio::test]
async fn page_numbers_read_a_seeded_list_of_legal_entities() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    sandbox.add_list_items("listLegalEntities", 250).expect("listLegalEntities pages");
    let company = "00000000-0000-4000-8000-000000000001";
    let size = std::num::NonZeroU32::new(100).expect("not zero");
    let items = collect(client.list_legal_entities().company_id(company).page_size(size).stream()).await;
    assert_eq!(counted(&items), (250, 250));
    assert_eq!(sandbox.requests("listLegalEntities"), 3);
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
    let items = collect(
        client
            .list_legal_entities()
            .company_id(company)
            .page_size(std::num::NonZeroU32::new(5).expect("not zero"))
            .stream(),
    )
    .await;
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

/// A server that caps its pages below the size asked for: the page-number
/// style moves on by pages and counts what arrived, so every item comes
/// once (the sandbox caps pages at 1,000).
#[tokio::test]
async fn a_page_size_over_the_servers_cap_loses_nothing_by_page_number() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    sandbox.add_list_items("listLegalEntities", 2500).expect("listLegalEntities pages");
    let size = std::num::NonZeroU32::new(5000).expect("not zero");
    let items = collect(
        client.list_legal_entities().company_id("00000000-0000-4000-8000-000000000001").page_size(size).stream(),
    )
    .await;
    assert_eq!(counted(&items), (2500, 2500));
    assert_eq!(sandbox.requests("listLegalEntities"), 3, "pages of 1,000, 1,000 and 500");
}

/// The same for the offset style with no length in the answer: it moves on
/// by the items it got, and only an empty page ends it.
#[tokio::test]
async fn a_page_size_over_the_servers_cap_loses_nothing_by_offset() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    sandbox.add_list_items("getApiUsers", 2500).expect("getApiUsers pages");
    let items = collect(client.get_api_users().limit(5000).stream()).await;
    assert_eq!(counted(&items), (2500, 2500));
    assert_eq!(sandbox.requests("getApiUsers"), 4, "1,000, 1,000, 500, then an empty page");
}

/// A client of a scripted server that answers every request with `page`.
async fn same_page_server(page: serde_json::Value) -> (TestServer, Client) {
    let server = TestServer::start(move |_| Reply::json(200, page.clone())).await;
    let client = Client::builder()
        .with_base_url(server.url())
        .with_static_token("a-static-token")
        .with_retry_policy(RetryPolicy::disabled())
        .build()
        .expect("a client");
    (server, client)
}

fn companies(ids: std::ops::Range<usize>) -> Vec<serde_json::Value> {
    ids.map(|i| json!({ "id": format!("00000000-0000-4000-8000-{i:012}"), "name": format!("Company {i}") })).collect()
}

#[tokio::test]
async fn a_server_that_ignores_the_offset_ends_the_stream_after_one_repeat() {
    let (server, client) = same_page_server(json!({ "elements": companies(0..10), "totalNumResults": 100 })).await;
    let items = collect(client.list_companies().limit(10).stream()).await;
    assert_eq!(items.len(), 10, "each company once: {items:?}");
    assert_eq!(server.requests().len(), 2, "the second page brought nothing new");
    let pages = collect(client.list_companies().limit(10).pages()).await;
    assert_eq!(pages.len(), 1, "the repeated page is not handed on either");
}

#[tokio::test]
async fn a_server_that_ignores_the_offset_and_gives_no_length_ends_too() {
    let users: Vec<_> = (0..3).map(|i| json!({ "clientId": format!("client-{i}") })).collect();
    let (server, client) = same_page_server(json!({ "apiUsers": users })).await;
    let items = collect(client.get_api_users().limit(3).stream()).await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(server.requests().len(), 2);
}

/// A hotel search answer holding hotels `ids`, with `next` as the next page's token.
fn hotels(ids: std::ops::Range<usize>, next: Option<String>) -> serde_json::Value {
    let mut page =
        spotnana::sandbox::example_response("hotelSearch", spotnana::sandbox::Responses::Minimal).unwrap_or_default();
    let full =
        spotnana::sandbox::example_response("hotelSearch", spotnana::sandbox::Responses::Full).unwrap_or_default();
    let hotels: Vec<_> = ids
        .map(|i| {
            let mut hotel = full["hotels"][0].clone();
            hotel["hotelDetailsKey"] = json!(format!("hotel-{i}"));
            hotel
        })
        .collect();
    page["hotels"] = json!(hotels);
    page["paginationParams"] = json!({ "currentPageSize": 2, "nextPageToken": next });
    page
}

async fn hotel_search(server: &TestServer, max_pages: Option<usize>) -> Vec<spotnana::Result<types::HotelSearchData>> {
    let client = Client::builder()
        .with_base_url(server.url())
        .with_static_token("a-static-token")
        .with_retry_policy(RetryPolicy::disabled())
        .build()
        .expect("a client");
    let body: types::HotelSearchRequest =
        serde_json::from_value(spotnana::sandbox::example_request("hotelSearch").expect("a body"))
            .expect("a hotel search");
    let stream = client.hotel_search().body(body).stream();
    collect(match max_pages {
        Some(pages) => stream.max_pages(pages),
        None => stream,
    })
    .await
}

#[tokio::test]
async fn a_page_token_that_cycles_ends_the_stream() {
    let server = TestServer::start(|request| {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
        match body.pointer("/paginationParams/pageToken").and_then(|t| t.as_str()) {
            None => Reply::json(200, hotels(0..2, Some("A".into()))),
            Some("A") => Reply::json(200, hotels(2..4, Some("B".into()))),
            Some(_) => Reply::json(200, hotels(4..6, Some("A".into()))),
        }
    })
    .await;
    let items = hotel_search(&server, None).await;
    assert_eq!(items.iter().filter(|i| i.is_ok()).count(), 6, "{items:?}");
    assert_eq!(items.len(), 6);
    assert_eq!(server.requests().len(), 3, "first, A, B; A again is not sent");
}

#[tokio::test]
async fn a_list_past_the_page_limit_ends_with_an_error_not_silently() {
    let served = std::sync::atomic::AtomicUsize::new(0);
    let server = TestServer::start(move |_| {
        let n = served.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Reply::json(200, hotels(n * 2..n * 2 + 2, Some(format!("page-{}", n + 1))))
    })
    .await;
    let items = hotel_search(&server, Some(4)).await;
    assert_eq!(items.len(), 9, "eight hotels, then the error: {items:?}");
    assert!(items[..8].iter().all(Result::is_ok));
    let error = items[8].as_ref().expect_err("the limit");
    assert!(matches!(error, spotnana::Error::PageLimit { pages: 4 }), "{error:?}");
    assert!(error.to_string().contains("max_pages"), "{error}");
    assert_eq!(server.requests().len(), 4);
}
