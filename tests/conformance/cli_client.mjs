#!/usr/bin/env node
// cli_client.mjs - the mcpgate command line as the client the official
// conformance suite tests: `conformance client --command "node
// tests/conformance/cli_client.mjs"` starts it with the scenario's server
// URL as the last argument and the scenario's name in
// MCP_CONFORMANCE_SCENARIO.  It writes a config naming that URL as the
// server `conformance` and runs the mcpgate invocation a user would type
// for what the scenario asks; mcpgate's exit code is its own.
//
// MCPGATE_BIN names the binary (default build/test/mcpgate).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const bin = process.env.MCPGATE_BIN ?? path.join(root, 'build/test/mcpgate');
const url = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';

// What a user would run for each scenario, on the server `conformance`.
const invocations = {
  initialize: ['tools', 'conformance'],
  tools_call: ['call', 'conformance', 'add_numbers', '--a', '2', '--b', '3'],
  'elicitation-sep1034-client-defaults': ['call', '--elicit', 'defaults', 'conformance',
    'test_client_elicitation_defaults'],
  'sse-retry': ['call', 'conformance', 'test_reconnection'],
  'request-metadata': ['tools', 'conformance'],
};

const args = invocations[scenario];
if (!url || !args) {
  console.error(`cli_client: no invocation for scenario '${scenario}' (known: ${Object.keys(invocations).join(', ')})`);
  process.exit(2);
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-conformance-client-'));
const config = path.join(dir, 'mcpgate.yaml');
writeFileSync(config, `servers:\n  - name: conformance\n    url: ${JSON.stringify(url)}\n`);
// mcpgate's own options go before SERVER: after TOOL, flags are the tool's.
const [command, ...rest] = args;
const r = spawnSync(bin, [command, '--config', config, '--log-level', 'warn', ...rest], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, MCPGATE_STATE_DIR: dir },
});
rmSync(dir, { recursive: true, force: true });
process.exit(r.status ?? 1);
