//! `cargo run --example pagination`
//!
//! Pages through a list without writing the loop: against the local sandbox
//! (no network), it creates 25 companies, then reads them back 10 at a time,
//! first item by item with `stream()`, then page by page with `pages()`;
//! then 23 events, a list that pages in its request body.
//! Each page is one request, sent only when the stream asks for it. The
//! streams have their own `next().await` and `try_collect()`: no other crate
//! is needed (they are also `futures_core::Stream`s).

use spotnana::sandbox::Sandbox;
use spotnana::types::{CompanyRole, CreateCompanyRequest, ListEventsRequest};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let client = sandbox.client()?;
    for i in 1..=25 {
        let company = CreateCompanyRequest::builder()
            .name(format!("Paging Example {i:02}"))
            .billing_currency("USD")
            .company_roles([CompanyRole::Org]);
        client.create_company().body(company).send().await?;
    }

    // Every item, however many pages: errors arrive as items too.
    let mut companies = client.list_companies().limit(10).stream();
    let mut count = 0;
    while let Some(company) = companies.next().await {
        let company = company?;
        count += 1;
        if count <= 3 {
            println!("{count:>2}. {} {}", company.id, company.name.as_deref().unwrap_or("-"));
        }
    }
    println!("... {count} companies in all, {} list requests", sandbox.requests("listCompanies"));

    // Whole pages, with their status and headers.
    let mut pages = client.list_companies().limit(10).pages();
    while let Some(page) = pages.next().await {
        let page = page?;
        println!("page: HTTP {}, {} companies", page.status(), page.elements.len());
    }

    // Lists that carry their position in the request body page the same way.
    sandbox.add_list_items("listEvents", 23)?;
    let events = client.list_events().body(ListEventsRequest::builder().limit(10)).stream().try_collect().await?;
    println!("{} events in all, {} list requests", events.len(), sandbox.requests("listEvents"));
    Ok(())
}
