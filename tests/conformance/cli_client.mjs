#!/usr/bin/env node
// cli_client.mjs - the mcpgate command line as the client the official
// conformance suite tests: `conformance client --command "node
// tests/conformance/cli_client.mjs"` starts it with the scenario's server
// URL as the last argument, the scenario's name in
// MCP_CONFORMANCE_SCENARIO and its context (JSON) in
// MCP_CONFORMANCE_CONTEXT.  It writes a config naming that URL as the
// server `conformance` and runs the mcpgate invocations a user would type
// for what the scenario asks, one after another; the exit code is the
// first failing invocation's, else 0.
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
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}');

const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-conformance-client-'));
const config = path.join(dir, 'mcpgate.yaml');
writeFileSync(config, `servers:\n  - name: conformance\n    url: ${JSON.stringify(url)}\n`);

// One mcpgate invocation: COMMAND with mcpgate's own options first (after
// TOOL, flags are the tool's).  Its stdout is returned when CAPTURE.
function mcpgate(command, args, { capture = false } = {}) {
  const r = spawnSync(bin, [command, '--config', config, '--log-level', 'warn', ...args], {
    stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
    env: { ...process.env, MCPGATE_STATE_DIR: dir },
    encoding: 'utf8',
  });
  return { code: r.status ?? 1, stdout: r.stdout ?? '' };
}

// What a user would run for each scenario, on the server `conformance`;
// each returns the exit code.
const scenarios = {
  initialize: () => mcpgate('tools', ['conformance']).code,
  tools_call: () => mcpgate('call', ['conformance', 'add_numbers', '--a', '2', '--b', '3']).code,
  'elicitation-sep1034-client-defaults': () =>
    mcpgate('call', ['--elicit', 'defaults', 'conformance', 'test_client_elicitation_defaults']).code,
  'sse-retry': () => mcpgate('call', ['conformance', 'test_reconnection']).code,
  'request-metadata': () => mcpgate('tools', ['conformance']).code,
  'json-schema-ref-no-deref': () => mcpgate('tools', ['conformance']).code,
  // Every tool call, with its name in a header; the command line has no
  // resources/read or prompts/get, which the suite then reports skipped.
  'http-standard-headers': () => first([
    () => mcpgate('call', ['conformance', 'test_headers']).code,
    () => mcpgate('call', ['conformance', 'my-hyphenated-tool']).code,
    () => mcpgate('read', ['conformance', 'file:///path/to/file%20name.txt']).code,
    () => mcpgate('prompt', ['conformance', 'test_prompt']).code,
  ]),
  // The calls the scenario names, with the arguments it gives.
  'http-custom-headers': () => first((context.toolCalls ?? []).map((c) => () =>
    mcpgate('call', ['--args-json', JSON.stringify(c.arguments), 'conformance', c.name]).code)),
  // Only valid_tool is listed, and only it can be called: each of the
  // others is refused before any request reaches the server.
  'http-invalid-tool-headers': () => {
    const listed = mcpgate('tools', ['--json', 'conformance'], { capture: true });
    if (listed.code !== 0) return listed.code;
    const names = JSON.parse(listed.stdout).map((t) => t.name);
    if (names.join() !== 'valid_tool') {
      console.error(`cli_client: tools listed ${JSON.stringify(names)}, not just valid_tool`);
      return 1;
    }
    for (const name of ['invalid_empty_header', 'invalid_number_header', 'invalid_duplicate_diff_case']) {
      if (mcpgate('call', ['--args-json', '{}', 'conformance', name]).code === 0) {
        console.error(`cli_client: ${name} was called`);
        return 1;
      }
    }
    return mcpgate('call', ['conformance', 'valid_tool', '--region', 'us-west1']).code;
  },
  // The focal tool's inputSchema as the command line shows it, passed
  // back verbatim to the echo tool.
  'json-schema-2020-12-preservation': () => {
    const described = mcpgate('describe', ['--json', 'conformance', 'json_schema_2020_12_tool'], { capture: true });
    if (described.code !== 0) return described.code;
    const schema = JSON.parse(described.stdout).inputSchema;
    return mcpgate('call', ['--args-json', JSON.stringify({ schema }), 'conformance', 'json_schema_echo']).code;
  },
  // Each tool answers input_required first; the command line answers
  // the form with its defaults and retries.
  'sep-2322-client-request-state': () => first(
    ['test_mrtr_echo_state', 'test_mrtr_no_state', 'test_mrtr_unrelated', 'test_mrtr_no_result_type'].map((name) =>
      () => mcpgate('call', ['--elicit', 'defaults', 'conformance', name]).code)),
};

// Run STEPS in order; the first non-zero exit code, else 0.
function first(steps) {
  for (const step of steps) {
    const code = step();
    if (code !== 0) return code;
  }
  return 0;
}

const run = scenarios[scenario];
if (!url || !run) {
  console.error(`cli_client: no invocation for scenario '${scenario}' (known: ${Object.keys(scenarios).join(', ')})`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(2);
}
const code = run();
rmSync(dir, { recursive: true, force: true });
process.exit(code);
