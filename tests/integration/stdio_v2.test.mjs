// stdio_v2.test.mjs - mcpgate stdio against the official v2 TypeScript client
// (@modelcontextprotocol/client), which speaks the modern 2026-07-28 era
// when asked to negotiate (versionNegotiation 'auto' probes server/discover).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, ProtocolError, LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import {
  MCPGATE_BIN, TEST_TIMEOUT, DEMO_TOOLS, MODERN_VERSION, META, ALL_VERSIONS, LEGACY_VERSIONS,
  requireBinary, childEnv, assertCleanStderr, collect, tapTransport, resultText, sleep, withTimeout,
} from './lib.mjs';

const opts = { timeout: TEST_TIMEOUT };

/**
 * Connect a v2 Client to a fresh `mcpgate stdio --demo`, run fn, close, and
 * check that mcpgate exited 0 at end of input with a clean stderr.  In
 * 'auto' mode the SDK probes on a short-lived sibling process whose stderr it
 * discards; the checks apply to the session child.
 */
async function withV2(versionNegotiation, fn) {
  requireBinary();
  const transport = new StdioClientTransport({
    command: MCPGATE_BIN,
    args: ['stdio', '--demo'],
    env: childEnv(),
    stderr: 'pipe',
  });
  const stderr = collect(transport.stderr);
  const wire = tapTransport(transport);
  const client = new Client({ name: 'mcpgate-it-v2', version: '0.0.0' },
    versionNegotiation ? { versionNegotiation } : {});
  let proc;
  try {
    await withTimeout(client.connect(transport), 8000, 'v2 connect');
    proc = transport._process; // the SDK keeps its child here; needed for the exit status
    assert.ok(proc, 'transport has no child process');
    await fn({ client, wire, stderr });
    await withTimeout(client.close(), 6000, 'v2 client.close()');
    assert.equal(proc.killed, false, 'the SDK had to signal mcpgate: it did not exit at end of input');
    assert.equal(proc.signalCode, null, `mcpgate died of ${proc.signalCode}`);
    assert.equal(proc.exitCode, 0, `mcpgate exited ${proc.exitCode}; stderr:\n${stderr()}`);
    assertCleanStderr(stderr());
  } finally {
    proc ??= transport._process;
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }
}

const AUTO = { mode: 'auto' };
const messagesIn = (wire) => wire.filter((e) => e.dir === 'in').map((e) => e.msg);
const messagesOut = (wire) => wire.filter((e) => e.dir === 'out').map((e) => e.msg);

/** Every request on the session child's wire is modern; every result too. */
function assertModernWire(wire) {
  const out = messagesOut(wire).filter((m) => 'method' in m && 'id' in m);
  assert.ok(out.length > 0);
  for (const m of out) {
    assert.notEqual(m.method, 'initialize', 'a modern connection sent initialize');
    assert.equal(m.params?._meta?.[META.protocolVersion], MODERN_VERSION, `${m.method} lacks the modern _meta`);
  }
  for (const m of messagesIn(wire).filter((x) => 'result' in x)) {
    assert.equal(m.result.resultType, 'complete', `result lacks resultType: ${JSON.stringify(m)}`);
    assert.equal(m.result._meta?.[META.serverInfo]?.name, 'mcpgate', 'result lacks _meta serverInfo');
  }
}

test('v2 auto: the probe selects the modern era (2026-07-28)', opts, async () => {
  await withV2(AUTO, async ({ client, wire }) => {
    assert.equal(client.getProtocolEra(), 'modern');
    assert.equal(client.getNegotiatedProtocolVersion(), MODERN_VERSION);
    const d = client.getDiscoverResult();
    assert.ok(d, 'no DiscoverResult recorded');
    assert.ok(d.supportedVersions.includes(MODERN_VERSION));
    assert.ok(d.capabilities.tools);
    assert.ok(Number.isInteger(d.ttlMs) && d.ttlMs >= 0);
    assert.ok(['public', 'private'].includes(d.cacheScope));
    assert.equal(client.getServerVersion()?.name, 'mcpgate');
    // An explicit server/discover on the session itself.
    const again = await client.discover();
    assert.ok(again.supportedVersions.includes(MODERN_VERSION));
    assertModernWire(wire);
  });
});

test('v2 pinned to 2026-07-28 connects in the modern era', opts, async () => {
  await withV2({ mode: { pin: MODERN_VERSION } }, async ({ client, wire }) => {
    assert.equal(client.getProtocolEra(), 'modern');
    assert.equal(client.getNegotiatedProtocolVersion(), MODERN_VERSION);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), DEMO_TOOLS);
    assertModernWire(wire);
  });
});

test('v2 default (legacy) mode still gets a legacy session', opts, async () => {
  await withV2(undefined, async ({ client, wire }) => {
    assert.equal(client.getProtocolEra(), 'legacy');
    const v = client.getNegotiatedProtocolVersion();
    assert.ok(LEGACY_VERSIONS.includes(v), `negotiated ${v}`);
    if (LEGACY_VERSIONS.includes(LATEST_PROTOCOL_VERSION)) assert.equal(v, LATEST_PROTOCOL_VERSION);
    assert.ok(messagesOut(wire).some((m) => m.method === 'initialize'));
    const r = await client.callTool({ name: 'demo__echo', arguments: { text: 'legacy' } });
    assert.equal(resultText(r), 'legacy');
  });
});

test('v2 modern: listTools lists the demo tools with caching hints', opts, async () => {
  await withV2(AUTO, async ({ client, wire }) => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), DEMO_TOOLS);
    for (const t of tools) assert.equal(t.inputSchema.type, 'object', `${t.name} inputSchema`);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    assert.deepEqual(byName.demo__add.outputSchema.required, ['sum']);
    const raw = messagesIn(wire).find((m) => Array.isArray(m.result?.tools));
    assert.ok(raw, 'no tools/list result on the wire');
    assert.ok(Number.isInteger(raw.result.ttlMs) && raw.result.ttlMs >= 0, 'ttlMs missing');
    assert.ok(['public', 'private'].includes(raw.result.cacheScope), 'cacheScope missing');
    assert.equal(raw.result.resultType, 'complete');
    assertModernWire(wire);
  });
});

test('v2 modern: callTool demo__echo and demo__add', opts, async () => {
  await withV2(AUTO, async ({ client, wire }) => {
    const text = 'modern ✓ "era"\nline 2';
    const e = await client.callTool({ name: 'demo__echo', arguments: { text } });
    assert.notEqual(e.isError, true);
    assert.deepEqual(e.content, [{ type: 'text', text }]);

    await client.listTools(); // lets the client validate structuredContent
    const a = await client.callTool({ name: 'demo__add', arguments: { a: -1, b: 0.25 } });
    assert.notEqual(a.isError, true);
    assert.deepEqual(a.structuredContent, { sum: -0.75 });
    assert.deepEqual(JSON.parse(resultText(a)), { sum: -0.75 });
    assertModernWire(wire);
  });
});

test('v2 modern: invalid arguments are a tool execution error (isError)', opts, async () => {
  await withV2(AUTO, async ({ client }) => {
    assert.equal(client.getProtocolEra(), 'modern');
    const r = await client.callTool({ name: 'demo__echo', arguments: { text: 42 } });
    assert.equal(r.isError, true, `expected isError, got ${JSON.stringify(r)}`);
    assert.match(resultText(r), /Invalid arguments for tool demo__echo/);
    assert.match(resultText(r), /\/text: expected string, got number/);

    const w = await client.callTool({ name: 'demo__wait', arguments: { ms: -5 } });
    assert.equal(w.isError, true, `minimum:0 not enforced: ${JSON.stringify(w)}`);
    assert.match(resultText(w), /Invalid arguments for tool demo__wait/);
  });
});

test('v2 modern: an unknown tool is a protocol error', opts, async () => {
  await withV2(AUTO, async ({ client }) => {
    await assert.rejects(client.callTool({ name: 'nope__nothing', arguments: {} }), (e) => {
      assert.ok(e instanceof ProtocolError, `not a ProtocolError: ${e?.constructor?.name}: ${e}`);
      assert.equal(e.code, -32602);
      assert.match(e.message, /Unknown tool: nope__nothing/);
      return true;
    });
    const r = await client.callTool({ name: 'demo__echo', arguments: { text: 'ok' } });
    assert.equal(resultText(r), 'ok');
  });
});

test('v2 modern: demo__wait reports increasing progress', opts, async () => {
  await withV2(AUTO, async ({ client }) => {
    const progress = [];
    const r = await client.callTool({ name: 'demo__wait', arguments: { ms: 400 } }, {
      onprogress: (p) => progress.push(p),
    });
    assert.equal(resultText(r), 'waited 400 ms');
    assert.ok(progress.length >= 3, `only ${progress.length} progress notifications`);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].progress > progress[i - 1].progress);
    for (const p of progress) {
      assert.equal(p.total, 400);
      assert.equal(p.message, 'waiting');
    }
  });
});

test('v2 modern: aborting demo__wait cancels it', opts, async () => {
  await withV2(AUTO, async ({ client, wire }) => {
    const ac = new AbortController();
    let first;
    const gotProgress = new Promise((r) => { first = r; });
    const outcome = client.callTool({ name: 'demo__wait', arguments: { ms: 5000 } }, {
      signal: ac.signal,
      onprogress: () => first(),
    }).then(() => 'resolved', (e) => e);
    await withTimeout(gotProgress, 3000, 'the first progress notification');
    const req = messagesOut(wire).find((m) => m.method === 'tools/call');
    ac.abort('test cancels');
    assert.notEqual(await outcome, 'resolved', 'the aborted call resolved');
    const abortedAt = wire.length;
    const cancel = messagesOut(wire).find((m) => m.method === 'notifications/cancelled');
    assert.ok(cancel, 'the SDK sent no notifications/cancelled');
    assert.equal(cancel.params.requestId, req.id);

    await sleep(1300);
    const late = wire.slice(abortedAt).filter((e) => e.dir === 'in').map((e) => e.msg);
    assert.deepEqual(late.filter((m) => m.id === req.id), [], 'mcpgate answered a cancelled request');
    assert.deepEqual(late.filter((m) => m.method === 'notifications/progress'), [],
      'progress kept coming after cancellation');
    const r = await client.callTool({ name: 'demo__echo', arguments: { text: 'after cancel' } });
    assert.equal(resultText(r), 'after cancel');
  });
});

test('v2 modern: the discover result lists only revisions mcpgate speaks', opts, async () => {
  await withV2(AUTO, async ({ client }) => {
    const d = client.getDiscoverResult();
    for (const v of d.supportedVersions) assert.ok(ALL_VERSIONS.includes(v), `unexpected version ${v}`);
    assert.equal(d.supportedVersions[0], MODERN_VERSION, 'newest first');
  });
});
