//! `cargo run --example pagination`
//!
//! Pages through a list without writing the loop: against the local sandbox
//! (no network), it creates 25 companies, then reads them back 10 at a time,
//! first item by item with `stream()`, then page by page with `pages()`;
//! then 23 events, a list that pages in its request body.
//! Each page is one request, sent only when the stream is polled for it.

use std::future::poll_fn;
use std::pin::Pin;

use futures_core::Stream;
use spotnana::sandbox::Sandbox;
use spotnana::types::{CompanyRole, CreateCompanyRequest, ListEventsRequest};

/// The next item of a stream (what `futures::StreamExt::next` does).
async fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)).await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let client = sandbox.client()?;
    for i in 1..=25 {
        let company = CreateCompanyRequest::builder()
            .name(format!("Paging Example {i:02}"))
            .billing_currency("USD")
            .company_roles(vec![CompanyRole::Org]);
        client.create_company().body(company).send().await?;
    }

    // Every item, however many pages: errors arrive as items too.
    let mut companies = client.list_companies().limit(10).stream();
    let mut count = 0;
    while let Some(company) = next(&mut companies).await {
        let company = company?;
        count += 1;
        if count <= 3 {
            println!("{count:>2}. {} {}", company.id, company.name.as_deref().unwrap_or("-"));
        }
    }
    println!("... {count} companies in all, {} list requests", sandbox.requests("listCompanies"));

    // Whole pages, with their status and headers.
    let mut pages = client.list_companies().limit(10).pages();
    while let Some(page) = next(&mut pages).await {
        let page = page?;
        println!("page: HTTP {}, {} companies", page.status(), page.elements.len());
    }

    // Lists that carry their position in the request body page the same way.
    sandbox.add_list_items("listEvents", 23)?;
    let mut events = client.list_events().body(ListEventsRequest::builder().limit(10)).stream();
    let mut count = 0;
    while let Some(event) = next(&mut events).await {
        event?;
        count += 1;
    }
    println!("{count} events in all, {} list requests", sandbox.requests("listEvents"));
    Ok(())
}
