// stdio_raw.test.mjs - the exact wire of `mcpgate stdio`, one JSON line at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT, ALL_VERSIONS, MODERN_VERSION, META, DEMO_TOOLS,
  LineClient, withLineClient, modernMeta, resultText, sleep, assertCleanStderr,
} from './lib.mjs';

const opts = { timeout: TEST_TIMEOUT };
const DEMO = ['stdio', '--demo'];

const isError = (m, code) => m && !Array.isArray(m) && m.error && m.error.code === code;

/**
 * Assert `m` is an error reply with `code` and exactly `id`.  id null means
 * the request's id could not be read: MCP ids are never null, so the member
 * is left out (the 2025-11-25 and 2026-07-28 schemas make it optional).
 */
function assertError(m, code, id, msgRe) {
  assert.ok(m && typeof m === 'object' && !Array.isArray(m), `not a single message: ${JSON.stringify(m)}`);
  assert.equal(m.jsonrpc, '2.0');
  if (id === null) assert.ok(!('id' in m), `an unreadable id must be left out: ${JSON.stringify(m)}`);
  else assert.equal(m.id, id, `id of ${JSON.stringify(m)}`);
  assert.ok(!('result' in m), 'an error must not carry result');
  assert.equal(m.error?.code, code, `code of ${JSON.stringify(m)}`);
  assert.equal(typeof m.error.message, 'string');
  if (msgRe) assert.match(m.error.message, msgRe);
}

// --- JSON-RPC framing --------------------------------------------------------

test('parse error: -32700 without an id, and the session goes on', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    c.send('{"jsonrpc":"2.0","id":1,"method":"ping"');
    assertError(await c.waitFor((m) => isError(m, -32700), { what: '-32700' }), -32700, null, /^Parse error/);
    c.send('not json at all');
    assertError(await c.waitFor((m) => isError(m, -32700), { what: '-32700' }), -32700, null);
    c.send('{"jsonrpc":"2.0","id":2,"method":"ping"} trailing');
    assertError(await c.waitFor((m) => isError(m, -32700), { what: '-32700' }), -32700, null);
    assert.deepEqual((await c.request('ping', undefined, { id: 3 })).result, {});
  });
});

test('invalid requests: -32600, with the id when it is readable', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    const cases = [
      ['{"jsonrpc":"1.0","id":7,"method":"ping"}', 7],
      ['{"id":"no-version","method":"ping"}', 'no-version'],
      ['{"foo":1}', null],
      ['"a string"', null],
      ['42', null],
      ['{"jsonrpc":"2.0","id":null,"method":"ping"}', null], // MCP: ids MUST NOT be null
      ['{"jsonrpc":"2.0","id":1.5,"method":"ping"}', null],
      ['{"jsonrpc":"2.0","id":true,"method":"ping"}', null],
      ['{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', null],
      ['{"jsonrpc":"2.0","id":8,"method":""}', 8],
      ['{"jsonrpc":"2.0","id":9,"method":42}', 9],
      ['{"jsonrpc":"2.0","id":10,"method":"ping","params":"x"}', 10],
      ['{"jsonrpc":"2.0","id":11,"method":"ping","result":{}}', 11],
    ];
    for (const [line, id] of cases) {
      c.send(line);
      const m = await c.waitFor((x) => isError(x, -32600), { what: `-32600 for ${line}` });
      assertError(m, -32600, id, /^Invalid Request/);
    }
    assert.deepEqual((await c.request('ping', undefined, { id: 12 })).result, {});
    // Nothing else was answered.
    assert.equal(c.messages.length, cases.length + 1);
  });
});

test('too deep nesting is refused without crashing', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    const deep = '['.repeat(200) + ']'.repeat(200);
    c.send(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":${deep}}}`);
    const m = await c.waitFor((x) => x && x.error, { what: 'an error' });
    assertError(m, -32600, null, /nests deeper/);
    assert.deepEqual((await c.request('ping', undefined, { id: 2 })).result, {});
  });
});

test('method not found: -32601 in a legacy session and for modern requests', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    await c.initialize('2025-11-25');
    assertError(await c.request('no/such/method', {}, { id: 'm1' }), -32601, 'm1', /no\/such\/method/);
    // server/discover belongs to the modern era only.
    assertError(await c.request('server/discover', {}, { id: 'm2' }), -32601, 'm2');
  });
  await withLineClient(DEMO, async (c) => {
    assertError(await c.request('no/such/method', { _meta: modernMeta() }, { id: 1 }), -32601, 1);
    // ping and logging/setLevel were removed in 2026-07-28.
    assertError(await c.request('ping', { _meta: modernMeta() }, { id: 2 }), -32601, 2);
    assertError(await c.request('logging/setLevel', { level: 'info', _meta: modernMeta() }, { id: 3 }), -32601, 3);
  });
});

test('notifications and responses from the client are never answered', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    c.notify('notifications/whatever', {});
    c.notify('notifications/initialized'); // before initialize: ignored
    c.notify('notifications/cancelled', { requestId: 12345 });
    c.send({ jsonrpc: '2.0', id: 99, result: {} });
    c.send({ jsonrpc: '2.0', id: 98, error: { code: -1, message: 'x' } });
    const r = await c.request('ping', undefined, { id: 'last' });
    assert.deepEqual(r, { jsonrpc: '2.0', id: 'last', result: {} });
    assert.equal(c.messages.length, 1, `unexpected replies: ${JSON.stringify(c.messages)}`);
  });
});

// --- ids ---------------------------------------------------------------------

test('string and integer ids are echoed exactly', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    for (const id of ['abc', '', '1', 'ü 😀 "q"', 0, -1, 2147483648, Number.MAX_SAFE_INTEGER]) {
      const r = await c.request('ping', undefined, { id });
      assert.equal(r.id, id);
      assert.equal(typeof r.id, typeof id);
      assert.deepEqual(r.result, {});
    }
    // Beyond 2^53 JSON.parse loses digits: compare the text of the line.
    c.send('{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}');
    const big = await c.waitFor((m) => m.id !== undefined && typeof m.id === 'number' && m.id >= 2 ** 53,
      { raw: true, what: 'the big-id reply' });
    assert.match(big.text, /"id":9007199254740993[,}]/);
  });
});

test('1 and "1" are different ids, even in flight together', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    await c.initialize('2025-11-25');
    c.send({ jsonrpc: '2.0', id: 1000, method: 'tools/call', params: { name: 'demo__wait', arguments: { ms: 200 } } });
    c.send({ jsonrpc: '2.0', id: '1000', method: 'tools/call', params: { name: 'demo__wait', arguments: { ms: 100 } } });
    const s = await c.response('1000');
    const n = await c.response(1000);
    assert.equal(resultText(s.result), 'waited 100 ms');
    assert.equal(resultText(n.result), 'waited 200 ms');
  });
});

test('an id already in flight is refused; the first request still completes', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    await c.initialize('2025-11-25');
    c.send({ jsonrpc: '2.0', id: 'dup', method: 'tools/call', params: { name: 'demo__wait', arguments: { ms: 300 } } });
    c.send({ jsonrpc: '2.0', id: 'dup', method: 'ping' });
    assertError(await c.response('dup'), -32600, 'dup', /already used/);
    const done = await c.response('dup', { timeout: 3000 });
    assert.equal(resultText(done.result), 'waited 300 ms');
    // Once finished, the id may be used again.
    assert.deepEqual((await c.request('ping', undefined, { id: 'dup' })).result, {});
  });
});

// --- legacy lifecycle ----------------------------------------------------------

test('ping is answered before initialize', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    assert.deepEqual(await c.request('ping', undefined, { id: 1 }), { jsonrpc: '2.0', id: 1, result: {} });
    assert.deepEqual((await c.request('ping', {}, { id: 2 })).result, {});
    // Other requests need a session (or modern _meta).
    assertError(await c.request('tools/list', {}, { id: 3 }), -32600, 3, /initialize/);
    await c.initialize('2025-06-18');
    assert.deepEqual((await c.request('ping', undefined, { id: 4 })).result, {});
  });
});

test('initialize: version negotiation, capabilities, one per session', opts, async () => {
  for (const v of ALL_VERSIONS.slice(1)) {
    await withLineClient(DEMO, async (c) => {
      const r = await c.initialize(v);
      assert.equal(r.protocolVersion, v, 'a supported version must be echoed');
      assert.equal(r.serverInfo.name, 'mcpgate');
      assert.ok(r.capabilities.tools);
      assert.equal(typeof r.instructions, 'string'); // in InitializeResult since 2024-11-05
      if (v >= '2025-06-18') assert.equal(typeof r.serverInfo.title, 'string');
      else assert.equal(r.serverInfo.title, undefined, 'Implementation.title appeared in 2025-06-18');
    });
  }
  await withLineClient(DEMO, async (c) => {
    // Unknown or modern versions: the server answers with its latest legacy one.
    const r = await c.initialize('2099-01-01');
    assert.equal(r.protocolVersion, '2025-11-25');
    assertError(await c.request('initialize', { protocolVersion: '2025-11-25', capabilities: {},
      clientInfo: { name: 'x', version: '1' } }, { id: 'again' }), -32600, 'again', /already initialized/);
  });
  await withLineClient(DEMO, async (c) => {
    const r = await c.initialize(MODERN_VERSION);
    assert.equal(r.protocolVersion, '2025-11-25', 'initialize is legacy; 2026-07-28 has no handshake');
  });
  await withLineClient(DEMO, async (c) => {
    assertError(await c.request('initialize', { capabilities: {} }, { id: 1 }), -32602, 1);
    assertError(await c.request('initialize', { protocolVersion: '2025-11-25', capabilities: [] }, { id: 2 }), -32602, 2);
  });
});

test('legacy tools/list and tools/call over raw lines', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    await c.initialize('2025-11-25');
    const l = await c.request('tools/list', {});
    assert.deepEqual(l.result.tools.map((t) => t.name), DEMO_TOOLS);
    assert.equal(l.result.nextCursor, undefined);
    assert.equal(l.result.resultType, undefined, 'resultType is a 2026-07-28 field');
    assertError(await c.request('tools/list', { cursor: 'bogus' }, { id: 'cur' }), -32602, 'cur');
    const e = await c.request('tools/call', { name: 'demo__echo', arguments: { text: 'hi' } });
    assert.deepEqual(e.result, { content: [{ type: 'text', text: 'hi' }] });
    const a = await c.request('tools/call', { name: 'demo__add', arguments: { a: 1, b: 2 } });
    assert.deepEqual(a.result.structuredContent, { sum: 3 });
    assertError(await c.request('tools/call', { arguments: {} }, { id: 'noname' }), -32602, 'noname');
    assertError(await c.request('tools/call', { name: 'x__y' }, { id: 'unk' }), -32602, 'unk', /Unknown tool: x__y/);
  });
});

test('2024-11-05 clients get definitions and results they can parse', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    await c.initialize('2024-11-05');
    const { result } = await c.request('tools/list', {});
    for (const t of result.tools) {
      for (const k of ['title', 'outputSchema', 'annotations', 'icons', 'execution']) {
        assert.ok(!(k in t), `${t.name}.${k} does not exist in 2024-11-05`);
      }
    }
    const a = await c.request('tools/call', { name: 'demo__add', arguments: { a: 1, b: 2 } });
    assert.ok(!('structuredContent' in a.result), 'structuredContent does not exist in 2024-11-05');
    assert.deepEqual(JSON.parse(resultText(a.result)), { sum: 3 });
    c.send({ jsonrpc: '2.0', id: 'w', method: 'tools/call',
      params: { name: 'demo__wait', arguments: { ms: 200 }, _meta: { progressToken: 7 } } });
    await c.response('w');
    const p = c.notifications('notifications/progress');
    assert.ok(p.length > 0);
    for (const n of p) {
      assert.equal(n.params.progressToken, 7);
      assert.ok(!('message' in n.params), 'progress message appeared in 2025-03-26');
    }
  });
});

// --- batches (2025-03-26 only) ---------------------------------------------------

test('batches are refused before initialize and in sessions other than 2025-03-26', opts, async () => {
  const batch = [{ jsonrpc: '2.0', id: 'b1', method: 'ping' }, { jsonrpc: '2.0', id: 'b2', method: 'ping' }];
  await withLineClient(DEMO, async (c) => {
    c.send(batch);
    assertError(await c.waitFor((m) => isError(m, -32600)), -32600, null, /batch/);
    assert.equal(c.messages.length, 1, 'batch members must not be answered');
  });
  for (const v of ['2024-11-05', '2025-06-18', '2025-11-25']) {
    await withLineClient(DEMO, async (c) => {
      await c.initialize(v);
      c.send(batch);
      assertError(await c.waitFor((m) => isError(m, -32600)), -32600, null, /batch/);
      assert.deepEqual((await c.request('ping', undefined, { id: 'after' })).result, {});
      assert.ok(!c.messages.some((m) => Array.isArray(m) || m.id === 'b1' || m.id === 'b2'), `${v} answered a batch`);
    });
  }
  await withLineClient(DEMO, async (c) => {
    // Modern requests have no session, so no batches either.
    c.send([{ jsonrpc: '2.0', id: 'm1', method: 'tools/list', params: { _meta: modernMeta() } }]);
    assertError(await c.waitFor((m) => isError(m, -32600)), -32600, null, /batch/);
  });
});

test('batches are accepted after negotiating 2025-03-26', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    await c.initialize('2025-03-26');
    c.send([
      { jsonrpc: '2.0', id: 'p', method: 'ping' },
      { jsonrpc: '2.0', method: 'notifications/whatever' },
      { jsonrpc: '2.0', id: 'w', method: 'tools/call', params: { name: 'demo__wait', arguments: { ms: 100 } } },
      { foo: 1 },
      { jsonrpc: '2.0', id: 'i', method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {} } },
      { jsonrpc: '2.0', id: 'e', method: 'tools/call', params: { name: 'demo__echo', arguments: { text: 'b' } } },
    ]);
    const arr = await c.waitFor((m) => Array.isArray(m), { what: 'the batch reply' });
    assert.equal(arr.length, 5, `one reply per request and per invalid member: ${JSON.stringify(arr)}`);
    const byId = (id) => arr.find((m) => m.id === id);
    assert.deepEqual(byId('p').result, {});
    assert.equal(resultText(byId('w').result), 'waited 100 ms');
    assert.equal(resultText(byId('e').result), 'b');
    assertError(byId('i'), -32600, 'i', /batch/);
    assertError(arr.find((m) => !('id' in m)), -32600, null);

    // Only notifications: nothing comes back at all.
    c.send([{ jsonrpc: '2.0', method: 'notifications/a' }, { jsonrpc: '2.0', method: 'notifications/b' }]);
    // An empty batch is one invalid request.
    c.send([]);
    assertError(await c.waitFor((m) => isError(m, -32600)), -32600, null);
    assert.deepEqual((await c.request('ping', undefined, { id: 'end' })).result, {});
    assert.equal(c.messages.length, 4, `unexpected replies: ${JSON.stringify(c.messages)}`);
  });
});

// --- modern era (2026-07-28) -----------------------------------------------------

test('modern: server/discover without a handshake', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    const r = await c.request('server/discover', { _meta: modernMeta() }, { id: 'd' });
    assert.ok(r.result, JSON.stringify(r));
    const d = r.result;
    assert.equal(d.resultType, 'complete');
    assert.ok(d.supportedVersions.includes(MODERN_VERSION));
    assert.ok(d.capabilities.tools);
    assert.ok(Number.isInteger(d.ttlMs) && d.ttlMs >= 0);
    assert.ok(['public', 'private'].includes(d.cacheScope));
    assert.equal(d._meta[META.serverInfo].name, 'mcpgate');
    assert.equal(typeof d._meta[META.serverInfo].version, 'string');
  });
});

test('modern: tools/list and tools/call carry resultType and serverInfo', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    const l = await c.request('tools/list', { _meta: modernMeta() });
    assert.deepEqual(l.result.tools.map((t) => t.name), DEMO_TOOLS);
    assert.equal(l.result.resultType, 'complete');
    assert.ok(Number.isInteger(l.result.ttlMs) && l.result.ttlMs >= 0);
    assert.ok(['public', 'private'].includes(l.result.cacheScope));
    assert.equal(l.result._meta[META.serverInfo].name, 'mcpgate');

    const e = await c.request('tools/call', { name: 'demo__echo', arguments: { text: 'm' }, _meta: modernMeta() });
    assert.equal(e.result.resultType, 'complete');
    assert.deepEqual(e.result.content, [{ type: 'text', text: 'm' }]);
    assert.equal(e.result._meta[META.serverInfo].name, 'mcpgate');

    c.send({ jsonrpc: '2.0', id: 'w', method: 'tools/call',
      params: { name: 'demo__wait', arguments: { ms: 200 }, _meta: modernMeta({ progressToken: 'tok' }) } });
    const w = await c.response('w');
    assert.equal(resultText(w.result), 'waited 200 ms');
    const p = c.notifications('notifications/progress');
    assert.ok(p.length > 0 && p.every((n) => n.params.progressToken === 'tok'));
  });
});

test('modern: invalid arguments are a result with isError', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    const r = await c.request('tools/call', { name: 'demo__echo', arguments: { text: 42 }, _meta: modernMeta() });
    assert.ok(r.result, `expected a result, got ${JSON.stringify(r)}`);
    assert.equal(r.result.isError, true);
    assert.equal(r.result.resultType, 'complete');
    assert.match(resultText(r.result), /Invalid arguments for tool demo__echo: .*\/text: expected string, got number/);
  });
});

test('modern: an unsupported version is -32022 with data.supported and data.requested', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    for (const [id, version] of [[1, '2099-01-01'], [2, '2026-01-01'], [3, 'not-a-version']]) {
      const r = await c.request('tools/list', { _meta: modernMeta({}, { version }) }, { id });
      assertError(r, -32022, id, /Unsupported protocol version/);
      assert.ok(Array.isArray(r.error.data?.supported), `data.supported missing: ${JSON.stringify(r)}`);
      assert.ok(r.error.data.supported.includes(MODERN_VERSION));
      assert.ok(r.error.data.supported.every((v) => typeof v === 'string'));
      assert.equal(r.error.data.requested, version);
    }
    // And the client can retry with a listed modern version.
    const ok = await c.request('tools/list', { _meta: modernMeta() }, { id: 4 });
    assert.ok(ok.result);
  });
});

test('modern: tools/call without clientCapabilities is -32602', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    const meta = modernMeta();
    delete meta[META.clientCapabilities];
    const r = await c.request('tools/call', { name: 'demo__echo', arguments: { text: 'x' }, _meta: meta }, { id: 'nc' });
    assertError(r, -32602, 'nc', /clientCapabilities/);
    const bad = await c.request('tools/call', { name: 'demo__echo', arguments: { text: 'x' },
      _meta: { ...meta, [META.clientCapabilities]: 'all' } }, { id: 'sc' });
    assertError(bad, -32602, 'sc', /clientCapabilities/);
    const v = await c.request('tools/list', { _meta: { ...modernMeta(), [META.protocolVersion]: 20260728 } }, { id: 'nv' });
    assertError(v, -32602, 'nv');
    const lvl = await c.request('tools/list', { _meta: modernMeta({ [META.logLevel]: 'loud' }) }, { id: 'll' });
    assertError(lvl, -32602, 'll', /logLevel/);
  });
});

// --- stdio framing and limits ----------------------------------------------------

test('an over-limit line gets one -32600 and the session goes on (--max-message 1024)', opts, async () => {
  await withLineClient(['stdio', '--demo', '--max-message', '1024'], async (c) => {
    c.send({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(2000) } });
    const err = await c.waitFor((m) => isError(m, -32600), { what: 'the over-limit error' });
    assertError(err, -32600, null, /1024/);
    assert.deepEqual((await c.request('ping', undefined, { id: 2 })).result, {});

    // A long line arriving in many small writes is still one error.
    const big = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping', params: { pad: 'y'.repeat(20000) } });
    for (let i = 0; i < big.length; i += 700) {
      c.child.stdin.write(big.slice(i, i + 700));
      await sleep(2);
    }
    c.child.stdin.write('\n');
    assert.deepEqual((await c.request('ping', undefined, { id: 4 })).result, {});

    // A line of exactly the limit is accepted.
    const head = '{"jsonrpc":"2.0","id":5,"method":"ping","params":{"pad":"';
    const tail = '"}}';
    const exact = head + 'z'.repeat(1024 - head.length - tail.length) + tail;
    assert.equal(Buffer.byteLength(exact), 1024);
    c.send(exact);
    assert.deepEqual((await c.response(5)).result, {});

    const errors = c.messages.filter((m) => isError(m, -32600));
    assert.equal(errors.length, 2, `expected one error per over-limit line: ${JSON.stringify(errors)}`);
    assert.ok(!c.messages.some((m) => m.id === 1 || m.id === 3), 'an over-limit request was answered');
  });
});

test('blank lines and CRLF line endings are tolerated', opts, async () => {
  await withLineClient(DEMO, async (c) => {
    c.child.stdin.write('\n   \n\t\n{"jsonrpc":"2.0","id":1,"method":"ping"}\r\n');
    assert.deepEqual((await c.response(1)).result, {});
    assert.equal(c.messages.length, 1);
  });
});

test('EOF: requests in flight are drained, then exit 0', opts, async () => {
  const c = new LineClient(DEMO);
  try {
    await c.initialize('2025-11-25');
    c.send({ jsonrpc: '2.0', id: 'slow', method: 'tools/call', params: { name: 'demo__wait', arguments: { ms: 600 } } });
    c.send({ jsonrpc: '2.0', id: 'fast', method: 'tools/call', params: { name: 'demo__echo', arguments: { text: 'f' } } });
    const t0 = Date.now();
    await c.closeAndCheck();
    const ids = c.messages.map((m) => m.id);
    assert.ok(ids.includes('fast'), 'the fast reply is missing');
    const slow = c.messages.find((m) => m.id === 'slow');
    assert.ok(slow, `the in-flight reply was not drained: ${JSON.stringify(c.messages)}`);
    assert.equal(resultText(slow.result), 'waited 600 ms');
    assert.ok(Date.now() - t0 < 5000);
  } finally {
    c.kill();
  }
});

test('EOF: a request outliving the drain window is cancelled, exit 0', { timeout: TEST_TIMEOUT }, async () => {
  const c = new LineClient(DEMO);
  try {
    await c.initialize('2025-11-25');
    c.send({ jsonrpc: '2.0', id: 'long', method: 'tools/call', params: { name: 'demo__wait', arguments: { ms: 60000 } } });
    await sleep(50);
    await c.closeAndCheck({ timeout: 9000 });
    assert.ok(!c.messages.some((m) => m.id === 'long'), 'a cancelled request was answered');
    assert.match(c.stderr, /still running/);
  } finally {
    c.kill();
  }
});

test('EOF on a modern-only conversation exits 0 with a clean stderr', opts, async () => {
  const c = new LineClient(DEMO);
  try {
    c.send({ jsonrpc: '2.0', id: 1, method: 'tools/call',
      params: { name: 'demo__wait', arguments: { ms: 100 }, _meta: modernMeta() } });
    await c.closeAndCheck();
    assert.equal(resultText(c.messages.find((m) => m.id === 1).result), 'waited 100 ms');
    assertCleanStderr(c.stderr);
  } finally {
    c.kill();
  }
});
