//! `spotnana mcp`: the operations as MCP tools over stdio, on the official
//! Rust MCP SDK (`rmcp`).
//!
//! What an agent may call is decided once, at start, by [`Policy`]: the
//! read-only operations, plus what `--allow` names, where a destructive one
//! also needs `--allow-writes`. A tool outside the policy is not listed,
//! and calling it anyway is refused. Every call logs one line to stderr:
//! operation, outcome and duration, never its arguments or answer.

use std::sync::Arc;
use std::time::Instant;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::Value;
use spotnana::{Access, Client, Operation};

/// Which operations the server offers.
pub(crate) struct Policy {
    allow: Vec<String>,
    allow_writes: bool,
}

impl Policy {
    /// The policy of `--allow` (operation ids or API names) and
    /// `--allow-writes`; a name that is neither is an error, so that a typo
    /// does not silently offer less than meant.
    pub(crate) fn new(allow: &[String], allow_writes: bool) -> Result<Policy, String> {
        for name in allow {
            let known = spotnana::operation(name).is_some() || spotnana::enabled_apis().any(|api| api == name);
            if !known {
                return Err(format!("--allow {name}: no such operation or API in this build (see `spotnana ops`)"));
            }
        }
        let policy = Policy { allow: allow.to_vec(), allow_writes };
        for op in spotnana::operations().iter().filter(|op| policy.named(op)) {
            if op.access == Access::Destructive && !allow_writes {
                eprintln!(
                    "spotnana mcp: {} books, cancels, modifies or deletes: not offered without --allow-writes",
                    op.id
                );
            }
        }
        Ok(policy)
    }

    fn named(&self, op: &Operation) -> bool {
        self.allow.iter().any(|name| *name == op.id || op.apis.contains(name))
    }

    /// Whether `op` is offered: read-only ones always, others when named,
    /// destructive ones only with `--allow-writes` as well.
    pub(crate) fn offers(&self, op: &Operation) -> bool {
        match op.access {
            Access::Read => true,
            Access::Write => self.named(op),
            Access::Destructive => self.named(op) && self.allow_writes,
        }
    }
}

struct Server {
    client: Client,
    policy: Policy,
    tools: Vec<Tool>,
}

/// Serves until the client closes stdin.
pub(crate) async fn serve(client: Client, policy: Policy) -> Result<(), String> {
    let tools = spotnana::operations().iter().filter(|op| policy.offers(op)).map(tool).collect();
    let server = Server { client, policy, tools };
    eprintln!("spotnana mcp: serving {} tools on stdio", server.tools.len());
    let running = server.serve(rmcp::transport::stdio()).await.map_err(|e| format!("MCP start failed: {e}"))?;
    running.waiting().await.map_err(|e| format!("MCP server stopped: {e}"))?;
    Ok(())
}

fn tool(op: &Operation) -> Tool {
    let schema = match &op.input_schema {
        Value::Object(map) => map.clone(),
        _ => serde_json::Map::new(),
    };
    let description = if op.description.is_empty() || op.description == op.summary {
        op.summary.clone()
    } else {
        format!("{}\n\n{}", op.summary, op.description)
    };
    let annotations = ToolAnnotations::with_title(op.summary.clone())
        .read_only(op.access == Access::Read)
        .destructive(op.access == Access::Destructive)
        .idempotent(op.method == "GET");
    Tool::new(op.id.clone(), description, Arc::new(schema)).with_annotations(annotations)
}

fn failed(message: String) -> CallToolResponse {
    CallToolResult::error(vec![ContentBlock::text(message)]).into()
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("spotnana", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Spotnana's travel API: each tool is one operation, its input the path and query parameters by \
                 name and the request body under `body`. Only the operations the operator allowed are offered.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = request.name.as_ref();
        let Some(op) = spotnana::operation(name) else {
            return Ok(failed(format!("no tool `{name}`")));
        };
        if !self.policy.offers(op) {
            eprintln!("spotnana mcp: {name} refused (not allowed)");
            let needs = match op.access {
                Access::Destructive => format!("--allow {name} --allow-writes"),
                _ => format!("--allow {name}"),
            };
            return Ok(failed(format!(
                "refused: `{name}` is a {} operation this server was not started to offer; the operator can \
                 allow it with {needs}",
                op.access
            )));
        }
        let input = Value::Object(request.arguments.unwrap_or_default());
        let started = Instant::now();
        let answer = self.client.call_json(&op.id, input).await;
        let millis = started.elapsed().as_millis();
        match answer {
            Ok(mut value) => {
                eprintln!("spotnana mcp: {name} ok {millis} ms");
                spotnana::redact_secrets(&mut value);
                Ok(CallToolResult::success(vec![ContentBlock::text(value.to_string())]).into())
            }
            Err(error) => {
                let status =
                    error.status().map_or_else(|| format!("error {}", super::exit_code(&error)), |s| s.to_string());
                eprintln!("spotnana mcp: {name} {status} {millis} ms");
                Ok(failed(error.to_string()))
            }
        }
    }
}
