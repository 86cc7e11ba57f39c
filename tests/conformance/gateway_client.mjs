#!/usr/bin/env node
// gateway_client.mjs - mcpgate serve as the client the official conformance
// suite tests: `conformance client --command "node
// tests/conformance/gateway_client.mjs"` starts it with the scenario's
// server URL as the last argument.  The gateway gets that URL as its
// upstream `conformance`; an official SDK client (2025-11-25) then does
// what the scenario asks through /servers/conformance/mcp, so every
// request the scenario's server sees was sent by the gateway: era
// detection, the 2026-07-28 headers (Mcp-Method, Mcp-Name,
// Mcp-Param-*) and the bridging of the two eras.  The exit code is 0 when
// every step succeeded and the gateway stopped cleanly on SIGTERM.
//
// MCPGATE_BIN names the binary (default build/test/mcpgate).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const root = path.resolve(import.meta.dirname, '../..');
const bin = process.env.MCPGATE_BIN ?? path.join(root, 'build/test/mcpgate');
const upstream = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// What a client of the gateway does for each scenario, with CLIENT
// connected to the upstream's own endpoint on the gateway.
const scenarios = {
  initialize: async (client) => { await client.listTools(); },
  'request-metadata': async (client) => { await client.listTools(); },
  'json-schema-ref-no-deref': async (client) => { await client.listTools(); },
  tools_call: async (client) => {
    await client.callTool({ name: 'add_numbers', arguments: { a: 2, b: 3 } });
  },
  'sse-retry': async (client) => {
    await client.callTool({ name: 'test_reconnection', arguments: {} });
  },
  // input_required from the upstream becomes a real elicitation for this
  // 2025-11-25 client, and its answer the gateway's retry upstream.
  'sep-2322-client-request-state': async (client) => {
    for (const name of ['test_mrtr_echo_state', 'test_mrtr_no_state', 'test_mrtr_unrelated', 'test_mrtr_no_result_type'])
      await client.callTool({ name, arguments: {} });
  },
  'json-schema-2020-12-preservation': async (client) => {
    const { tools } = await client.listTools();
    const focal = tools.find((t) => t.name === 'json_schema_2020_12_tool');
    await client.callTool({ name: 'json_schema_echo', arguments: { schema: focal.inputSchema } });
  },
  // The gateway leaves out every tool with an invalid declaration.
  'http-invalid-tool-headers': async (client) => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    if (names.join() !== 'valid_tool') throw new Error(`listed ${JSON.stringify(names)}, not just valid_tool`);
    await client.callTool({ name: 'valid_tool', arguments: { region: 'us-west1' } });
  },
  'http-standard-headers': async (client) => {
    for (const { name } of (await client.listTools()).tools) await client.callTool({ name, arguments: {} });
    const [resource] = (await client.listResources()).resources;
    await client.readResource({ uri: resource.uri });
    const [prompt] = (await client.listPrompts()).prompts;
    await client.getPrompt({ name: prompt.name, arguments: {} });
  },
  'http-custom-headers': async (client) => {
    for (const call of context.toolCalls ?? []) {
      // The gateway refuses a null for a boolean property with -32602, as
      // the tool's schema does; the call goes without it.
      const args = Object.fromEntries(Object.entries(call.arguments).filter(([, v]) => v !== null));
      await client.callTool({ name: call.name, arguments: args });
    }
  },
};

const steps = scenarios[scenario];
if (!upstream || !steps) {
  console.error(`gateway_client: no steps for scenario '${scenario}' (known: ${Object.keys(scenarios).join(', ')})`);
  process.exit(2);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-conformance-gateway-'));
const config = path.join(dir, 'mcpgate.yaml');
writeFileSync(config, `listen: 127.0.0.1:0\nservers:\n  - name: conformance\n    url: ${JSON.stringify(upstream)}\n`);
const gate = spawn(bin, ['serve', '--config', config], { env: { ...process.env, MCPGATE_STATE_DIR: dir },
  stdio: ['ignore', 'inherit', 'pipe'] });
let stderr = '';
gate.stderr.on('data', (d) => { stderr += d; process.stderr.write(d); });
const exited = new Promise((resolve) => gate.on('exit', (code, signal) => resolve({ code, signal })));

let code = 1;
try {
  let base;
  for (let i = 0; i < 100 && !base; i++) {
    base = /serving MCP on (http:\/\/\S+)\/mcp/.exec(stderr)?.[1];
    if (!base) await sleep(100);
  }
  if (!base) throw new Error('mcpgate serve did not start');
  // The upstream is ready once its lists are in the catalog.
  for (let i = 0; i < 100 && !/upstream conformance ready/.test(stderr); i++) await sleep(100);
  if (!/upstream conformance ready/.test(stderr)) throw new Error('the upstream never became ready');
  const client = new Client({ name: 'gateway-client', version: '0' }, { capabilities: { elicitation: {} } });
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { confirmed: true } }));
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/servers/conformance/mcp`)));
  await steps(client);
  await client.close();
  code = 0;
} catch (e) {
  console.error(`gateway_client: ${e.stack ?? e}`);
}
gate.kill('SIGTERM');
const end = await exited;
if (end.code !== 0) {
  console.error(`gateway_client: mcpgate exited ${end.code ?? end.signal} after SIGTERM`);
  code = 1;
}
if (/AddressSanitizer|LeakSanitizer|runtime error:/.test(stderr)) code = 1;
rmSync(dir, { recursive: true, force: true });
process.exit(code);
