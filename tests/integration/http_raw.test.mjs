// http_raw.test.mjs - `mcpgate serve` (Streamable HTTP on /mcp) driven with
// raw fetch: every status-code rule of the front door, legacy sessions and
// their GET stream, the stateless 2026-07-28 POST and its routing headers,
// Origin checks, health endpoints, and a clean exit on SIGTERM/SIGINT.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  HTTP_TEST_TIMEOUT, MODERN_VERSION, LEGACY_VERSIONS, META, DEMO_TOOLS, ACCEPT_BOTH,
  withHttpGate, startHttpGate, httpClient, postRpc, postStream, httpRequest, parseSse, sseMessages, SseReader,
  modernHeaders, modernRequest, modernMeta, openLegacySession, assertCleanStderr, resultText,
  withTimeout, sleep, MCPGATE_BIN, childEnv, killChild,
} from './lib.mjs';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const opts = { timeout: HTTP_TEST_TIMEOUT };

const ping = (id = 1) => ({ jsonrpc: '2.0', id, method: 'ping' });
const call = (id, name, args, meta) => ({
  jsonrpc: '2.0', id, method: 'tools/call',
  params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) },
});

/** A JSON-RPC error body without id (or with id null) and the given code. */
function assertRpcError(r, status, code, what) {
  assert.equal(r.status, status, `${what}: HTTP ${r.status} ${r.text}`);
  assert.match(r.contentType, /application\/json/, `${what}: content-type ${r.contentType}`);
  assert.equal(r.json?.jsonrpc, '2.0', `${what}: not a JSON-RPC body: ${r.text}`);
  assert.equal(r.json.error?.code, code, `${what}: ${r.text}`);
  assert.equal(typeof r.json.error.message, 'string');
  assert.ok(!('result' in r.json));
}

/** Open a GET stream; resolves once the response headers are in. */
async function openGet(fetch, url, headers, { timeout = 5000 } = {}) {
  const ac = new AbortController();
  let res;
  try {
    res = await withTimeout(fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal }),
      timeout, 'the GET stream response headers');
  } catch (e) {
    ac.abort();
    throw e;
  }
  const sse = res.status === 200 ? new SseReader(res) : null;
  return {
    res, sse,
    async close() { ac.abort(); if (sse) await sse.close(); },
  };
}

// --- plain endpoints -----------------------------------------------------------

test('healthz and readyz answer JSON; other paths are 404', opts, async () => {
  await withHttpGate([], async ({ fetch, gate }) => {
    const h = await httpRequest(fetch, `${gate.origin}/healthz`);
    assert.equal(h.status, 200);
    assert.match(h.contentType, /application\/json/);
    assert.equal(h.json.status, 'ok');
    assert.equal(typeof h.json.version, 'string');

    const r = await httpRequest(fetch, `${gate.origin}/readyz`);
    assert.equal(r.status, 200);
    assert.equal(r.json.status, 'ready');
    assert.equal(r.json.tools, DEMO_TOOLS.length);
    assert.deepEqual(r.json.servers, { ready: 0, connecting: 0, failed: 0, disabled: 0,
      instances: { ready: 0, connecting: 0, failed: 0, disabled: 0 } });

    for (const p of ['/', '/other', '/mcp/extra', '/MCP', '/healthz/x']) {
      const n = await httpRequest(fetch, `${gate.origin}${p}`);
      assert.equal(n.status, 404, `${p}: HTTP ${n.status}`);
      assert.equal(n.json?.error?.code, -32600, `${p}: ${n.text}`);
      const np = await postRpc(fetch, `${gate.origin}${p}`, ping());
      assert.equal(np.status, 404, `POST ${p}: HTTP ${np.status}`);
    }
  });
});

test('readyz counts the tools of the catalog (the gateway\'s own without --demo)', opts, async () => {
  const gate = await startHttpGate([], { demo: false });
  const http = await httpClient();
  try {
    const r = await httpRequest(http.fetch, `${gate.origin}/readyz`);
    assert.equal(r.json.status, 'ready');
    assert.equal(r.json.tools, DEMO_TOOLS.filter((n) => n.startsWith('gateway__')).length);
    await http.close();
    await gate.stopCleanly();
  } finally {
    await http.close();
    gate.kill();
  }
});

// --- request format ------------------------------------------------------------

test('POST body rules: 415 for a non-JSON Content-Type, 400/-32700 for bad JSON', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url);
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      const r = await postRpc(fetch, url, ping(), s.headers({ 'content-type': ct }));
      assertRpcError(r, 415, -32600, `Content-Type ${ct}`);
    }
    const ok = await postRpc(fetch, url, ping(), s.headers({ 'content-type': 'application/json; charset=utf-8' }));
    assert.equal(ok.status, 200, ok.text);

    for (const body of ['{bad', '{"jsonrpc":"2.0","id":1,', '', 'nul']) {
      const r = await postRpc(fetch, url, body, s.headers());
      assertRpcError(r, 400, -32700, `body ${JSON.stringify(body)}`);
      assert.ok(!('id' in r.json), 'an unreadable id is left out, never null');
    }
    // Also before any session exists.
    assertRpcError(await postRpc(fetch, url, '{bad'), 400, -32700, 'bad JSON without a session');
  });
});

test('a body over --max-message is refused with 413', opts, async () => {
  await withHttpGate(['--max-message', '1024'], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url);
    const small = await postRpc(fetch, url, call(1, 'demo__echo', { text: 'x'.repeat(800) }), s.headers());
    assert.equal(small.status, 200, small.text);
    assert.equal(resultText(small.json.result), 'x'.repeat(800));

    const big = await postRpc(fetch, url, call(2, 'demo__echo', { text: 'x'.repeat(2000) }), s.headers());
    assert.equal(big.status, 413, `HTTP ${big.status} ${big.text.slice(0, 200)}`);
    const modern = await postRpc(fetch, url,
      modernRequest(3, 'tools/call', { name: 'demo__echo', arguments: { text: 'y'.repeat(4000) } }),
      modernHeaders('tools/call', 'demo__echo'));
    assert.equal(modern.status, 413);
    // The server is still fine.
    assert.equal((await postRpc(fetch, url, ping(4), s.headers())).status, 200);
  });
});

test('POST accepting neither JSON nor SSE gets 406; */* is fine', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url);
    assertRpcError(await postRpc(fetch, url, ping(), s.headers({ accept: 'text/html' })), 406, -32600, 'Accept text/html');
    const any = await postRpc(fetch, url, ping(2), s.headers({ accept: '*/*' }));
    assert.equal(any.status, 200);
    assert.deepEqual(any.json, { jsonrpc: '2.0', id: 2, result: {} });
    const m = await postRpc(fetch, url, modernRequest(3, 'tools/list'), modernHeaders('tools/list', undefined, { accept: 'text/html' }));
    assertRpcError(m, 406, -32600, 'modern, Accept text/html');
    assert.equal(m.json.id, 3);
  });
});

test('methods other than POST, GET and DELETE get 405 with Allow', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    for (const method of ['PUT', 'PATCH', 'OPTIONS']) {
      const r = await httpRequest(fetch, url, { method });
      assertRpcError(r, 405, -32600, method);
      assert.equal(r.headers.get('allow'), 'GET, POST, DELETE');
    }
  });
});

// --- legacy sessions -------------------------------------------------------------

test('initialize opens a session: 64-hex Mcp-Session-Id, one per initialize, each revision echoed', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const ids = new Set();
    for (const v of LEGACY_VERSIONS) {
      const s = await openLegacySession(fetch, url, v);
      assert.equal(s.version, v, `asked for ${v}`);
      assert.equal(s.result.serverInfo.name, 'mcpgate');
      assert.ok(s.result.capabilities.tools);
      if (v >= '2025-06-18') assert.equal(typeof s.result.serverInfo.title, 'string');
      else assert.ok(!('title' in s.result.serverInfo), `${v} serverInfo has title`);
      ids.add(s.sid);
      // The session answers with its id on every reply.
      const r = await postRpc(fetch, url, ping(), s.headers());
      assert.equal(r.headers.get('mcp-session-id'), s.sid);
    }
    assert.equal(ids.size, LEGACY_VERSIONS.length, 'session ids repeat');

    // An unknown revision is answered with the latest legacy one, not an error.
    const r = await postRpc(fetch, url, {
      jsonrpc: '2.0', id: 1, method: 'initialize',
      params: { protocolVersion: '1999-01-01', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    });
    assert.equal(r.status, 200);
    assert.equal(r.json.result.protocolVersion, LEGACY_VERSIONS[0]);

    // A refused initialize opens no session.
    const bad = await postRpc(fetch, url, { jsonrpc: '2.0', id: 2, method: 'initialize', params: { capabilities: {} } });
    assert.equal(bad.status, 200);
    assert.equal(bad.json.error?.code, -32602);
    assert.equal(bad.headers.get('mcp-session-id'), null, 'a failed initialize returned a session id');
  });
});

test('without Mcp-Session-Id: 400; unknown or malformed id: 404 (POST, GET, DELETE)', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    await openLegacySession(fetch, url);
    assertRpcError(await postRpc(fetch, url, ping()), 400, -32600, 'POST without a session id');
    assertRpcError(await httpRequest(fetch, url, { headers: { accept: 'text/event-stream' } }), 400, -32600, 'GET without a session id');
    assertRpcError(await httpRequest(fetch, url, { method: 'DELETE' }), 400, -32600, 'DELETE without a session id');
    for (const sid of ['0'.repeat(64), 'abc', 'Z'.repeat(64), `${'a'.repeat(64)}0`]) {
      assertRpcError(await postRpc(fetch, url, ping(), { 'mcp-session-id': sid }), 404, -32600, `POST session ${sid}`);
      assertRpcError(await httpRequest(fetch, url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sid } }), 404, -32600, `GET session ${sid}`);
      assertRpcError(await httpRequest(fetch, url, { method: 'DELETE', headers: { 'mcp-session-id': sid } }), 404, -32600, `DELETE session ${sid}`);
    }
    // Without initialize a tools/list with a bogus id is 404, not processed.
    const r = await postRpc(fetch, url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-session-id': 'f'.repeat(64) });
    assert.equal(r.status, 404);
  });
});

test('MCP-Protocol-Version: unsupported 400, differing 400, absent or matching accepted', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url, '2025-06-18');
    assertRpcError(await postRpc(fetch, url, ping(), s.headers({ 'mcp-protocol-version': '1999-01-01' })), 400, -32600, 'unsupported');
    assertRpcError(await postRpc(fetch, url, ping(), s.headers({ 'mcp-protocol-version': 'banana' })), 400, -32600, 'garbage');
    assertRpcError(await postRpc(fetch, url, ping(), s.headers({ 'mcp-protocol-version': '2025-03-26' })), 400, -32600, 'differing');
    assertRpcError(await postRpc(fetch, url, ping(), s.headers({ 'mcp-protocol-version': '2025-11-25' })), 400, -32600, 'differing (newer)');
    assertRpcError(await httpRequest(fetch, url, { headers: s.headers({ accept: 'text/event-stream', 'mcp-protocol-version': '2025-03-26' }) }), 400, -32600, 'GET differing');
    const absent = await postRpc(fetch, url, ping(7), s.headers({ 'mcp-protocol-version': undefined }));
    assert.equal(absent.status, 200, absent.text);
    assert.deepEqual(absent.json, { jsonrpc: '2.0', id: 7, result: {} });
    const same = await postRpc(fetch, url, ping(8), s.headers());
    assert.deepEqual(same.json, { jsonrpc: '2.0', id: 8, result: {} });
  });
});

test('notifications and responses are answered 202 with an empty body', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url);
    const bodies = [
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'nothing-in-flight' } },
      { jsonrpc: '2.0', method: 'notifications/roots/list_changed' },
      { jsonrpc: '2.0', id: 99, result: {} },
      { jsonrpc: '2.0', id: 'x', error: { code: -32601, message: 'no' } },
    ];
    for (const b of bodies) {
      const r = await postRpc(fetch, url, b, s.headers());
      assert.equal(r.status, 202, `${JSON.stringify(b)}: HTTP ${r.status} ${r.text}`);
      assert.equal(r.text, '', `${JSON.stringify(b)}: 202 with a body`);
    }
    // With Accept: application/json only, a notification is 202 too.
    const j = await postRpc(fetch, url, bodies[0], s.headers({ accept: 'application/json' }));
    assert.equal(j.status, 202);
  });
});

test('request ids are echoed exactly: strings and integers, 1 and "1" distinct', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url);
    const ids = [1, '1', 0, -5, '', 'a"b\\c', 'ünï 😀', 9007199254740991, '007'];
    for (const id of ids) {
      const r = await postRpc(fetch, url, ping(id), s.headers());
      assert.equal(r.status, 200);
      assert.ok(Object.is(r.json.id, id), `legacy: sent ${JSON.stringify(id)}, got ${JSON.stringify(r.json.id)}`);
      const c = await postRpc(fetch, url, call(id, 'demo__echo', { text: 'x' }), s.headers());
      assert.ok(Object.is(c.json.id, id), `legacy tools/call: sent ${JSON.stringify(id)}, got ${JSON.stringify(c.json.id)}`);
      const m = await postRpc(fetch, url, modernRequest(id, 'tools/list'), modernHeaders('tools/list'));
      assert.equal(m.status, 200);
      assert.ok(Object.is(m.json.id, id), `modern: sent ${JSON.stringify(id)}, got ${JSON.stringify(m.json.id)}`);
    }
    // Beyond 2^53: compare the text, as JSON.parse would round it.
    const big = await postRpc(fetch, url, '{"jsonrpc":"2.0","id":9223372036854775807,"method":"ping"}', s.headers());
    assert.match(big.text, /"id":9223372036854775807[,}]/);
    // A fractional or null id is not a valid request id.
    for (const id of ['1.5', 'null']) {
      const r = await postRpc(fetch, url, `{"jsonrpc":"2.0","id":${id},"method":"ping"}`, s.headers());
      assert.equal(r.json?.error?.code, -32600, `id ${id}: ${r.text}`);
      assert.ok(!('id' in r.json), 'an unreadable id is left out, never null');
    }
  });
});

test('a request whose notifications come first is answered with an SSE stream', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url);
    const r = await postRpc(fetch, url, call('w1', 'demo__wait', { ms: 300 }, { progressToken: 'tok' }), s.headers());
    assert.equal(r.status, 200);
    assert.match(r.contentType, /^text\/event-stream/);
    assert.equal(r.headers.get('mcp-session-id'), s.sid);
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    const events = parseSse(r.text);
    const msgs = sseMessages(events);
    const progress = msgs.filter((m) => m.method === 'notifications/progress');
    assert.ok(progress.length >= 3, `only ${progress.length} progress events:\n${r.text}`);
    for (const p of progress) assert.equal(p.params.progressToken, 'tok');
    const last = msgs.at(-1);
    assert.deepEqual(last, { jsonrpc: '2.0', id: 'w1', result: { content: [{ type: 'text', text: 'waited 300 ms' }] } });
    assert.equal(msgs.filter((m) => 'id' in m).length, 1, 'more than one response on the stream');
    // Event ids are "<stream>-<n>", one stream, n counting up from 0: a
    // 2025-11-25 stream opens with a priming event (SEP-1699), no data.
    assert.equal(events[0].data, '', `no priming event first:\n${r.text}`);
    const parsed = events.map((e) => /^(\d+)-(\d+)$/.exec(e.id ?? ''));
    assert.ok(parsed.every(Boolean), `bad event ids: ${events.map((e) => e.id)}`);
    assert.equal(new Set(parsed.map((m) => m[1])).size, 1);
    assert.deepEqual(parsed.map((m) => Number(m[2])), events.map((_, i) => i));

    // Without a progress token (nothing to say first) the reply is plain JSON.
    const j = await postRpc(fetch, url, call('w2', 'demo__wait', { ms: 50 }), s.headers());
    assert.match(j.contentType, /application\/json/);
    assert.equal(resultText(j.json.result), 'waited 50 ms');
  });
});

test('GET stream (2025-11-25): priming event, then the notifications of JSON-only POSTs', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url, '2025-11-25');
    const get = await openGet(fetch, url, s.headers());
    try {
      assert.equal(get.res.status, 200);
      assert.match(get.res.headers.get('content-type'), /^text\/event-stream/);
      assert.equal(get.res.headers.get('mcp-session-id'), s.sid);
      const prime = await get.sse.next({ what: 'the priming event' });
      assert.match(prime.id ?? '', /^\d+-0$/, `priming event ${JSON.stringify(prime)}`);
      assert.equal(prime.data, '');
      const stream = prime.id.split('-')[0];

      // Accept: application/json only: progress goes to the GET stream, the
      // response to the POST.
      const post = postRpc(fetch, url, call(5, 'demo__wait', { ms: 300 }, { progressToken: 5 }), s.headers({ accept: 'application/json' }));
      const seen = [];
      for (let i = 0; i < 3; i++) seen.push(await get.sse.nextMessage(() => true, { what: `progress event ${i + 1}` }));
      const r = await post;
      assert.match(r.contentType, /application\/json/);
      assert.deepEqual(r.json, { jsonrpc: '2.0', id: 5, result: { content: [{ type: 'text', text: 'waited 300 ms' }] } });
      for (const [i, { event, msg }] of seen.entries()) {
        assert.equal(msg.method, 'notifications/progress');
        assert.equal(msg.params.progressToken, 5);
        assert.equal(event.id, `${stream}-${i + 1}`);
      }

      // A POST that accepts SSE keeps its notifications to itself; event ids
      // stay unique across the session's streams.
      const sse = await postRpc(fetch, url, call(6, 'demo__wait', { ms: 200 }, { progressToken: 6 }), s.headers());
      const postIds = parseSse(sse.text).map((e) => e.id);
      for (const id of postIds) assert.ok(!id.startsWith(`${stream}-`), `POST stream reused GET stream id ${id}`);
      await sleep(100);
      // Drain what the GET stream holds now: never a response, nothing for id 6.
      const more = [];
      for (;;) {
        const ev = await get.sse.next({ timeout: 300 }).catch(() => null);
        if (!ev) break;
        more.push(ev);
      }
      const msgs = sseMessages(more);
      assert.ok(msgs.every((m) => !('result' in m) && !('error' in m)), `a response on the GET stream: ${JSON.stringify(msgs)}`);
      assert.ok(msgs.every((m) => m.params?.progressToken !== 6), 'the SSE POST\'s progress leaked to the GET stream');
      const allIds = [...seen.map((x) => x.event.id), ...more.map((e) => e.id), ...postIds, prime.id];
      assert.equal(new Set(allIds).size, allIds.length, `event ids repeat: ${allIds}`);
    } finally {
      await get.close();
    }
  });
});

test('messages for a session without a GET stream wait for one', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url, '2025-11-25');
    const r = await postRpc(fetch, url, call('q', 'demo__wait', { ms: 100 }, { progressToken: 'q' }), s.headers({ accept: 'application/json' }));
    assert.equal(resultText(r.json.result), 'waited 100 ms');
    const get = await openGet(fetch, url, s.headers());
    try {
      const prime = await get.sse.next();
      assert.equal(prime.data, '');
      const first = await get.sse.nextMessage();
      assert.equal(first.msg.method, 'notifications/progress');
      assert.equal(first.msg.params.progressToken, 'q');
      assert.equal(first.msg.params.progress, 10);
    } finally {
      await get.close();
    }
  });
});

test('GET stream: 406 without Accept: text/event-stream; a second GET replaces the first', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url, '2025-11-25');
    assertRpcError(await httpRequest(fetch, url, { headers: s.headers() }), 406, -32600, 'GET without Accept');
    assertRpcError(await httpRequest(fetch, url, { headers: s.headers({ accept: 'application/json' }) }), 406, -32600, 'GET Accept JSON');
    const g1 = await openGet(fetch, url, s.headers());
    assert.equal(g1.res.status, 200);
    const p1 = await g1.sse.next();
    assert.match(p1.id, /^\d+-0$/, 'priming event');
    // A client that reconnects (its old stream may look alive to the
    // server) gets the new stream; the old one ends, so every message
    // still goes to exactly one stream.
    const g2 = await openGet(fetch, url, s.headers());
    try {
      assert.equal(g2.res.status, 200);
      const p2 = await g2.sse.next();
      assert.match(p2.id, /^\d+-0$/);
      assert.notEqual(p2.id, p1.id, 'event ids must be unique within the session');
      assert.equal(await g1.sse.next(), null, 'the replaced stream must end');
    } finally {
      await g1.close();
      await g2.close();
    }
  });
});

test('DELETE ends the session: 200, then 404; its GET stream ends and running POSTs get 404', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url, '2025-11-25');
    const get = await openGet(fetch, url, s.headers());
    await get.sse.next();
    const running = postRpc(fetch, url, call('long', 'demo__wait', { ms: 5000 }), s.headers({ accept: 'application/json' }));
    await sleep(150);
    const d = await httpRequest(fetch, url, { method: 'DELETE', headers: s.headers() });
    assert.equal(d.status, 200, d.text);
    assert.equal(d.text, '');
    const r = await running;
    assertRpcError(r, 404, -32600, 'the POST running when its session was deleted');
    assert.equal(await get.sse.next({ what: 'the end of the GET stream' }), null, 'the GET stream did not end');
    await get.close();
    assertRpcError(await postRpc(fetch, url, ping(), s.headers()), 404, -32600, 'POST after DELETE');
    assertRpcError(await httpRequest(fetch, url, { headers: s.headers({ accept: 'text/event-stream' }) }), 404, -32600, 'GET after DELETE');
    assertRpcError(await httpRequest(fetch, url, { method: 'DELETE', headers: s.headers() }), 404, -32600, 'DELETE after DELETE');
    // Other sessions live on.
    const other = await openLegacySession(fetch, url);
    assert.equal((await postRpc(fetch, url, ping(), other.headers())).status, 200);
  });
});

test('cancelling a request stops its progress and it is never answered', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url, '2025-11-25');
    const p = await postStream(fetch, url, call('c1', 'demo__wait', { ms: 5000 }, { progressToken: 'c1' }), s.headers());
    try {
      const first = await p.sse.nextMessage();
      assert.equal(first.msg.method, 'notifications/progress');
      const c = await postRpc(fetch, url, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'c1', reason: 'test' } }, s.headers());
      assert.equal(c.status, 202);
      // Nothing more arrives for c1.
      const more = await p.sse.next({ timeout: 1200 }).then((ev) => ev, () => 'quiet');
      assert.ok(more === 'quiet' || more === null, `after cancellation: ${JSON.stringify(more)}`);
      // The id is free again, and the session works.
      const again = await postRpc(fetch, url, call('c1', 'demo__echo', { text: 'again' }), s.headers());
      assert.equal(resultText(again.json.result), 'again');
    } finally {
      p.abort();
    }
  });
});

test('a duplicate id of a request in progress is refused', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url);
    const first = postRpc(fetch, url, call(1, 'demo__wait', { ms: 300 }), s.headers());
    await sleep(50);
    const dup = await postRpc(fetch, url, call(1, 'demo__echo', { text: 'x' }), s.headers());
    assert.equal(dup.json?.error?.code, -32600, dup.text);
    assert.equal(dup.json.id, 1);
    assert.equal(resultText((await first).json.result), 'waited 300 ms');
  });
});

// --- batches (2025-03-26 only) ------------------------------------------------

test('2025-03-26 session: a JSON-RPC batch is answered with one array', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url, '2025-03-26');
    const r = await postRpc(fetch, url, [
      ping(1),
      call('1', 'demo__echo', { text: 'batched' }),
      { jsonrpc: '2.0', method: 'notifications/roots/list_changed' },
      call(2, 'demo__add', { a: 2, b: 3 }),
    ], s.headers());
    assert.equal(r.status, 200);
    assert.ok(Array.isArray(r.json), `not an array: ${r.text}`);
    assert.equal(r.json.length, 3);
    const byKey = new Map(r.json.map((m) => [`${typeof m.id}:${m.id}`, m]));
    assert.deepEqual(byKey.get('number:1').result, {});
    assert.equal(resultText(byKey.get('string:1').result), 'batched');
    // structuredContent came in 2025-06-18: a 2025-03-26 session gets the text form only.
    assert.equal(byKey.get('number:2').result.structuredContent, undefined);
    assert.deepEqual(JSON.parse(resultText(byKey.get('number:2').result)), { sum: 5 });

    const notes = await postRpc(fetch, url, [{ jsonrpc: '2.0', method: 'notifications/roots/list_changed' }], s.headers());
    assert.equal(notes.status, 202);
    assert.equal(notes.text, '');

    const init = await postRpc(fetch, url, [{ jsonrpc: '2.0', id: 9, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {} } }], s.headers());
    const err = Array.isArray(init.json) ? init.json[0] : init.json;
    assert.equal(err?.error?.code, -32600, `initialize in a batch: ${init.text}`);
  });
});

for (const v of ['2025-06-18', '2025-11-25']) {
  test(`${v} session: a JSON-RPC batch is refused with -32600`, opts, async () => {
    await withHttpGate([], async ({ fetch, url }) => {
      const s = await openLegacySession(fetch, url, v);
      const r = await postRpc(fetch, url, [ping(1), call(2, 'demo__echo', { text: 'x' })], s.headers());
      const errs = [r.json].flat();
      assert.equal(errs.length, 1, r.text);
      assert.equal(errs[0].error?.code, -32600, r.text);
      assert.ok(!('id' in errs[0]), r.text);
      assert.ok(!r.text.includes('"result"'), `a batch member was processed: ${r.text}`);
    });
  });
}

test('a refused batch is answered with HTTP 400 and a single error object', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url, '2025-06-18');
    const r = await postRpc(fetch, url, [ping(1), ping(2)], s.headers());
    assert.equal(r.status, 400, `HTTP ${r.status} ${r.text}`);
    assert.ok(!Array.isArray(r.json), `array body: ${r.text}`);
    const n = await postRpc(fetch, url, [{ jsonrpc: '2.0', method: 'notifications/roots/list_changed' }], s.headers());
    assert.equal(n.status, 400, `notification-only batch: HTTP ${n.status} ${n.text}`);
    const o = await openLegacySession(fetch, url, '2025-03-26');
    const e = await postRpc(fetch, url, [], o.headers());
    assert.ok(!Array.isArray(e.json), `empty batch answered with an array: ${e.text}`);
  });
});

test('a notification the server does not accept gets an HTTP error status', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url);
    const r = await postRpc(fetch, url, { jsonrpc: '1.0', method: 'notifications/initialized' }, s.headers());
    assert.ok(r.status >= 400 && r.status < 500, `HTTP ${r.status} ${r.text}`);
  });
});

test('GET stream of a 2025-06-18 session sends its response headers at once', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    for (const v of ['2025-06-18', '2025-03-26']) {
      const s = await openLegacySession(fetch, url, v);
      const get = await openGet(fetch, url, s.headers(), { timeout: 2000 });
      try {
        assert.equal(get.res.status, 200);
      } finally {
        await get.close();
      }
    }
  });
});

test('the reply to a cancelled request ends (SSE stream closed, JSON POST answered)', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url, '2025-11-25');
    const p = await postStream(fetch, url, call('c1', 'demo__wait', { ms: 5000 }, { progressToken: 'c1' }), s.headers());
    const j = postRpc(fetch, url, call('c2', 'demo__wait', { ms: 5000 }), s.headers({ accept: 'application/json' }), { timeout: 3000 });
    try {
      await p.sse.nextMessage();
      for (const id of ['c1', 'c2']) {
        await postRpc(fetch, url, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id } }, s.headers());
      }
      const rest = await p.sse.rest({ timeout: 2000 });
      assert.deepEqual(sseMessages(rest).filter((m) => 'id' in m), []);
      const r = await j;
      assert.ok(r.status >= 200, `HTTP ${r.status}`);
    } finally {
      p.abort();
      await j.catch(() => {});
    }
  });
});

// --- Origin --------------------------------------------------------------------

test('Origin: foreign origins get 403; localhost pages and --allow-origin are accepted', opts, async () => {
  await withHttpGate(['--allow-origin', 'https://app.example'], async ({ fetch, url, gate }) => {
    const s = await openLegacySession(fetch, url);
    const foreign = ['https://evil.example', 'http://localhost.evil.example', 'http://127.0.0.1.evil.example:80',
      'https://app.example.evil', 'http://app.example', 'null', 'file://', 'http://10.0.0.1:3000'];
    for (const origin of foreign) {
      assertRpcError(await postRpc(fetch, url, ping(), s.headers({ origin })), 403, -32600, `POST Origin ${origin}`);
      assertRpcError(await httpRequest(fetch, url, { headers: s.headers({ origin, accept: 'text/event-stream' }) }), 403, -32600, `GET Origin ${origin}`);
      assertRpcError(await httpRequest(fetch, url, { method: 'DELETE', headers: s.headers({ origin }) }), 403, -32600, `DELETE Origin ${origin}`);
      const m = await postRpc(fetch, url, modernRequest(1, 'tools/list'), modernHeaders('tools/list', undefined, { origin }));
      assertRpcError(m, 403, -32600, `modern POST Origin ${origin}`);
      // initialize too: no session for a foreign page.
      const init = await postRpc(fetch, url, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }, { origin });
      assert.equal(init.status, 403);
      assert.equal(init.headers.get('mcp-session-id'), null);
    }
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:5173', 'http://[::1]:8080', 'http://localhost',
      'https://app.example', 'HTTPS://APP.EXAMPLE', gate.origin]) {
      const r = await postRpc(fetch, url, ping(2), s.headers({ origin }));
      assert.equal(r.status, 200, `Origin ${origin}: HTTP ${r.status} ${r.text}`);
      const m = await postRpc(fetch, url, modernRequest(3, 'tools/list'), modernHeaders('tools/list', undefined, { origin }));
      assert.equal(m.status, 200, `modern, Origin ${origin}: HTTP ${m.status}`);
    }
    // Health endpoints are not MCP: no Origin check.
    assert.equal((await httpRequest(fetch, `${gate.origin}/healthz`, { headers: { origin: 'https://evil.example' } })).status, 200);
  });
});

test('Origin: without --allow-origin only local pages are accepted', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url);
    assertRpcError(await postRpc(fetch, url, ping(), s.headers({ origin: 'https://app.example' })), 403, -32600, 'app.example without --allow-origin');
    assert.equal((await postRpc(fetch, url, ping(), s.headers({ origin: 'http://localhost:3000' }))).status, 200);
  });
});

// --- modern (2026-07-28) -------------------------------------------------------

test('modern: stateless POSTs list and call tools; results are complete and carry serverInfo', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const list = await postRpc(fetch, url, modernRequest(1, 'tools/list'), modernHeaders('tools/list'));
    assert.equal(list.status, 200);
    assert.match(list.contentType, /application\/json/);
    assert.equal(list.headers.get('mcp-session-id'), null, 'a modern reply carries Mcp-Session-Id');
    assert.deepEqual(list.json.result.tools.map((t) => t.name).sort(), DEMO_TOOLS);
    assert.equal(list.json.result.resultType, 'complete');
    assert.ok(Number.isInteger(list.json.result.ttlMs) && list.json.result.ttlMs >= 0);
    assert.ok(['public', 'private'].includes(list.json.result.cacheScope));
    assert.equal(list.json.result._meta?.[META.serverInfo]?.name, 'mcpgate');

    const echo = await postRpc(fetch, url, modernRequest('e', 'tools/call', { name: 'demo__echo', arguments: { text: 'héllo' } }), modernHeaders('tools/call', 'demo__echo'));
    assert.equal(echo.status, 200);
    assert.equal(echo.json.id, 'e');
    assert.deepEqual(echo.json.result.content, [{ type: 'text', text: 'héllo' }]);
    assert.equal(echo.json.result.resultType, 'complete');

    const add = await postRpc(fetch, url, modernRequest(2, 'tools/call', { name: 'demo__add', arguments: { a: 1.5, b: 2 } }), modernHeaders('tools/call', 'demo__add'));
    assert.deepEqual(add.json.result.structuredContent, { sum: 3.5 });

    const d = await postRpc(fetch, url, modernRequest(3, 'server/discover'), modernHeaders('server/discover'));
    assert.equal(d.status, 200);
    assert.equal(d.json.result.supportedVersions[0], MODERN_VERSION);
    assert.ok(d.json.result.capabilities.tools);
    assert.equal(d.json.result.resultType, 'complete');

    // Stateless: a session id sent along is ignored.
    const withSid = await postRpc(fetch, url, modernRequest(4, 'tools/list'), modernHeaders('tools/list', undefined, { 'mcp-session-id': 'f'.repeat(64) }));
    assert.equal(withSid.status, 200);
  });
});

test('modern: tool errors are results (isError); an unknown tool is -32602', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const bad = await postRpc(fetch, url, modernRequest(1, 'tools/call', { name: 'demo__echo', arguments: { text: 42 } }), modernHeaders('tools/call', 'demo__echo'));
    assert.equal(bad.status, 200);
    assert.equal(bad.json.result.isError, true);
    assert.match(resultText(bad.json.result), /Invalid arguments for tool demo__echo/);
    assert.match(resultText(bad.json.result), /\/text: expected string, got number/);
    const unknown = await postRpc(fetch, url, modernRequest(2, 'tools/call', { name: 'nope__x', arguments: {} }), modernHeaders('tools/call', 'nope__x'));
    assert.equal(unknown.json.error?.code, -32602, unknown.text);
    assert.equal(unknown.json.id, 2);
  });
});

test('modern: routing headers must match the body (400, -32020)', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const callBody = (id) => modernRequest(id, 'tools/call', { name: 'demo__echo', arguments: { text: 'x' } });
    const cases = [
      ['Mcp-Method missing', callBody(1), modernHeaders(undefined, 'demo__echo')],
      ['Mcp-Method differs', callBody(2), modernHeaders('tools/list', 'demo__echo')],
      ['Mcp-Method case differs', callBody(3), modernHeaders('TOOLS/CALL', 'demo__echo')],
      ['Mcp-Name missing', callBody(4), modernHeaders('tools/call')],
      ['Mcp-Name differs', callBody(5), modernHeaders('tools/call', 'demo__add')],
      ['Mcp-Name base64 differs', callBody(6), modernHeaders('tools/call', `=?base64?${Buffer.from('demo__add').toString('base64')}?=`)],
      ['Mcp-Name bad base64', callBody(7), modernHeaders('tools/call', '=?base64?!!!?=')],
      ['MCP-Protocol-Version missing', callBody(8), modernHeaders('tools/call', 'demo__echo', { 'mcp-protocol-version': undefined })],
      ['MCP-Protocol-Version legacy', callBody(9), modernHeaders('tools/call', 'demo__echo', { 'mcp-protocol-version': '2025-11-25' })],
      ['resources/read without Mcp-Name', modernRequest(11, 'resources/read', { uri: 'file:///a' }), modernHeaders('resources/read')],
      ['resources/read Mcp-Name differs', modernRequest(12, 'resources/read', { uri: 'file:///a' }), modernHeaders('resources/read', 'file:///b')],
      ['prompts/get without Mcp-Name', modernRequest(13, 'prompts/get', { name: 'p' }), modernHeaders('prompts/get')],
    ];
    for (const [what, body, headers] of cases) {
      const r = await postRpc(fetch, url, body, headers);
      assertRpcError(r, 400, -32020, what);
      assert.equal(r.json.id, body.id, `${what}: id not echoed`);
    }
    // A modern header over a body without the _meta keys: the keys are
    // checked before their agreement with the header (-32602, as the
    // conformance suite expects).
    const bare = await postRpc(fetch, url, { jsonrpc: '2.0', id: 10, method: 'tools/list', params: {} }, modernHeaders('tools/list'));
    assertRpcError(bare, 400, -32602, 'body lacks _meta');
    assert.equal(bare.json.id, 10);
  });
});

test('modern: Mcp-Name in =?base64?...?= form is decoded', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const b64 = (s) => `=?base64?${Buffer.from(s, 'utf8').toString('base64')}?=`;
    for (const name of ['demo__echo', 'demo__add', 'demo__wait']) { // 2, 0 and 1 padding characters
      const args = { demo__echo: { text: 'b64' }, demo__add: { a: 1, b: 1 }, demo__wait: { ms: 0 } }[name];
      const r = await postRpc(fetch, url, modernRequest(1, 'tools/call', { name, arguments: args }), modernHeaders('tools/call', b64(name)));
      assert.equal(r.status, 200, `${name}: ${r.text}`);
      assert.notEqual(r.json.result?.isError, true, r.text);
    }
    // A name that is not header-safe: the header is accepted, the tool is unknown.
    const odd = 'ünknown tool';
    const r = await postRpc(fetch, url, modernRequest(2, 'tools/call', { name: odd, arguments: {} }), modernHeaders('tools/call', b64(odd)));
    assert.equal(r.status, 200);
    assert.equal(r.json.error?.code, -32602);
    assert.match(r.json.error.message, /ünknown tool/);
    // resources/read with a base64 URI passes the header check (whatever the
    // read itself then answers); a different URI does not.
    const uri = 'file:///tmp/a b.txt';
    const rr = await postRpc(fetch, url, modernRequest(3, 'resources/read', { uri }), modernHeaders('resources/read', b64(uri)));
    assert.notEqual(rr.json?.error?.code, -32020, `resources/read with a base64 Mcp-Name: ${rr.text}`);
    assert.notEqual(rr.status, 400, rr.text);
    const rx = await postRpc(fetch, url, modernRequest(4, 'resources/read', { uri }), modernHeaders('resources/read', b64(`${uri}x`)));
    assertRpcError(rx, 400, -32020, 'resources/read with a different base64 URI');
  });
});

test('modern: unsupported version in header and body is 400 with -32022 and the supported list', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    for (const v of ['2099-01-01', '2026-07-27']) {
      const body = modernRequest(7, 'tools/list', {}, { [META.protocolVersion]: v });
      const r = await postRpc(fetch, url, body, modernHeaders('tools/list', undefined, { 'mcp-protocol-version': v }));
      assertRpcError(r, 400, -32022, v);
      assert.equal(r.json.id, 7);
      assert.equal(r.json.error.data?.requested, v);
      assert.ok(r.json.error.data?.supported?.includes(MODERN_VERSION), r.text);
    }
  });
});

test('modern: unknown and legacy-only methods are 404 with -32601', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    for (const method of ['foo/bar', 'ping', 'logging/setLevel', 'resources/subscribe', 'tools/List']) {
      const r = await postRpc(fetch, url, modernRequest('m', method), modernHeaders(method));
      assertRpcError(r, 404, -32601, method);
      assert.equal(r.json.id, 'm');
    }
  });
});

test('modern: initialize is not a 2026-07-28 method', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const r = await postRpc(fetch, url, modernRequest(1, 'initialize', {
      protocolVersion: MODERN_VERSION, capabilities: {}, clientInfo: { name: 'x', version: '1' },
    }), modernHeaders('initialize'));
    assertRpcError(r, 404, -32601, 'modern initialize');
  });
});

test('modern: missing client capabilities is 400 (-32602); batches 400; notifications 202', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const noCaps = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { [META.protocolVersion]: MODERN_VERSION } } };
    assertRpcError(await postRpc(fetch, url, noCaps, modernHeaders('tools/list')), 400, -32602, 'no clientCapabilities');

    const batch = await postRpc(fetch, url, [modernRequest(1, 'tools/list'), modernRequest(2, 'tools/list')], modernHeaders('tools/list'));
    assertRpcError(batch, 400, -32600, 'modern batch');

    const note = await postRpc(fetch, url, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, _meta: modernMeta() } }, modernHeaders('notifications/cancelled'));
    assert.equal(note.status, 202);
    assert.equal(note.text, '');
  });
});

test('modern: GET and DELETE are 405 (POST only)', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const h = { 'mcp-protocol-version': MODERN_VERSION };
    for (const init of [
      { method: 'GET', headers: { ...h, accept: 'text/event-stream' } },
      { method: 'GET', headers: { ...h, accept: 'text/event-stream', 'last-event-id': '1-1' } },
      { method: 'DELETE', headers: h },
      { method: 'DELETE', headers: { ...h, 'mcp-session-id': 'f'.repeat(64) } },
    ]) {
      const r = await httpRequest(fetch, url, init);
      assertRpcError(r, 405, -32600, `${init.method} ${JSON.stringify(init.headers)}`);
      assert.equal(r.headers.get('allow'), 'POST');
    }
  });
});

test('modern: progress turns the reply into an SSE stream that ends after the response', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const r = await postRpc(fetch, url,
      modernRequest('w', 'tools/call', { name: 'demo__wait', arguments: { ms: 300 } }, { progressToken: 'pt' }),
      modernHeaders('tools/call', 'demo__wait'));
    assert.equal(r.status, 200);
    assert.match(r.contentType, /^text\/event-stream/);
    assert.equal(r.headers.get('x-accel-buffering'), 'no');
    const msgs = sseMessages(parseSse(r.text));
    const progress = msgs.filter((m) => m.method === 'notifications/progress');
    assert.ok(progress.length >= 3, r.text);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].params.progress > progress[i - 1].params.progress);
    const last = msgs.at(-1);
    assert.equal(last.id, 'w');
    assert.equal(resultText(last.result), 'waited 300 ms');
    assert.equal(last.result.resultType, 'complete');
  });
});

test('modern: closing the response cancels the request; the server carries on', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const p = await postStream(fetch, url,
      modernRequest(1, 'tools/call', { name: 'demo__wait', arguments: { ms: 5000 } }, { progressToken: 1 }),
      modernHeaders('tools/call', 'demo__wait'));
    await p.sse.nextMessage();
    p.abort();
    await sleep(200);
    // Same id again: stateless, so no clash with the abandoned one.
    const r = await postRpc(fetch, url, modernRequest(1, 'tools/call', { name: 'demo__echo', arguments: { text: 'next' } }), modernHeaders('tools/call', 'demo__echo'));
    assert.equal(resultText(r.json.result), 'next');
  });
});

// --- shutdown -------------------------------------------------------------------

test('SIGTERM ends open streams and running requests, then exits 0 promptly', opts, async () => {
  const gate = await startHttpGate();
  const http = await httpClient();
  try {
    const { fetch } = http;
    const url = gate.url;
    const s = await openLegacySession(fetch, url, '2025-11-25');
    const get = await openGet(fetch, url, s.headers());
    await get.sse.next();
    const legacy = postRpc(fetch, url, call('l', 'demo__wait', { ms: 8000 }), s.headers({ accept: 'application/json' }), { timeout: 6000 });
    const modern = postRpc(fetch, url, modernRequest('m', 'tools/call', { name: 'demo__wait', arguments: { ms: 8000 } }),
      modernHeaders('tools/call', 'demo__wait'), { timeout: 6000 });
    await sleep(200);
    const t0 = Date.now();
    gate.child.kill('SIGTERM');
    assert.equal(await get.sse.next({ what: 'the GET stream to end at shutdown' }), null);
    const l = await legacy;
    assert.ok(l.status >= 400, `legacy POST at shutdown: HTTP ${l.status} ${l.text}`);
    assert.equal(l.json?.error?.code, -32600);
    const m = await modern;
    assert.equal(m.status, 503, `modern POST at shutdown: HTTP ${m.status} ${m.text}`);
    await get.close();
    await http.close();
    const { code, signal } = await withTimeout(gate.exited, 8000, 'mcpgate to exit after SIGTERM');
    const ms = Date.now() - t0;
    assert.equal(signal, null);
    assert.equal(code, 0, gate.stderr());
    assert.ok(ms < 3000, `exit took ${ms} ms`);
    assertCleanStderr(gate.stderr());
    assert.match(gate.stderr(), /SIGTERM: shutting down/);
  } finally {
    await http.close();
    gate.kill();
  }
});

test('SIGTERM closes an idle keep-alive connection at once instead of waiting for its client', opts, async () => {
  const gate = await startHttpGate();
  const sock = net.connect(Number(new URL(gate.origin).port), '127.0.0.1');
  try {
    let got = '';
    const ended = new Promise((resolve) => sock.on('close', resolve));
    sock.on('data', (d) => { got += d; });
    await new Promise((resolve) => sock.on('connect', resolve));
    sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    for (let i = 0; i < 50 && !/\r\n\r\n/.test(got); i++) await sleep(20);
    assert.match(got, /^HTTP\/1\.1 200/);
    // The connection stays open (keep-alive) and idle: the gateway ends it.
    const { code, ms } = await gate.stop();
    assert.equal(code, 0, gate.stderr());
    assert.ok(ms < 2000, `exit took ${ms} ms with an idle connection open`);
    await withTimeout(ended, 1000, 'the idle connection to be closed');
    assertCleanStderr(gate.stderr());
  } finally {
    sock.destroy();
    gate.kill();
  }
});

test('SIGINT exits 0 with a clean stderr; a new connection is refused afterwards', opts, async () => {
  const gate = await startHttpGate();
  const http = await httpClient();
  try {
    const s = await openLegacySession(http.fetch, gate.url);
    assert.equal((await postRpc(http.fetch, gate.url, ping(), s.headers())).status, 200);
    await http.close();
    const { code, signal, ms } = await gate.stop({ signal: 'SIGINT' });
    assert.equal(signal, null);
    assert.equal(code, 0, gate.stderr());
    assert.ok(ms < 3000, `exit took ${ms} ms`);
    assertCleanStderr(gate.stderr());
    assert.match(gate.stderr(), /SIGINT: shutting down/);
    await assert.rejects(fetch(`${gate.origin}/healthz`, { headers: { connection: 'close' } }));
  } finally {
    await http.close();
    gate.kill();
  }
});

test('serve raises its open-files limit to the hard limit, so 1024 connections are not its ceiling', opts, async () => {
  // Started with a soft limit of 256 (prlimit execs the gateway in its
  // place), it must hold 600 idle connections and still answer.
  const hard = Number(/Max open files\s+\S+\s+(\S+)/.exec(readFileSync('/proc/self/limits', 'utf8'))[1]);
  if (!(hard >= 1024)) return; // nothing to show under a hard limit this low
  const child = spawn('prlimit', [`--nofile=256:${hard}`, MCPGATE_BIN, 'serve', '--demo', '--listen', '127.0.0.1:0'],
    { env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const sockets = [];
  try {
    const url = await withTimeout(new Promise((resolve) => {
      const check = () => { const m = /serving MCP on (http:\/\/\S+\/mcp)/.exec(err); if (m) resolve(m[1]); };
      child.stderr.on('data', check);
    }), 8000, 'mcpgate serve to listen');
    const limits = readFileSync(`/proc/${child.pid}/limits`, 'utf8');
    const [, soft] = /Max open files\s+(\S+)/.exec(limits);
    assert.equal(Number(soft), hard, limits);
    const { port } = new URL(url);
    for (let i = 0; i < 600; i++) {
      sockets.push(await new Promise((resolve, reject) => {
        const c = net.connect(Number(port), '127.0.0.1', () => resolve(c));
        c.on('error', reject);
      }));
    }
    const r = await fetch(new URL('/healthz', url));
    assert.equal(r.status, 200);
    await r.text();
  } finally {
    for (const c of sockets) c.destroy();
    killChild(child);
  }
});
