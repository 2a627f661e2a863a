//! `cargo run --example tools --features schemars`
//!
//! Prints the Company API's operations as tool definitions an LLM agent can
//! take (name, description, input JSON Schema), then calls two of them from
//! JSON, as an agent's tool dispatcher would: against Spotnana when
//! `SPOTNANA_CLIENT_ID` and `SPOTNANA_CLIENT_SECRET` are set (and optionally
//! `SPOTNANA_BASE_URL`), otherwise against the local sandbox, offline.

use serde_json::{json, Value};
use spotnana::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tools: Vec<Value> = spotnana::operations()
        .iter()
        .filter(|op| op.apis.iter().any(|api| api == "company"))
        .map(|op| json!({ "name": op.id, "description": op.summary, "input_schema": op.input_schema }))
        .collect();
    let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    println!("{} Company API tools: {}", tools.len(), names.join(", "));
    let create = tools.iter().find(|t| t["name"] == "createCompany").ok_or("createCompany is a tool")?;
    println!("\nthe createCompany tool, as an agent sees it (schema cut at 600 characters):");
    let text = serde_json::to_string_pretty(create)?;
    println!("{}...", &text[..text.len().min(600)]);

    // Keep the sandbox alive while the client uses it.
    let (client, _sandbox) = if std::env::var_os("SPOTNANA_CLIENT_ID").is_some() {
        (Client::from_env()?, None)
    } else {
        let sandbox = spotnana::sandbox::Sandbox::start().await?;
        (sandbox.client()?, Some(sandbox))
    };

    // What an agent's tool call would carry: an operation id and JSON arguments.
    let arguments =
        json!({ "body": { "name": "Tools Example Travel", "billingCurrency": "EUR", "companyRoles": ["ORG"] } });
    let created = client.call_json("createCompany", arguments).await?;
    let id = created["id"].as_str().ok_or("createCompany answers with an id")?.to_string();
    println!("\ncreateCompany -> {created}");
    let read = client.call_json("readCompany", json!({ "companyId": id })).await?;
    println!("readCompany -> name {}, billing currency {}", read["name"], read["billingCurrency"]);
    Ok(())
}
