// calls.test.mjs - the call record through the real binary: every
// tools/call made by the official SDK clients under load (ok, tool errors,
// JSON-RPC errors, cancelled) is one row once the gateway stops, N calls in
// and N rows out, over HTTP and over stdio; with keys, the key, project
// and session of each call, and calls refused for their scope; arguments
// kept only when the config says so; `mcpgate calls` and its --stats
// figures; and serving goes on, with a warning, when the state directory
// cannot be used and no key needs it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as ClientV2, StreamableHTTPClientTransport as HttpV2 } from '@modelcontextprotocol/client';
import {
  MCPGATE_BIN, childEnv, startHttpGate, httpClient, assertCleanStderr, collect, withTimeout, waitForBinary,
  postRpc, modernHeaders, modernRequest,
} from './lib.mjs';
import { NODE, FIXTURES } from './upstreams.mjs';
import { runCli } from './cli.mjs';

const opts = { timeout: 120_000 };

function tempDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-calls-'));
  return { dir, state: path.join(dir, 'state'), rm: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Run `mcpgate ARGS` (cli.mjs) and check its stderr for sanitizer reports. */
async function mcpgate(args) {
  await waitForBinary();
  const r = await runCli(args);
  assertCleanStderr(r.stderr, `mcpgate ${args[0]}`);
  return r;
}

/** `mcpgate calls --json ARGS` on STATE, parsed. */
async function calls(state, args = []) {
  const r = await mcpgate(['calls', '--state-dir', state, '--json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Run fn(i) for i in [0, n), at most `width` at a time. */
async function pool(n, width, fn) {
  let next = 0;
  const out = new Array(n);
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  }));
  return out;
}

/**
 * The mix of calls used under load: mostly echo (ok), invalid arguments
 * to add (a tool_error result in 2025-11-25), an unknown tool (a
 * JSON-RPC error), and a long wait cancelled by the client (no reply).
 * Returns what call I should end as.
 */
function kindOf(i) {
  if (i % 50 === 25) return 'cancelled';
  if (i % 10 === 3) return 'error';
  if (i % 10 === 7) return 'tool_error';
  return 'ok';
}

async function callOne(client, i) {
  const kind = kindOf(i);
  if (kind === 'cancelled') {
    const ac = new AbortController();
    const p = client.callTool({ name: 'demo__wait', arguments: { ms: 10_000 } }, undefined, { signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    await assert.rejects(p);
  } else if (kind === 'error') {
    await assert.rejects(client.callTool({ name: 'demo__nope', arguments: {} }), /Unknown tool: demo__nope/);
  } else if (kind === 'tool_error') {
    const r = await client.callTool({ name: 'demo__add', arguments: { a: 'one', b: 2 } });
    assert.equal(r.isError, true);
  } else {
    const r = await client.callTool({ name: 'demo__echo', arguments: { text: `call ${i}` } });
    assert.equal(r.content[0].text, `call ${i}`);
  }
  return kind;
}

function countBy(rows, key) {
  const out = {};
  for (const r of rows) out[r[key]] = (out[r[key]] ?? 0) + 1;
  return out;
}

/** Rows against what was sent: the same number of each outcome, the right tools. */
function checkRows(rows, kinds) {
  assert.equal(rows.length, kinds.length, 'one row per call');
  assert.deepEqual(countBy(rows, 'outcome'), countBy(kinds.map((k) => ({ k })), 'k'));
  const tool = { ok: 'echo', tool_error: 'add', cancelled: 'wait' };
  for (const r of rows) {
    if (r.outcome === 'error') {
      assert.equal(r.server, null);
      assert.equal(r.tool, 'demo__nope');
      assert.equal(r.error, 'Unknown tool: demo__nope');
    } else {
      assert.equal(r.server, 'demo');
      assert.equal(r.tool, tool[r.outcome]);
    }
    if (r.outcome === 'tool_error') assert.match(r.error, /^Invalid arguments for tool demo__add: \/a: expected number/);
    if (r.outcome === 'ok') assert.equal(r.error, null);
    assert.ok(r.request_bytes > 40, `request_bytes ${r.request_bytes}`);
    assert.equal(r.response_bytes > 0, r.outcome !== 'cancelled', `response_bytes ${r.response_bytes} of ${r.outcome}`);
    assert.ok(r.duration_us >= 0);
    assert.equal(r.arguments, null, 'arguments are not kept by default');
    assert.match(r.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  // The cancelled ones ran until the client gave up, not 10 s.
  for (const r of rows.filter((x) => x.outcome === 'cancelled')) assert.ok(r.duration_us < 5_000_000, `${r.duration_us}`);
}

test('HTTP under load: N concurrent calls through the SDK, N rows once the gateway stops', opts, async () => {
  const t = tempDir();
  const N = 500;
  try {
    const gate = await startHttpGate(['--state-dir', t.state]);
    const http = await httpClient();
    let kinds;
    try {
      const client = new ClientV1({ name: 'calls-v1', version: '0' });
      await client.connect(new HttpV1(new URL(gate.url), { fetch: http.fetch }));
      kinds = await pool(N, 16, (i) => callOne(client, i));
      await client.close();
      await http.close();
      const { code, signal } = await gate.stop();
      assert.equal(signal, null);
      assert.equal(code, 0, gate.stderr());
      assertCleanStderr(gate.stderr());
    } finally {
      await http.close();
      gate.kill();
    }

    const rows = await calls(t.state, ['--limit', '1000000']);
    checkRows(rows, kinds);
    // One legacy session, no key, no project.
    assert.deepEqual(Object.keys(countBy(rows, 'session')).length, 1);
    assert.match(rows[0].session, /^[0-9a-f]{64}$/);
    assert.ok(rows.every((r) => r.key_id === null && r.project === null));
    // Newest first.
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].time_us >= rows[i].time_us);

    // --stats: per tool, the same counts, percentiles in order and among
    // the durations recorded.
    const stats = await calls(t.state, ['--stats']);
    const echo = stats.find((s) => s.tool === 'echo');
    const echoRows = rows.filter((r) => r.tool === 'echo').map((r) => r.duration_us).sort((a, b) => a - b);
    assert.equal(echo.count, echoRows.length);
    assert.equal(echo.ok, echoRows.length);
    assert.equal(echo.error_rate, 0);
    assert.equal(echo.p50_us, echoRows[Math.ceil(0.5 * echoRows.length) - 1]);
    assert.equal(echo.p95_us, echoRows[Math.ceil(0.95 * echoRows.length) - 1]);
    assert.equal(echo.max_us, echoRows.at(-1));
    const add = stats.find((s) => s.tool === 'add');
    assert.equal(add.tool_error, kinds.filter((k) => k === 'tool_error').length);
    assert.equal(add.error_rate, 1);
    const wait = stats.find((s) => s.tool === 'wait');
    assert.equal(wait.cancelled, kinds.filter((k) => k === 'cancelled').length);
    assert.equal(stats.reduce((n, s) => n + s.count, 0), N);

    // Filters and orders from the shell.
    assert.equal((await calls(t.state)).length, 50, 'the default limit');
    const errors = await calls(t.state, ['--errors', '--limit', '1000']);
    assert.equal(errors.length, kinds.filter((k) => k !== 'ok').length);
    assert.ok(errors.every((r) => r.outcome !== 'ok'));
    assert.equal((await calls(t.state, ['--status', 'tool_error', '--limit', '1000'])).length,
      kinds.filter((k) => k === 'tool_error').length);
    assert.equal((await calls(t.state, ['--tool', 'demo__echo', '--limit', '1000'])).length, echoRows.length);
    assert.equal((await calls(t.state, ['--tool', 'echo', '--server', 'demo', '--limit', '1000'])).length, echoRows.length);
    assert.equal((await calls(t.state, ['--tool', 'demo__echo', '--server', 'demo', '--limit', '1000'])).length, echoRows.length);
    assert.equal((await calls(t.state, ['--tool', 'echo', '--server', 'other'])).length, 0);
    const slowest = await calls(t.state, ['--slowest', '--limit', '3']);
    const all = rows.map((r) => r.duration_us).sort((a, b) => b - a);
    assert.deepEqual(slowest.map((r) => r.duration_us), all.slice(0, 3));
    assert.equal((await calls(t.state, ['--since', '1h', '--limit', '1000000'])).length, N);

    // The table: a header and one line per call.
    const table = await mcpgate(['calls', '--state-dir', t.state, '--limit', '5']);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 6);
    assert.match(lines[0], /^TIME \(UTC\)\s+KEY\s+PROJECT\s+SERVER\s+TOOL\s+DURATION\s+OUTCOME\s+ERROR/);
    const statsTable = await mcpgate(['calls', '--state-dir', t.state, '--stats']);
    assert.match(statsTable.stdout, /^SERVER\s+TOOL\s+CALLS\s+ERRORS\s+RATE\s+CANCELLED\s+P50\s+P95\s+MAX/);
    assert.match(statsTable.stdout, /\ndemo\s+add\s+\d+\s+\d+\s+100\.0%/);
  } finally {
    t.rm();
  }
});

test('stdio: every call of an SDK client is recorded by the time the gateway exits', opts, async () => {
  const t = tempDir();
  const N = 200;
  try {
    await waitForBinary();
    const transport = new StdioClientTransport({
      command: MCPGATE_BIN, args: ['stdio', '--demo', '--state-dir', t.state], env: childEnv(), stderr: 'pipe',
    });
    const stderr = collect(transport.stderr);
    const client = new ClientV1({ name: 'calls-stdio', version: '0' });
    let proc;
    try {
      await withTimeout(client.connect(transport), 5000, 'connect');
      proc = transport._process;
      const kinds = await pool(N, 16, (i) => callOne(client, i));
      await withTimeout(client.close(), 8000, 'close');
      assert.equal(proc.exitCode, 0, stderr());
      assertCleanStderr(stderr());
      const rows = await calls(t.state, ['--limit', '1000000']);
      checkRows(rows, kinds);
      assert.ok(rows.every((r) => r.session === null && r.key_id === null));
    } finally {
      proc ??= transport._process;
      if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    }
  } finally {
    t.rm();
  }
});

test('with keys: the key, project and session of each call, and calls refused for their scope', opts, async () => {
  const t = tempDir();
  try {
    const cfg = path.join(t.dir, 'gw.yaml');
    writeFileSync(cfg, `auth: required
servers:
  - name: docs
    command: ${NODE}
    args: [${path.join(FIXTURES, 'notes_server.mjs')}, docs]
projects:
  - name: web
    servers: [docs]
`);
    const key = async (name, scope) => {
      const r = await mcpgate(['keys', 'create', '--config', cfg, '--state-dir', t.state, '--name', name,
        '--project', 'web', '--scope', scope, '--json']);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    const alice = await key('alice', 'write');
    const bob = await key('bob', 'read');
    const gate = await startHttpGate(['--config', cfg, '--state-dir', t.state], { demo: false });
    const http = await httpClient();
    const auth = (k) => ({ headers: { authorization: `Bearer ${k.secret}` } });
    try {
      const a = new ClientV1({ name: 'calls-alice', version: '0' });
      await a.connect(new HttpV1(new URL(gate.url), { fetch: http.fetch, requestInit: auth(alice) }));
      const end = Date.now() + 15_000;
      while (!(await a.listTools()).tools.some((x) => x.name === 'docs__write_note')) {
        assert.ok(Date.now() < end, 'docs never connected');
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.match((await a.callTool({ name: 'docs__write_note', arguments: { text: 'x' } })).content[0].text, /done/);
      const b = new ClientV1({ name: 'calls-bob', version: '0' });
      await b.connect(new HttpV1(new URL(`${new URL(gate.url).origin}/p/web/mcp`), { fetch: http.fetch, requestInit: auth(bob) }));
      await assert.rejects(b.callTool({ name: 'docs__write_note', arguments: {} }), /scope/);
      // A modern (stateless) request: no session.
      const c = new ClientV2({ name: 'calls-v2', version: '0' }, { versionNegotiation: { mode: 'auto' } });
      await c.connect(new HttpV2(new URL(gate.url), { fetch: http.fetch, requestInit: auth(alice) }));
      await c.callTool({ name: 'docs__read_note', arguments: {} });
      for (const x of [a, b, c]) await x.close();
      await http.close();
      assert.equal((await gate.stop()).code, 0, gate.stderr());
      assertCleanStderr(gate.stderr());
    } finally {
      await http.close();
      gate.kill();
    }

    const rows = (await calls(t.state)).reverse();
    assert.equal(rows.length, 3);
    const [written, refused, modern] = rows;
    assert.deepEqual([written.key_id, written.project, written.server, written.tool, written.outcome],
      [alice.id, 'web', 'docs', 'write_note', 'ok']);
    assert.match(written.session, /^[0-9a-f]{64}$/);
    assert.deepEqual([refused.key_id, refused.project, refused.server, refused.tool, refused.outcome],
      [bob.id, 'web', 'docs', 'write_note', 'error']);
    assert.match(refused.error, /^Forbidden: tool docs__write_note .* needs an API key with scope 'write'/);
    assert.notEqual(refused.session, written.session);
    assert.deepEqual([modern.key_id, modern.project, modern.session, modern.tool, modern.outcome],
      [alice.id, 'web', null, 'read_note', 'ok']);
    // --project selects them, and another project has none.
    assert.equal((await calls(t.state, ['--project', 'web'])).length, 3);
    assert.equal((await calls(t.state, ['--project', 'infra'])).length, 0);
  } finally {
    t.rm();
  }
});

test('arguments are kept only when record_arguments is on; enabled: false keeps nothing', opts, async () => {
  const t = tempDir();
  try {
    const run = async (config) => {
      const cfg = path.join(t.dir, 'gw.yaml');
      writeFileSync(cfg, config);
      const gate = await startHttpGate(['--config', cfg, '--state-dir', t.state]);
      const http = await httpClient();
      try {
        const r = await postRpc(http.fetch, gate.url,
          modernRequest(1, 'tools/call', { name: 'demo__echo', arguments: { text: 'keep me' } }),
          modernHeaders('tools/call', 'demo__echo'));
        assert.equal(r.status, 200, r.text);
        await http.close();
        assert.equal((await gate.stop()).code, 0, gate.stderr());
      } finally {
        await http.close();
        gate.kill();
      }
    };
    await run('call_record: {record_arguments: true}\n');
    let rows = await calls(t.state);
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].arguments, { text: 'keep me' });

    await run('call_record: {enabled: false}\n');
    rows = await calls(t.state);
    assert.equal(rows.length, 1, 'nothing recorded while off');

    // Off in stdio: no store is even made.
    const other = path.join(t.dir, 'stdio-state');
    const cfg = path.join(t.dir, 'off.yaml');
    writeFileSync(cfg, 'call_record:\n  enabled: false\n');
    const child = spawn(MCPGATE_BIN, ['stdio', '--demo', '--config', cfg, '--state-dir', other],
      { env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(`${JSON.stringify(modernRequest(1, 'tools/call', { name: 'demo__echo', arguments: { text: 'x' } }))}\n`);
    const code = await withTimeout(new Promise((r) => child.once('close', r)), 10_000, 'stdio exit');
    assert.equal(code, 0);
    assert.ok(!existsSync(other), 'a store was made with the call record off');
  } finally {
    t.rm();
  }
});

test('mcpgate calls: an empty record, bad options, and a state directory serve cannot use', opts, async () => {
  const t = tempDir();
  try {
    const none = await mcpgate(['calls', '--state-dir', t.state]);
    assert.equal(none.code, 0);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /No calls recorded yet: .*mcpgate\.db does not exist/);
    assert.ok(!existsSync(t.state), 'calls made a state directory');
    assert.deepEqual(await calls(t.state), []);

    for (const [args, re] of [
      [['--status', 'fine'], /--status needs one of ok, tool_error, error or cancelled/],
      [['--since', 'yesterday'], /--since needs a duration such as 90s, 15m, 2h or 7d/],
      [['--limit', '0'], /--limit needs a number of calls/],
      [['--tool'], /--tool needs a name/],
      [['--bogus'], /unknown option '--bogus'/],
    ]) {
      const r = await mcpgate(['calls', '--state-dir', t.state, ...args]);
      assert.equal(r.code, 2, `${args}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.match(r.stderr, /Run 'mcpgate calls --help' for usage/);
    }
    const help = await mcpgate(['calls', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /examples:\n  mcpgate calls\n/);

    // No usable state directory and no keys needed: serve runs, saying
    // the call record is off and why.
    const gate = await startHttpGate(['--state-dir', '/proc/mcpgate-nope']);
    const http = await httpClient();
    try {
      const r = await postRpc(http.fetch, gate.url,
        modernRequest(1, 'tools/call', { name: 'demo__echo', arguments: { text: 'still here' } }),
        modernHeaders('tools/call', 'demo__echo'));
      assert.equal(r.status, 200);
      assert.match(gate.stderr(), /warn .*the call record is off: cannot create the state directory \/proc\/mcpgate-nope/);
      await http.close();
      assert.equal((await gate.stop()).code, 0, gate.stderr());
    } finally {
      await http.close();
      gate.kill();
    }
  } finally {
    t.rm();
  }
});
