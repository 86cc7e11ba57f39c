// http_v1.test.mjs - `mcpgate serve` against the official v1 TypeScript SDK
// (@modelcontextprotocol/sdk 1.32.2) and its StreamableHTTPClientTransport:
// legacy sessions (initialize, Mcp-Session-Id, MCP-Protocol-Version), tools,
// progress over a POST event stream, cancellation, DELETE, and older
// revisions (2025-03-26 with JSON-RPC batches).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import {
  HTTP_TEST_TIMEOUT, DEMO_TOOLS, LEGACY_VERSIONS, startHttpGate, httpClient, assertCleanStderr, resultText,
  tapTransport, postRpc, httpRequest, withTimeout, sleep,
} from './lib.mjs';

const opts = { timeout: HTTP_TEST_TIMEOUT };

/**
 * Connect a v1 Client to a fresh `mcpgate serve --demo` over Streamable
 * HTTP, run fn, close, then SIGTERM mcpgate and check a clean exit 0.
 * Every HTTP exchange is recorded in `http` ({ method, headers, body,
 * status, contentType }); `wire` holds the JSON-RPC messages.
 * `askVersion` rewrites the protocolVersion of the SDK's initialize (the
 * v1 Client always asks for its latest).
 */
async function withV1(fn, { askVersion } = {}) {
  const gate = await startHttpGate();
  const pool = await httpClient();
  const http = [];
  const fetchTap = async (input, init = {}) => {
    let body = init.body;
    if (askVersion && typeof body === 'string' && body.includes('"initialize"')) {
      const msg = JSON.parse(body);
      if (msg.method === 'initialize') {
        msg.params.protocolVersion = askVersion;
        body = JSON.stringify(msg);
      }
    }
    const rec = { method: init.method ?? 'GET', headers: new Headers(init.headers), body };
    http.push(rec);
    const res = await pool.fetch(input, { ...init, body });
    rec.status = res.status;
    rec.contentType = res.headers.get('content-type') ?? '';
    return res;
  };
  const transport = new StreamableHTTPClientTransport(new URL(gate.url), { fetch: fetchTap });
  const errors = [];
  const wire = tapTransport(transport);
  const client = new Client({ name: 'mcpgate-it-v1-http', version: '0.0.0' });
  client.onerror = (e) => errors.push(e);
  try {
    await withTimeout(client.connect(transport), 8000, 'v1 connect');
    await fn({ client, transport, wire, http, gate, fetch: pool.fetch, errors });
    await withTimeout(client.close(), 5000, 'v1 client.close()');
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
const inbound = (wire) => wire.filter((e) => e.dir === 'in').map((e) => e.msg);

test('v1: connects with a session; negotiated version, serverInfo, headers on every request', opts, async () => {
  await withV1(async ({ client, transport, http }) => {
    assert.equal(transport.protocolVersion, LATEST_PROTOCOL_VERSION);
    assert.ok(LEGACY_VERSIONS.includes(transport.protocolVersion));
    const info = client.getServerVersion();
    assert.equal(info.name, 'mcpgate');
    assert.equal(typeof info.version, 'string');
    assert.equal(typeof info.title, 'string');
    assert.ok(client.getServerCapabilities()?.tools, 'no tools capability');
    assert.match(client.getInstructions() ?? '', /<server>__<tool>/);
    const sid = transport.sessionId;
    assert.match(sid, /^[0-9a-f]{64}$/);

    await client.ping();
    await client.listTools();
    const [init, ...rest] = posts(http);
    assert.equal(bodyOf(init).method, 'initialize');
    assert.equal(init.headers.get('mcp-session-id'), null);
    assert.match(init.contentType, /application\/json/);
    assert.ok(rest.length >= 3);
    for (const r of rest) {
      assert.equal(r.headers.get('mcp-session-id'), sid, `${r.body} lacks the session id`);
      assert.equal(r.headers.get('mcp-protocol-version'), transport.protocolVersion);
    }
    const initialized = rest.find((r) => bodyOf(r).method === 'notifications/initialized');
    assert.equal(initialized.status, 202);
    // After initialized the SDK opens the session's GET stream.
    const deadline = Date.now() + 3000;
    while (!http.some((r) => r.method === 'GET' && r.status) && Date.now() < deadline) await sleep(20);
    const get = http.find((r) => r.method === 'GET');
    assert.ok(get, 'the SDK opened no GET stream');
    assert.equal(get.status, 200);
    assert.match(get.contentType, /^text\/event-stream/);
    assert.equal(get.headers.get('mcp-session-id'), sid);
  });
});

test('v1: listTools lists the demo tools with their schemas', opts, async () => {
  await withV1(async ({ client }) => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), DEMO_TOOLS);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    for (const t of tools) assert.equal(t.inputSchema.type, 'object');
    assert.deepEqual(byName.demo__echo.inputSchema.required, ['text']);
    assert.deepEqual(byName.demo__add.outputSchema.required, ['sum']);
    assert.equal(byName.demo__echo.annotations?.readOnlyHint, true);
  });
});

test('v1: callTool demo__echo and demo__add (structured content)', opts, async () => {
  await withV1(async ({ client, http }) => {
    const text = 'über "quotes"\nand a second line ✓';
    const e = await client.callTool({ name: 'demo__echo', arguments: { text } });
    assert.notEqual(e.isError, true);
    assert.deepEqual(e.content, [{ type: 'text', text }]);

    await client.listTools(); // lets the SDK check structuredContent against outputSchema
    const a = await client.callTool({ name: 'demo__add', arguments: { a: 40, b: 2.5 } });
    assert.notEqual(a.isError, true);
    assert.deepEqual(a.structuredContent, { sum: 42.5 });
    assert.deepEqual(JSON.parse(resultText(a)), { sum: 42.5 });
    // Nothing came before the responses: plain JSON replies.
    for (const r of posts(http).filter((x) => bodyOf(x).method === 'tools/call')) {
      assert.match(r.contentType, /^application\/json/);
    }
  });
});

test('v1: bad arguments are a tool execution error; an unknown tool a protocol error', opts, async () => {
  await withV1(async ({ client }) => {
    const r = await client.callTool({ name: 'demo__echo', arguments: { text: 42 } });
    assert.equal(r.isError, true, JSON.stringify(r));
    assert.match(resultText(r), /Invalid arguments for tool demo__echo/);
    assert.match(resultText(r), /\/text: expected string, got number/);

    const missing = await client.callTool({ name: 'demo__add', arguments: { a: 1 } });
    assert.equal(missing.isError, true);
    assert.match(resultText(missing), /Invalid arguments for tool demo__add/);

    await assert.rejects(client.callTool({ name: 'nope__nothing', arguments: {} }), (e) => {
      assert.equal(e.code, -32602);
      assert.match(e.message, /Unknown tool: nope__nothing/);
      return true;
    });
    assert.equal(resultText(await client.callTool({ name: 'demo__echo', arguments: { text: 'ok' } })), 'ok');
  });
});

test('v1: progress arrives through onprogress and turns the reply into an SSE stream', opts, async () => {
  await withV1(async ({ client, http }) => {
    const progress = [];
    const r = await client.callTool({ name: 'demo__wait', arguments: { ms: 400 } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    assert.equal(resultText(r), 'waited 400 ms');
    assert.ok(progress.length >= 3, `only ${progress.length} progress notifications`);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].progress > progress[i - 1].progress);
    for (const p of progress) {
      assert.equal(p.total, 400);
      assert.equal(p.message, 'waiting');
    }
    const post = posts(http).find((x) => bodyOf(x).params?.name === 'demo__wait');
    assert.ok(bodyOf(post).params._meta?.progressToken !== undefined, 'the SDK sent no progressToken');
    assert.match(post.contentType, /^text\/event-stream/, 'the reply with progress was not an event stream');
  });
});

test('v1: aborting a call sends notifications/cancelled; the request is never answered', opts, async () => {
  await withV1(async ({ client, http, wire }) => {
    const ac = new AbortController();
    let first;
    const gotProgress = new Promise((r) => { first = r; });
    const outcome = client.callTool({ name: 'demo__wait', arguments: { ms: 5000 } }, undefined, {
      signal: ac.signal,
      onprogress: () => first(),
    }).then(() => 'resolved', (e) => e);
    await withTimeout(gotProgress, 3000, 'the first progress notification');
    const req = bodyOf(posts(http).find((x) => bodyOf(x).params?.name === 'demo__wait'));
    ac.abort('test cancels');
    assert.notEqual(await outcome, 'resolved', 'the aborted call resolved');

    // The SDK tells the server with a notification, which gets 202.
    const deadline = Date.now() + 2000;
    let cancel;
    while (!(cancel = posts(http).find((x) => bodyOf(x).method === 'notifications/cancelled' && x.status)) && Date.now() < deadline) await sleep(20);
    assert.ok(cancel, 'the SDK sent no notifications/cancelled');
    assert.equal(bodyOf(cancel).params.requestId, req.id);
    assert.equal(cancel.status, 202);
    const after = wire.length;

    await sleep(1200);
    const late = wire.slice(after).filter((e) => e.dir === 'in').map((e) => e.msg);
    assert.deepEqual(late.filter((m) => m.id === req.id), [], 'mcpgate answered a cancelled request');
    assert.deepEqual(late.filter((m) => m.method === 'notifications/progress'), [], 'progress kept coming after cancellation');
    assert.equal(resultText(await client.callTool({ name: 'demo__echo', arguments: { text: 'after cancel' } })), 'after cancel');
    assert.equal(inbound(wire).filter((m) => m.id === req.id).length, 0);
  });
});

test('v1: terminateSession() deletes the session; its id is 404 afterwards', opts, async () => {
  await withV1(async ({ client, transport, http, fetch, gate }) => {
    await client.listTools();
    const sid = transport.sessionId;
    await transport.terminateSession();
    assert.equal(transport.sessionId, undefined);
    const del = http.find((r) => r.method === 'DELETE');
    assert.ok(del, 'no DELETE sent');
    assert.equal(del.headers.get('mcp-session-id'), sid);
    assert.equal(del.status, 200);

    const h = { 'mcp-session-id': sid, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION };
    const r = await postRpc(fetch, gate.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, h);
    assert.equal(r.status, 404, r.text);
    assert.equal(r.json?.error?.code, -32600);
    const g = await httpRequest(fetch, gate.url, { headers: { ...h, accept: 'text/event-stream' } });
    assert.equal(g.status, 404);
  });
});

for (const v of LEGACY_VERSIONS.filter((x) => x !== LATEST_PROTOCOL_VERSION)) {
  test(`v1 asking for ${v}: mcpgate agrees and the SDK sends it on every request`, opts, async () => {
    await withV1(async ({ client, transport, http }) => {
      assert.equal(transport.protocolVersion, v);
      const info = client.getServerVersion();
      assert.equal(info.name, 'mcpgate');
      if (v < '2025-06-18') assert.equal(info.title, undefined, 'Implementation.title came in 2025-06-18');
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), DEMO_TOOLS);
      assert.equal(resultText(await client.callTool({ name: 'demo__echo', arguments: { text: v } })), v);
      const add = await client.callTool({ name: 'demo__add', arguments: { a: 1, b: 2 } });
      assert.deepEqual(JSON.parse(resultText(add)), { sum: 3 });
      if (v >= '2025-06-18') assert.deepEqual(add.structuredContent, { sum: 3 });
      else assert.equal(add.structuredContent, undefined, `structuredContent sent to a ${v} session`);
      const progress = [];
      const w = await client.callTool({ name: 'demo__wait', arguments: { ms: 200 } }, undefined, { onprogress: (p) => progress.push(p) });
      assert.equal(resultText(w), 'waited 200 ms');
      assert.ok(progress.length >= 2);
      for (const r of posts(http).slice(1)) assert.equal(r.headers.get('mcp-protocol-version'), v);
    }, { askVersion: v });
  });
}

test('v1 at 2025-03-26: a JSON-RPC batch on the session is answered with an array', opts, async () => {
  await withV1(async ({ transport, fetch, gate }) => {
    assert.equal(transport.protocolVersion, '2025-03-26');
    const h = { 'mcp-session-id': transport.sessionId, 'mcp-protocol-version': '2025-03-26' };
    const r = await postRpc(fetch, gate.url, [
      { jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 'demo__add', arguments: { a: 1, b: 2 } } },
      { jsonrpc: '2.0', method: 'notifications/roots/list_changed' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    ], h);
    assert.equal(r.status, 200);
    assert.ok(Array.isArray(r.json), `not an array: ${r.text}`);
    assert.equal(r.json.length, 2);
    const a = r.json.find((m) => m.id === 'a');
    const l = r.json.find((m) => m.id === 2);
    // structuredContent came in 2025-06-18: a 2025-03-26 session gets the text only.
    assert.equal(a.result.structuredContent, undefined, 'structuredContent sent to a 2025-03-26 session');
    assert.deepEqual(JSON.parse(resultText(a.result)), { sum: 3 });
    assert.deepEqual(l.result.tools.map((t) => t.name).sort(), DEMO_TOOLS);
  }, { askVersion: '2025-03-26' });
});

test('v1 at 2025-06-18: a JSON-RPC batch is refused, single messages still work', opts, async () => {
  await withV1(async ({ client, transport, fetch, gate }) => {
    assert.equal(transport.protocolVersion, '2025-06-18');
    const h = { 'mcp-session-id': transport.sessionId, 'mcp-protocol-version': '2025-06-18' };
    const r = await postRpc(fetch, gate.url, [
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    ], h);
    assert.equal(r.status, 400, `HTTP ${r.status} ${r.text}`);
    assert.ok(!Array.isArray(r.json), `a refused batch answered with an array: ${r.text}`);
    assert.equal(r.json?.error?.code, -32600, r.text);
    assert.ok(!r.text.includes('"result"'), `a batch member was processed: ${r.text}`);
    const { tools } = await client.listTools();
    assert.equal(tools.length, DEMO_TOOLS.length);
  }, { askVersion: '2025-06-18' });
});
