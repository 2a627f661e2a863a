//! `cargo run --example quickstart`
//!
//! Reads `SPOTNANA_CLIENT_ID`, `SPOTNANA_CLIENT_SECRET` and, optionally,
//! `SPOTNANA_BASE_URL`. With the first two set it talks to Spotnana; without
//! them it starts the local sandbox (`spotnana::sandbox`) and needs no network.
//! Either way it runs the same flow through the SDK: get a token, create a
//! company, list companies, read the new one back, and print a table.

use std::process::ExitCode;
use std::time::Instant;

use spotnana::types::{CompanyRole, CreateCompanyRequest};
use spotnana::Client;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the sandbox alive for the whole flow; it stops when dropped.
    let (client, _sandbox) = if std::env::var_os("SPOTNANA_CLIENT_ID").is_some() {
        let client = Client::from_env()?;
        println!("Using Spotnana at {} with the credentials in SPOTNANA_CLIENT_ID/SECRET.", client.base_url());
        (client, None)
    } else {
        let sandbox = spotnana::sandbox::Sandbox::start().await?;
        println!("No SPOTNANA_CLIENT_ID set: using the local sandbox at {} (no network).", sandbox.base_url());
        (sandbox.client()?, Some(sandbox))
    };

    let started = Instant::now();
    // Typed builders: a required field left unset is an `Error::InvalidRequest`
    // that names it, returned by `send()` before anything goes out.
    let request = CreateCompanyRequest::builder()
        .name("Quickstart Travel Co")
        .billing_currency("USD")
        .company_roles(vec![CompanyRole::Org])
        .email_domains(vec!["quickstart.example".to_string()]);
    let created = client.create_company().body(request).send().await?.into_inner();
    println!("1. token obtained and company created: {}", created.id);

    let list = client.list_companies().send().await?.into_inner();
    println!("2. companies visible to this API user: {}", list.elements.len());

    let company = client.read_company().company_id(created.id.to_string()).send().await?.into_inner();
    println!("3. read back:\n");
    println!("  {:<18} {}", "id", company.id.id);
    println!("  {:<18} {}", "name", company.name);
    println!("  {:<18} {}", "billing currency", company.billing_currency);
    let roles: Vec<String> = company.company_roles.iter().map(|r| r.to_string()).collect();
    println!("  {:<18} {}", "roles", roles.join(", "));
    println!("  {:<18} {}", "email domains", company.email_domains.as_deref().unwrap_or_default().join(", "));
    println!("\n  companies (id, name):");
    for reference in &list.elements {
        println!("  {}  {}", reference.id, reference.name.as_deref().unwrap_or("-"));
    }
    println!("\nDone in {} ms.", started.elapsed().as_millis());
    Ok(())
}
