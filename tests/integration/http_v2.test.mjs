// http_v2.test.mjs - `mcpgate serve` against the official v2 TypeScript
// client (@modelcontextprotocol/client 2.4.0) and its Streamable HTTP
// transport.  With versionNegotiation 'auto' (or a 2026-07-28 pin) it speaks
// the modern era: stateless POSTs whose MCP-Protocol-Version, Mcp-Method
// and Mcp-Name headers mirror the body.  Without it, a legacy session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport, ProtocolError, LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/client';
import {
  HTTP_TEST_TIMEOUT, DEMO_TOOLS, MODERN_VERSION, LEGACY_VERSIONS, META, ALL_VERSIONS,
  startHttpGate, httpClient, assertCleanStderr, resultText, tapTransport, postRpc, withTimeout, sleep,
} from './lib.mjs';

const opts = { timeout: HTTP_TEST_TIMEOUT };
const AUTO = { mode: 'auto' };

/**
 * Connect a v2 Client over HTTP to a fresh `mcpgate serve --demo`, run fn,
 * close, SIGTERM mcpgate and check a clean exit 0.  `http` records every
 * exchange ({ method, headers, body, status, contentType, aborted() }).
 */
async function withV2(versionNegotiation, fn) {
  const gate = await startHttpGate();
  const pool = await httpClient();
  const http = [];
  const fetchTap = async (input, init = {}) => {
    const rec = { method: init.method ?? 'GET', headers: new Headers(init.headers), body: init.body, signal: init.signal };
    http.push(rec);
    const res = await pool.fetch(input, init);
    rec.status = res.status;
    rec.contentType = res.headers.get('content-type') ?? '';
    return res;
  };
  const transport = new StreamableHTTPClientTransport(new URL(gate.url), { fetch: fetchTap });
  const wire = tapTransport(transport);
  const client = new Client({ name: 'mcpgate-it-v2-http', version: '0.0.0' },
    versionNegotiation ? { versionNegotiation } : {});
  try {
    await withTimeout(client.connect(transport), 8000, 'v2 connect');
    await fn({ client, transport, wire, http, gate, fetch: pool.fetch });
    await withTimeout(client.close(), 5000, 'v2 client.close()');
    await pool.close();
    const { code, signal, ms } = await gate.stop();
    assert.equal(signal, null, `mcpgate died of ${signal}`);
    assert.equal(code, 0, `mcpgate exited ${code}; stderr:\n${gate.stderr()}`);
    assert.ok(ms < 5000, `mcpgate took ${ms} ms to stop`);
    assertCleanStderr(gate.stderr());
  } finally {
    await pool.close();
    gate.kill();
  }
}

const bodyOf = (rec) => (typeof rec.body === 'string' ? JSON.parse(rec.body) : undefined);
const posts = (http) => http.filter((r) => r.method === 'POST');

/** Every request went out as a modern POST whose headers mirror its body. */
function assertModernHttp(http) {
  assert.deepEqual(http.filter((r) => r.method !== 'POST').map((r) => r.method), [], 'a modern client sent GET/DELETE');
  const reqs = posts(http);
  assert.ok(reqs.length > 0);
  for (const r of reqs) {
    const msg = bodyOf(r);
    const what = `${msg.method ?? 'response'} ${r.body.slice(0, 120)}`;
    assert.notEqual(msg.method, 'initialize', 'a modern connection sent initialize');
    assert.equal(r.headers.get('mcp-session-id'), null, `${what}: carries Mcp-Session-Id`);
    assert.equal(r.headers.get('mcp-protocol-version'), MODERN_VERSION, `${what}: MCP-Protocol-Version`);
    if (msg.method !== undefined) {
      assert.equal(r.headers.get('mcp-method'), msg.method, `${what}: Mcp-Method`);
      assert.equal(msg.params?._meta?.[META.protocolVersion], MODERN_VERSION, `${what}: _meta protocol version`);
      assert.ok(msg.params._meta[META.clientCapabilities], `${what}: _meta client capabilities`);
    }
    if (msg.method === 'tools/call') assert.equal(r.headers.get('mcp-name'), msg.params.name, `${what}: Mcp-Name`);
    if (r.status !== undefined && 'id' in msg) assert.equal(r.status, 200, `${what}: HTTP ${r.status}`);
  }
}

function assertModernResults(wire) {
  for (const m of wire.filter((e) => e.dir === 'in' && 'result' in e.msg).map((e) => e.msg)) {
    assert.equal(m.result.resultType, 'complete', `result lacks resultType: ${JSON.stringify(m)}`);
    assert.equal(m.result._meta?.[META.serverInfo]?.name, 'mcpgate', 'result lacks _meta serverInfo');
  }
}

test('v2 auto over HTTP: server/discover selects the modern era (2026-07-28)', opts, async () => {
  await withV2(AUTO, async ({ client, transport, http, wire }) => {
    assert.equal(client.getProtocolEra(), 'modern');
    assert.equal(client.getNegotiatedProtocolVersion(), MODERN_VERSION);
    assert.equal(transport.sessionId, undefined, 'a modern connection has no session');
    const d = client.getDiscoverResult();
    assert.ok(d, 'no DiscoverResult recorded');
    assert.equal(d.supportedVersions[0], MODERN_VERSION);
    for (const v of d.supportedVersions) assert.ok(ALL_VERSIONS.includes(v), `unexpected version ${v}`);
    assert.ok(d.capabilities.tools);
    assert.equal(client.getServerVersion()?.name, 'mcpgate');
    const probe = posts(http)[0];
    assert.equal(bodyOf(probe).method, 'server/discover');
    assert.equal(probe.status, 200);
    assert.match(probe.contentType, /^application\/json/);
    const again = await client.discover();
    assert.ok(again.supportedVersions.includes(MODERN_VERSION));
    assertModernHttp(http);
    assertModernResults(wire);
  });
});

test('v2 pinned to 2026-07-28 over HTTP: modern from the start', opts, async () => {
  await withV2({ mode: { pin: MODERN_VERSION } }, async ({ client, http, wire }) => {
    assert.equal(client.getProtocolEra(), 'modern');
    assert.equal(client.getNegotiatedProtocolVersion(), MODERN_VERSION);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), DEMO_TOOLS);
    assertModernHttp(http);
    assertModernResults(wire);
  });
});

test('v2 modern over HTTP: listTools and callTool, with routing headers on the wire', opts, async () => {
  await withV2(AUTO, async ({ client, http, wire }) => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), DEMO_TOOLS);
    const raw = wire.find((e) => e.dir === 'in' && Array.isArray(e.msg.result?.tools))?.msg;
    assert.ok(Number.isInteger(raw.result.ttlMs) && raw.result.ttlMs >= 0, 'ttlMs missing');
    assert.ok(['public', 'private'].includes(raw.result.cacheScope), 'cacheScope missing');

    const text = 'modern ✓ over "HTTP"\nline 2';
    const e = await client.callTool({ name: 'demo__echo', arguments: { text } });
    assert.notEqual(e.isError, true);
    assert.deepEqual(e.content, [{ type: 'text', text }]);
    const a = await client.callTool({ name: 'demo__add', arguments: { a: -1, b: 0.25 } });
    assert.deepEqual(a.structuredContent, { sum: -0.75 });

    const calls = posts(http).filter((r) => bodyOf(r).method === 'tools/call');
    assert.deepEqual(calls.map((r) => r.headers.get('mcp-name')), ['demo__echo', 'demo__add']);
    assertModernHttp(http);
    assertModernResults(wire);
  });
});

test('v2 modern over HTTP: invalid arguments are isError; an unknown tool is a ProtocolError', opts, async () => {
  await withV2(AUTO, async ({ client, http }) => {
    const r = await client.callTool({ name: 'demo__echo', arguments: { text: 42 } });
    assert.equal(r.isError, true, JSON.stringify(r));
    assert.match(resultText(r), /Invalid arguments for tool demo__echo/);
    assert.match(resultText(r), /\/text: expected string, got number/);
    const w = await client.callTool({ name: 'demo__wait', arguments: { ms: -5 } });
    assert.equal(w.isError, true);
    await assert.rejects(client.callTool({ name: 'nope__nothing', arguments: {} }), (err) => {
      assert.ok(err instanceof ProtocolError, `${err?.constructor?.name}: ${err}`);
      assert.equal(err.code, -32602);
      assert.match(err.message, /Unknown tool: nope__nothing/);
      return true;
    });
    assertModernHttp(http);
  });
});

test('v2 modern over HTTP: progress arrives on the POST event stream', opts, async () => {
  await withV2(AUTO, async ({ client, http }) => {
    const progress = [];
    const r = await client.callTool({ name: 'demo__wait', arguments: { ms: 400 } }, { onprogress: (p) => progress.push(p) });
    assert.equal(resultText(r), 'waited 400 ms');
    assert.ok(progress.length >= 3, `only ${progress.length} progress notifications`);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].progress > progress[i - 1].progress);
    for (const p of progress) assert.equal(p.total, 400);
    const post = posts(http).find((x) => bodyOf(x).params?.name === 'demo__wait');
    assert.match(post.contentType, /^text\/event-stream/);
    assertModernHttp(http);
  });
});

test('v2 modern over HTTP: aborting a call closes its POST (no notifications/cancelled)', opts, async () => {
  await withV2(AUTO, async ({ client, http, wire }) => {
    const ac = new AbortController();
    let first;
    const gotProgress = new Promise((r) => { first = r; });
    const outcome = client.callTool({ name: 'demo__wait', arguments: { ms: 5000 } }, {
      signal: ac.signal, onprogress: () => first(),
    }).then(() => 'resolved', (e) => e);
    await withTimeout(gotProgress, 3000, 'the first progress notification');
    const post = posts(http).find((x) => bodyOf(x).params?.name === 'demo__wait');
    const id = bodyOf(post).id;
    ac.abort('test cancels');
    assert.notEqual(await outcome, 'resolved');
    const after = wire.length;
    await sleep(800);
    assert.equal(post.signal?.aborted, true, 'the SDK did not abort the POST of the cancelled request');
    assert.deepEqual(posts(http).filter((x) => bodyOf(x).method === 'notifications/cancelled').map((x) => x.body), [],
      '2026-07-28 cancels by closing the stream');
    const late = wire.slice(after).filter((e) => e.dir === 'in').map((e) => e.msg);
    assert.deepEqual(late.filter((m) => m.id === id || m.method === 'notifications/progress'), []);
    assert.equal(resultText(await client.callTool({ name: 'demo__echo', arguments: { text: 'after' } })), 'after');
    assertModernHttp(http);
  });
});

test('v2 legacy mode over HTTP: an initialize session with Mcp-Session-Id', opts, async () => {
  await withV2(undefined, async ({ client, transport, http }) => {
    assert.equal(client.getProtocolEra(), 'legacy');
    const v = client.getNegotiatedProtocolVersion();
    assert.ok(LEGACY_VERSIONS.includes(v), `negotiated ${v}`);
    if (LEGACY_VERSIONS.includes(LATEST_PROTOCOL_VERSION)) assert.equal(v, LATEST_PROTOCOL_VERSION);
    const sid = transport.sessionId;
    assert.match(sid, /^[0-9a-f]{64}$/);
    assert.equal(bodyOf(posts(http)[0]).method, 'initialize');

    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), DEMO_TOOLS);
    assert.equal(resultText(await client.callTool({ name: 'demo__echo', arguments: { text: 'legacy' } })), 'legacy');
    const bad = await client.callTool({ name: 'demo__echo', arguments: { text: 1 } });
    assert.equal(bad.isError, true);
    assert.match(resultText(bad), /\/text: expected string, got number/);
    const progress = [];
    const w = await client.callTool({ name: 'demo__wait', arguments: { ms: 300 } }, { onprogress: (p) => progress.push(p) });
    assert.equal(resultText(w), 'waited 300 ms');
    assert.ok(progress.length >= 2);

    for (const r of posts(http).slice(1)) {
      assert.equal(r.headers.get('mcp-session-id'), sid);
      assert.equal(r.headers.get('mcp-protocol-version'), v);
      assert.equal(r.headers.get('mcp-method'), null, 'legacy requests carry Mcp-Method');
    }
  });
});

test('v2 legacy mode over HTTP: abort sends notifications/cancelled; terminateSession deletes', opts, async () => {
  await withV2(undefined, async ({ client, transport, http, fetch, gate }) => {
    const ac = new AbortController();
    let first;
    const gotProgress = new Promise((r) => { first = r; });
    const outcome = client.callTool({ name: 'demo__wait', arguments: { ms: 5000 } }, {
      signal: ac.signal, onprogress: () => first(),
    }).then(() => 'resolved', (e) => e);
    await withTimeout(gotProgress, 3000, 'the first progress notification');
    const id = bodyOf(posts(http).find((x) => bodyOf(x).params?.name === 'demo__wait')).id;
    ac.abort('stop');
    assert.notEqual(await outcome, 'resolved');
    const deadline = Date.now() + 2000;
    let cancel;
    while (!(cancel = posts(http).find((x) => bodyOf(x).method === 'notifications/cancelled' && x.status)) && Date.now() < deadline) await sleep(20);
    assert.ok(cancel, 'no notifications/cancelled');
    assert.equal(bodyOf(cancel).params.requestId, id);
    assert.equal(cancel.status, 202);

    const sid = transport.sessionId;
    await transport.terminateSession();
    const del = http.find((r) => r.method === 'DELETE');
    assert.equal(del?.status, 200);
    const r = await postRpc(fetch, gate.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { 'mcp-session-id': sid, 'mcp-protocol-version': client.getNegotiatedProtocolVersion() });
    assert.equal(r.status, 404);
  });
});
