//! `cargo run --example hr_feed`
//!
//! An HR feed tested offline against the local sandbox (reads no
//! variables, needs no network): it creates a company's travellers from a
//! small roster, survives a create whose answer is lost without making a
//! duplicate, updates one traveller, deactivates a leaver, and prints the
//! roster as the sandbox holds it.
//!
//! Every create sends the employee's id as `externalId` and goes through
//! `send_or_find()`: after an ambiguous failure it looks the user up by that
//! id before sending again, which is Spotnana's guidance for safe creates.

use std::process::ExitCode;

use serde_json::json;
use spotnana::sandbox::{Fault, Sandbox};
use spotnana::types::{UserCreateRequest, UserUpdateRequest};
use spotnana::{Client, CreateOutcome};

/// Employee id, given name, family name, email, designation.
const ROSTER: [(&str, &str, &str, &str, &str); 4] = [
    ("emp-41", "Ada", "Lovelace", "ada@example.com", "Engineer"),
    ("emp-42", "Grace", "Hopper", "grace@example.com", "Admiral"),
    ("emp-43", "Alan", "Turing", "alan@example.com", "Researcher"),
    ("emp-44", "Edsger", "Dijkstra", "edsger@example.com", "Professor"),
];

const COMPANY: &str = "00000000-0000-4000-8000-0000000c0042";
const LEGAL_ENTITY: &str = "00000000-0000-4000-8000-0000000e0042";

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

/// The user an HR record stands for.
fn user(employee: &str, given: &str, family: &str, email: &str, designation: &str) -> serde_json::Value {
    json!({
        "persona": "EMPLOYEE",
        "externalId": employee,
        "personalInfo": { "email": email, "name": { "given": given, "family1": family } },
        "businessInfo": {
            "employeeId": employee,
            "designation": designation,
            "organizationRef": { "id": COMPANY },
            "legalEntityRef": { "id": LEGAL_ENTITY },
        },
    })
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let client = sandbox.client()?;

    let mut ids = Vec::new();
    for (n, (employee, given, family, email, designation)) in ROSTER.into_iter().enumerate() {
        if n == 1 {
            // The second create is stored, and then its connection drops:
            // the feed cannot know whether Grace exists.
            sandbox.inject("createUser", Fault::ResetAfterApply, 1)?;
        }
        let request: UserCreateRequest = serde_json::from_value(user(employee, given, family, email, designation))?;
        let outcome = client.create_user().body(request).send_or_find().await?;
        let how = if outcome.was_found() { "found (its answer was lost)" } else { "created" };
        let id = match outcome {
            CreateOutcome::Created(entity) | CreateOutcome::Found(entity) => entity.id,
        };
        println!("{employee}: {how}, user {id}");
        ids.push(id);
    }

    // Alan is promoted: an update replaces the profile.
    let promoted: UserUpdateRequest =
        serde_json::from_value(user("emp-43", "Alan", "Turing", "alan@example.com", "Head of Research"))?;
    client.update_user().user_id(ids[2]).body(promoted).send().await?;
    // Edsger leaves: Spotnana's deleteUser deactivates the user.
    client.delete_user().user_id(ids[3]).send().await?;

    println!("\nRoster read back from the sandbox:");
    for (employee, ..) in ROSTER {
        print_user(&client, employee).await?;
    }
    let users = sandbox.stored("createUser").len();
    println!("\n{users} users held by the sandbox for {} roster entries, one leaver.", ROSTER.len());
    if users != ROSTER.len() - 1 {
        return Err(format!("expected {} users, the sandbox holds {users}", ROSTER.len() - 1).into());
    }
    Ok(())
}

/// Looks a roster entry up by its external id and prints what Spotnana has.
async fn print_user(client: &Client, employee: &str) -> Result<(), spotnana::Error> {
    let found = client.query_user().external_id(employee).send().await?.into_inner();
    let Some(summary) = found.elements.first() else {
        println!("  {employee:<8} (deactivated)");
        return Ok(());
    };
    let profile = client.get_user_info().user_id(summary.id).send().await?.into_inner();
    let name = profile
        .personal_info
        .as_ref()
        .and_then(|p| p.name.as_ref())
        .map(|n| format!("{} {}", n.given, n.family1))
        .unwrap_or_default();
    let email = profile.personal_info.as_ref().and_then(|p| p.email.clone()).unwrap_or_default();
    let designation = profile.business_info.as_ref().and_then(|b| b.designation.clone()).unwrap_or_default();
    println!("  {employee:<8} {name:<18} {email:<20} {designation}");
    Ok(())
}
