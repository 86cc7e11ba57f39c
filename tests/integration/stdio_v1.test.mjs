// stdio_v1.test.mjs - mcpgate stdio against the official v1 TypeScript SDK
// client (@modelcontextprotocol/sdk, legacy era: initialize handshake).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LATEST_PROTOCOL_VERSION, McpError } from '@modelcontextprotocol/sdk/types.js';
import {
  MCPGATE_BIN, TEST_TIMEOUT, DEMO_TOOLS, LEGACY_VERSIONS,
  requireBinary, childEnv, assertCleanStderr, collect, tapTransport, resultText, sleep,
  withLineClient, withTimeout,
} from './lib.mjs';

const opts = { timeout: TEST_TIMEOUT };

/**
 * Connect a v1 Client to a fresh `mcpgate stdio --demo`, run fn, close, and
 * check that mcpgate exited 0 by itself at end of input (the SDK never had
 * to signal it) with a clean stderr.
 */
async function withV1(fn) {
  requireBinary();
  const transport = new StdioClientTransport({
    command: MCPGATE_BIN,
    args: ['stdio', '--demo'],
    env: childEnv(),
    stderr: 'pipe',
  });
  const stderr = collect(transport.stderr);
  const wire = tapTransport(transport);
  const client = new Client({ name: 'mcpgate-it-v1', version: '0.0.0' }, { capabilities: {} });
  let proc;
  try {
    await withTimeout(client.connect(transport), 5000, 'v1 connect');
    proc = transport._process; // the SDK keeps its child here; needed for the exit status
    assert.ok(proc, 'transport has no child process');
    await fn({ client, transport, wire, stderr });
    await withTimeout(client.close(), 6000, 'v1 client.close()');
    assert.equal(proc.killed, false, 'the SDK had to signal mcpgate: it did not exit at end of input');
    assert.equal(proc.signalCode, null, `mcpgate died of ${proc.signalCode}`);
    assert.equal(proc.exitCode, 0, `mcpgate exited ${proc.exitCode}; stderr:\n${stderr()}`);
    assertCleanStderr(stderr());
  } finally {
    proc ??= transport._process;
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }
}

const messagesIn = (wire) => wire.filter((e) => e.dir === 'in').map((e) => e.msg);
const messagesOut = (wire) => wire.filter((e) => e.dir === 'out').map((e) => e.msg);

test('v1: connect negotiates the SDK latest revision and names mcpgate', opts, async () => {
  await withV1(async ({ client, wire }) => {
    assert.ok(LEGACY_VERSIONS.includes(LATEST_PROTOCOL_VERSION),
      `v1 SDK latest ${LATEST_PROTOCOL_VERSION} is not a revision mcpgate speaks`);
    const init = messagesOut(wire).find((m) => m.method === 'initialize');
    assert.equal(init.params.protocolVersion, LATEST_PROTOCOL_VERSION);
    const reply = messagesIn(wire).find((m) => m.id === init.id);
    assert.equal(reply.result.protocolVersion, LATEST_PROTOCOL_VERSION);
    assert.ok(messagesOut(wire).some((m) => m.method === 'notifications/initialized'));

    const info = client.getServerVersion();
    assert.equal(info.name, 'mcpgate');
    assert.equal(typeof info.version, 'string');
    const caps = client.getServerCapabilities();
    assert.ok(caps.tools, 'tools capability missing');
    assert.equal(typeof client.getInstructions(), 'string');
    // Still alive and answering after the handshake.
    assert.deepEqual(await client.ping(), {});
  });
});

test('v1: listTools lists the demo tools with their schemas', opts, async () => {
  await withV1(async ({ client }) => {
    const { tools, nextCursor } = await client.listTools();
    assert.equal(nextCursor, undefined);
    assert.deepEqual(tools.map((t) => t.name).sort(), DEMO_TOOLS);
    for (const t of tools) {
      assert.equal(t.inputSchema.type, 'object', `${t.name} inputSchema`);
      assert.equal(typeof t.description, 'string');
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    assert.deepEqual(byName.demo__echo.inputSchema.required, ['text']);
    assert.equal(byName.demo__echo.inputSchema.properties.text.type, 'string');
    assert.deepEqual(byName.demo__add.inputSchema.required, ['a', 'b']);
    assert.deepEqual(byName.demo__add.outputSchema.required, ['sum']);
    assert.deepEqual(byName.demo__wait.inputSchema.required, ['ms']);
    assert.equal(byName.demo__echo.title, 'Echo'); // 2025-06-18+ keeps title
  });
});

test('v1: callTool demo__echo returns its input unchanged', opts, async () => {
  await withV1(async ({ client }) => {
    for (const text of ['hello', 'héllo wörld ✓ 🚀', 'two\nlines "quoted" \\ back\tslash']) {
      const r = await client.callTool({ name: 'demo__echo', arguments: { text } });
      assert.notEqual(r.isError, true);
      assert.deepEqual(r.content, [{ type: 'text', text }]);
    }
  });
});

test('v1: callTool demo__add returns structuredContent {sum}', opts, async () => {
  await withV1(async ({ client }) => {
    await client.listTools(); // lets the SDK validate against the outputSchema
    const r = await client.callTool({ name: 'demo__add', arguments: { a: 2, b: 3.5 } });
    assert.notEqual(r.isError, true);
    assert.deepEqual(r.structuredContent, { sum: 5.5 });
    // A tool returning structuredContent SHOULD also return it as text.
    assert.deepEqual(JSON.parse(resultText(r)), { sum: 5.5 });
  });
});

test('v1: invalid arguments are a tool execution error (isError) on 2025-11-25', opts, async () => {
  await withV1(async ({ client }) => {
    const r = await client.callTool({ name: 'demo__echo', arguments: { text: 42 } });
    assert.equal(r.isError, true, `expected isError, got ${JSON.stringify(r)}`);
    const text = resultText(r);
    assert.match(text, /Invalid arguments for tool demo__echo/);
    assert.match(text, /\/text: expected string, got number/);

    const missing = await client.callTool({ name: 'demo__echo', arguments: {} });
    assert.equal(missing.isError, true, `expected isError, got ${JSON.stringify(missing)}`);
    assert.match(resultText(missing), /Invalid arguments for tool demo__echo/);

    const extra = await client.callTool({ name: 'demo__add', arguments: { a: 1, b: 2, c: 3 } });
    assert.equal(extra.isError, true, `additionalProperties:false not enforced: ${JSON.stringify(extra)}`);
    assert.match(resultText(extra), /Invalid arguments for tool demo__add/);
  });
});

for (const version of ['2024-11-05', '2025-03-26', '2025-06-18']) {
  test(`raw ${version}: invalid arguments are JSON-RPC error -32602`, opts, async () => {
    await withLineClient(['stdio', '--demo'], async (c) => {
      const init = await c.initialize(version);
      assert.equal(init.protocolVersion, version);
      const r = await c.request('tools/call', { name: 'demo__echo', arguments: { text: 42 } });
      assert.ok(r.error, `expected a JSON-RPC error, got ${JSON.stringify(r)}`);
      assert.equal(r.error.code, -32602);
      assert.match(r.error.message, /Invalid arguments for tool demo__echo/);
      assert.match(r.error.message, /\/text: expected string, got number/);
    });
  });
}

test('raw 2025-11-25: invalid arguments are a result with isError', opts, async () => {
  await withLineClient(['stdio', '--demo'], async (c) => {
    await c.initialize('2025-11-25');
    const r = await c.request('tools/call', { name: 'demo__echo', arguments: { text: 42 } });
    assert.ok(r.result, `expected a result, got ${JSON.stringify(r)}`);
    assert.equal(r.result.isError, true);
    assert.match(resultText(r.result), /Invalid arguments for tool demo__echo: .*\/text: expected string, got number/);
  });
});

test('v1: an unknown tool is a protocol error', opts, async () => {
  await withV1(async ({ client }) => {
    await assert.rejects(
      client.callTool({ name: 'demo__nope', arguments: {} }),
      (e) => {
        assert.ok(e instanceof McpError, `not an McpError: ${e}`);
        assert.equal(e.code, -32602);
        assert.match(e.message, /Unknown tool: demo__nope/);
        return true;
      },
    );
    // The session goes on.
    const r = await client.callTool({ name: 'demo__echo', arguments: { text: 'still here' } });
    assert.equal(resultText(r), 'still here');
  });
});

test('v1: demo__wait reports increasing progress through onprogress', opts, async () => {
  await withV1(async ({ client }) => {
    const progress = [];
    const r = await client.callTool({ name: 'demo__wait', arguments: { ms: 500 } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    assert.equal(resultText(r), 'waited 500 ms');
    assert.ok(progress.length >= 3, `only ${progress.length} progress notifications`);
    for (let i = 1; i < progress.length; i++) {
      assert.ok(progress[i].progress > progress[i - 1].progress, 'progress must increase');
    }
    for (const p of progress) {
      assert.equal(p.total, 500);
      assert.ok(p.progress < 500);
      assert.equal(p.message, 'waiting'); // message exists from 2025-03-26
    }
  });
});

test('v1: aborting demo__wait sends notifications/cancelled and mcpgate goes quiet', opts, async () => {
  await withV1(async ({ client, wire }) => {
    const ac = new AbortController();
    let firstProgress;
    const gotProgress = new Promise((r) => { firstProgress = r; });
    const call = client.callTool({ name: 'demo__wait', arguments: { ms: 5000 } }, undefined, {
      signal: ac.signal,
      onprogress: () => firstProgress(),
    });
    const outcome = call.then(() => 'resolved', (e) => e);
    await withTimeout(gotProgress, 3000, 'the first progress notification');
    const req = messagesOut(wire).find((m) => m.method === 'tools/call');
    const token = req.params._meta.progressToken;
    ac.abort('test cancels');
    const err = await outcome;
    assert.notEqual(err, 'resolved', 'the aborted call resolved');
    const abortedAt = wire.length;

    const cancel = messagesOut(wire).find((m) => m.method === 'notifications/cancelled');
    assert.ok(cancel, 'the SDK sent no notifications/cancelled');
    assert.equal(cancel.params.requestId, req.id);

    // demo__wait reports every 500 ms; give it well over two periods.
    await sleep(1300);
    const late = wire.slice(abortedAt).filter((e) => e.dir === 'in').map((e) => e.msg);
    assert.deepEqual(late.filter((m) => m.id === req.id), [], 'mcpgate answered a cancelled request');
    assert.deepEqual(late.filter((m) => m.method === 'notifications/progress' && m.params.progressToken === token), [],
      'progress kept coming after cancellation');

    const r = await client.callTool({ name: 'demo__echo', arguments: { text: 'after cancel' } });
    assert.equal(resultText(r), 'after cancel');
  });
});
