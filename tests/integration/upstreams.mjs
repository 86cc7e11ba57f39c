// upstreams.mjs - what the tests of upstream servers share: a gateway
// started on a YAML config with an official v1 SDK client connected over
// Streamable HTTP, waiting for discovery, finding the children a test
// started (each test marks its children's command lines), and asking for
// 2025-11-25 tasks.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateTaskResultSchema, GetTaskResultSchema, CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { REPO_ROOT, startHttpGate, httpClient, sleep } from './lib.mjs';

export const NODE = path.join(REPO_ROOT, 'tests/node_modules/.bin/node');
export const EVERYTHING = path.join(REPO_ROOT, 'tests/node_modules/@modelcontextprotocol/server-everything/dist/index.js');
export const FIXTURES = path.join(REPO_ROOT, 'tests/integration/fixtures');

/** Processes whose command line holds MARK (the children of one test). */
export function pids(mark) {
  try {
    return execFileSync('pgrep', ['-f', mark], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Whether libcurl is mapped into process PID (loaded only for url servers). */
export function curlMapped(pid) {
  return /\/libcurl[^/\n]*\.so/.test(readFileSync(`/proc/${pid}/maps`, 'utf8'));
}

/**
 * Run FN({ client, gate, connect }) against a gateway serving YAML.  The
 * client declares CAPABILITIES and gets SETUP(client) before it connects;
 * connect(options) opens another client, like it unless OPTIONS say
 * otherwise (closed at the end).  The gateway
 * must stop cleanly with nothing on stderr above a warning.
 */
export async function withGateway(yaml, fn, { capabilities = {}, setup = () => {} } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-up-'));
  const file = path.join(dir, 'gw.yaml');
  writeFileSync(file, yaml);
  // A port of its own unless YAML names one: gateways of test files that
  // run side by side must not race for the default port.
  const gate = await startHttpGate(['--config', file], { demo: false, listen: !/^listen:/m.test(yaml) });
  const http = await httpClient();
  const opened = [];
  const connect = async (o = {}) => {
    const client = new Client({ name: 'upstream-test', version: '0.0.0' }, { capabilities: o.capabilities ?? capabilities });
    (o.setup ?? setup)(client);
    const transport = new StreamableHTTPClientTransport(new URL(gate.url), { fetch: http.fetch });
    await client.connect(transport);
    opened.push({ client, transport });
    return client;
  };
  try {
    const client = await connect();
    await fn({ client, gate, connect });
    for (const o of opened) {
      await o.transport.terminateSession().catch(() => {});
      await o.client.close();
    }
    await http.close();
    await gate.stopCleanly({ timeout: 15_000 });
  } finally {
    await http.close();
    gate.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Wait until tools/list shows NAME (discovery runs after the listen line). */
export async function waitForTool(client, name, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const { tools } = await client.listTools();
    if (tools.some((t) => t.name === name)) return tools;
    if (Date.now() > end) throw new Error(`${name} never appeared; tools: ${tools.map((t) => t.name)}`);
    await sleep(100);
  }
}

/** A config entry running server-everything over stdio; MARK tags its command line. */
export const everything = (name, mark, extra = '') => `
  - name: ${name}
    command: ${NODE}
    args: [${EVERYTHING}, stdio, ${mark}]
${extra}`;

/**
 * Start FIXTURE (a file in fixtures/) with --http PORT-FILE plus ARGS, as
 * the HTTP fixtures take it, and wait for its port.  Returns { url, stop }:
 * its /mcp URL, and stop() to kill it and remove the port file.
 */
export async function startHttpFixture(fixture, args = []) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-fixture-'));
  const portFile = path.join(dir, 'port');
  const server = spawn(NODE, [path.join(FIXTURES, fixture), '--http', portFile, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stop = () => {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  let serverErr = '';
  server.stderr.on('data', (d) => { serverErr += d; });
  for (let i = 0; !existsSync(portFile) || readFileSync(portFile, 'utf8') === ''; i++) {
    if (i > 100) {
      stop();
      throw new Error(`${fixture} did not start: ${serverErr}`);
    }
    await sleep(100);
  }
  return { url: `http://127.0.0.1:${readFileSync(portFile, 'utf8')}/mcp`, stop };
}

// 2025-11-25 tasks, as the SDK v1 client asks for them.
export const startTask = (client, name, args) => client.request({ method: 'tools/call',
  params: { name, arguments: args, task: { ttl: 60_000 } } }, CreateTaskResultSchema);
export const getTask = (client, taskId) => client.request({ method: 'tasks/get', params: { taskId } },
  GetTaskResultSchema);
export const taskResult = (client, taskId, timeout = 60_000) => client.request({ method: 'tasks/result',
  params: { taskId } }, CallToolResultSchema, { timeout });

/** The error PROMISE rejects with; fails the test when it resolves. */
export async function rpcError(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('the request succeeded');
}
