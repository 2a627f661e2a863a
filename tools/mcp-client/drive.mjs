// Drives an MCP server over stdio with the official MCP TypeScript SDK, for
// tests/mcp.rs: `node drive.mjs COMMAND ARGS...` with the steps as JSON in
// MCP_STEPS (`{"list": true}` or `{"call": NAME, "arguments": {...}}`). It
// connects (initialize), runs each step and prints one JSON object: the
// server's name and version, and each step's result as the SDK returned it
// (or what it threw). The server's stderr passes through. The assertions
// are the Rust test's.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [command, ...args] = process.argv.slice(2);
const steps = JSON.parse(process.env.MCP_STEPS ?? "[]");
const transport = new StdioClientTransport({ command, args, env: process.env, stderr: "inherit" });
const client = new Client({ name: "spotnana-tests", version: "1.0.0" });
await client.connect(transport);
const results = [];
for (const step of steps) {
  try {
    if (step.list) {
      results.push(await client.listTools());
    } else {
      results.push(await client.callTool({ name: step.call, arguments: step.arguments ?? {} }));
    }
  } catch (error) {
    results.push({ thrown: String(error) });
  }
}
const server = client.getServerVersion();
await client.close();
console.log(JSON.stringify({ server, results }));
