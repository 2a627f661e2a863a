//! `cargo run --example quickstart`
//!
//! Reads `SPOTNANA_CLIENT_ID`, `SPOTNANA_CLIENT_SECRET` and (optionally)
//! `SPOTNANA_BASE_URL`. With credentials it lists the companies your API user can
//! see. Without them it makes no network call: it builds a client and prints
//! every operation the SDK offers, with its method name.

use std::process::ExitCode;

use serde_json::Value;
use spotnana::progenitor_client::ClientInfo;

const SPEC: &str = include_str!("../openapi/spotnana.json");

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
    if std::env::var_os("SPOTNANA_CLIENT_ID").is_some() {
        let client = spotnana::Client::from_env()?;
        println!("Using Spotnana at {} with your credentials.", client.baseurl());
        let companies = client.list_companies().send().await.map_err(spotnana::Error::from)?;
        println!("{:#?}", companies.into_inner());
        return Ok(());
    }

    println!("No SPOTNANA_CLIENT_ID set: showing the operations this SDK offers (no network).\n");
    let client = spotnana::Client::builder().with_base_url("http://127.0.0.1:9").with_static_token("unused").build()?;
    let spec: Value = serde_json::from_str(SPEC)?;
    let mut rows = Vec::new();
    for key in ["paths", "x-spotnana-handwritten"] {
        for (path, item) in spec[key].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                if let Some(id) = op["operationId"].as_str() {
                    let tag = op["tags"][0].as_str().unwrap_or("");
                    rows.push((tag.to_string(), method.to_uppercase(), path.clone(), snake(id)));
                }
            }
        }
    }
    rows.sort();
    println!("{:<28} {:<7} {:<64} client method", "API", "HTTP", "path");
    for (tag, method, path, name) in &rows {
        println!("{tag:<28} {method:<7} {path:<64} client.{name}()");
    }
    println!("\n{} operations, all typed methods on spotnana::Client (base URL {}).", rows.len(), client.baseurl());
    println!("Set SPOTNANA_CLIENT_ID and SPOTNANA_CLIENT_SECRET to call Spotnana for real.");
    Ok(())
}

/// `listCompanies` -> `list_companies`, as progenitor names methods.
fn snake(id: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = id.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_numeric()) {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}
