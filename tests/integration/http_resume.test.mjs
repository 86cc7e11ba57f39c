// http_resume.test.mjs - resumable event streams of legacy sessions
// (Streamable HTTP, 2025-03-26 and later): a client that loses a POST's
// event stream or its GET stream comes back with Last-Event-ID and gets
// what it missed from the session's replay buffer; SSE polling (SEP-1699,
// 2025-11-25) closes streams with a `retry` hint, by a handler's choice
// (test_reconnection in the conformance fixture) or after --sse-poll.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  HTTP_TEST_TIMEOUT, withHttpGate, postRpc, postStream, httpRequest, parseSse, SseReader,
  openLegacySession, resultText, withTimeout, sleep,
} from './lib.mjs';

const opts = { timeout: HTTP_TEST_TIMEOUT };
const call = (id, name, args, meta) => ({
  jsonrpc: '2.0', id, method: 'tools/call',
  params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) },
});

/** GET with Last-Event-ID; resolves once the headers are in. */
async function resumeGet(fetch, url, headers, lastEventId) {
  const ac = new AbortController();
  const h = { accept: 'text/event-stream', ...headers };
  if (lastEventId !== undefined) h['last-event-id'] = lastEventId;
  const res = await withTimeout(fetch(url, { headers: h, signal: ac.signal }), 5000, 'the GET response headers');
  return { res, sse: res.status === 200 ? new SseReader(res) : null, close: () => ac.abort() };
}

/** A fetch that counts the GETs resuming a stream (Last-Event-ID). */
function countingResumes(fetch) {
  const counter = { resumed: 0 };
  counter.fetch = (input, init) => {
    const h = new Headers(init?.headers);
    if ((init?.method ?? 'GET') === 'GET' && h.has('last-event-id')) counter.resumed++;
    return fetch(input, init);
  };
  return counter;
}

const idParts = (id) => { const m = /^(\d+)-(\d+)$/.exec(id ?? ''); assert.ok(m, `event id ${id}`); return [m[1], Number(m[2])]; };

test('a dropped POST stream resumes on GET with Last-Event-ID: the rest arrives, nothing twice, the call was not cancelled', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url, '2025-11-25');
    const p = await postStream(fetch, url, call(7, 'demo__wait', { ms: 600 }, { progressToken: 'p7' }), s.headers());
    const prime = await p.sse.next({ what: 'the priming event' });
    assert.equal(prime.data, '');
    const [stream, zero] = idParts(prime.id);
    assert.equal(zero, 0);
    const first = await p.sse.nextMessage((m) => m.method === 'notifications/progress');
    const [, firstSeq] = idParts(first.event.id);
    p.abort(); // the connection is lost; the call goes on
    await sleep(200);

    const g = await resumeGet(fetch, url, s.headers(), first.event.id);
    try {
      assert.equal(g.res.status, 200);
      assert.match(g.res.headers.get('content-type'), /^text\/event-stream/);
      const events = (await g.sse.rest()).filter((e) => e.data);
      const msgs = events.map((e) => JSON.parse(e.data));
      const last = msgs.at(-1);
      assert.deepEqual(last, { jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'waited 600 ms' }] } });
      const progress = msgs.slice(0, -1);
      assert.ok(progress.length >= 3, `expected the missed progress, got ${JSON.stringify(msgs)}`);
      assert.ok(progress.every((m) => m.method === 'notifications/progress' && m.params.progressToken === 'p7'));
      // Same stream, consecutive ids after the one the client had.
      const seqs = events.map((e) => { const [st, n] = idParts(e.id); assert.equal(st, stream); return n; });
      assert.deepEqual(seqs, seqs.map((_, i) => firstSeq + 1 + i));
      const values = progress.map((m) => m.params.progress);
      assert.ok(values[0] > first.msg.params.progress, 'an event the client had was sent again');
    } finally {
      g.close();
    }
    // The stream ended with its response: the session is free of it.
    const ping = await postRpc(fetch, url, { jsonrpc: '2.0', id: 8, method: 'ping' }, s.headers());
    assert.deepEqual(ping.json, { jsonrpc: '2.0', id: 8, result: {} });
  });
});

test('resuming a stream whose call already ended replays the response, then ends', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url, '2025-11-25');
    const p = await postStream(fetch, url, call('r', 'demo__wait', { ms: 200 }, { progressToken: 1 }), s.headers());
    const prime = await p.sse.next();
    p.abort();
    await sleep(400); // the call finishes with nobody connected
    const g = await resumeGet(fetch, url, s.headers(), prime.id);
    const events = (await g.sse.rest()).filter((e) => e.data);
    const msgs = events.map((e) => JSON.parse(e.data));
    assert.equal(msgs.filter((m) => m.method === 'notifications/progress').length, 9);
    assert.equal(resultText(msgs.at(-1).result), 'waited 200 ms');
    assert.equal(msgs.at(-1).id, 'r');
    // Resuming from the response's own id: nothing is left, the stream ends.
    const again = await resumeGet(fetch, url, s.headers(), events.at(-1).id);
    assert.deepEqual((await again.sse.rest()).filter((e) => e.data), []);
  });
});

test('the GET stream resumes too: missed events replayed, queued ones follow', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url, '2025-11-25');
    const g1 = await resumeGet(fetch, url, s.headers());
    const prime = await g1.sse.next();
    // A JSON-only POST: its progress travels on the GET stream.
    await postRpc(fetch, url, call(1, 'demo__wait', { ms: 100 }, { progressToken: 'a' }), s.headers({ accept: 'application/json' }));
    const got = [];
    for (let i = 0; i < 9; i++) got.push(await g1.sse.nextMessage());
    g1.close();
    await sleep(100);
    // While no GET stream is open, messages wait for one.
    await postRpc(fetch, url, call(2, 'demo__wait', { ms: 100 }, { progressToken: 'b' }), s.headers({ accept: 'application/json' }));

    const g2 = await resumeGet(fetch, url, s.headers(), got[2].event.id);
    try {
      const p2 = await g2.sse.next();
      assert.equal(p2.data, '', 'a resumed GET stream starts with a priming event');
      assert.notEqual(idParts(p2.id)[0], idParts(prime.id)[0], 'new events get a new stream number');
      const msgs = [];
      for (let i = 0; i < 6 + 9; i++) msgs.push(await g2.sse.nextMessage());
      assert.deepEqual(msgs.slice(0, 6).map((x) => x.event.id), got.slice(3).map((x) => x.event.id),
        'the missed events keep their ids');
      assert.deepEqual(msgs.slice(0, 6).map((x) => x.msg.params.progressToken), Array(6).fill('a'));
      assert.deepEqual(msgs.slice(6).map((x) => x.msg.params.progressToken), Array(9).fill('b'));
    } finally {
      g2.close();
    }
  });
});

test('Last-Event-ID: 400 for one this server never issued; an unknown stream ends at once', opts, async () => {
  await withHttpGate([], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url, '2025-11-25');
    for (const bad of ['abc', '1-', '-1', '1-2-3', '01-2', '99999999999999999999999-1']) {
      const r = await httpRequest(fetch, url, { headers: { accept: 'text/event-stream', 'last-event-id': bad, ...s.headers() } });
      assert.equal(r.status, 400, `${bad}: HTTP ${r.status}`);
      assert.equal(r.json?.error?.code, -32600);
      assert.match(r.json.error.message, /Last-Event-ID/);
    }
    const g = await resumeGet(fetch, url, s.headers(), '424242-3');
    assert.equal(g.res.status, 200);
    assert.deepEqual((await g.sse.rest()).filter((e) => e.data), []);
    // Without a session, resumption is 404 like any request.
    const r = await httpRequest(fetch, url, { headers: { accept: 'text/event-stream', 'last-event-id': '1-1', 'mcp-session-id': 'f'.repeat(64) } });
    assert.equal(r.status, 404);
  });
});

test('SSE polling: test_reconnection closes its stream with retry; the v1 SDK client resumes and gets the result', opts, async () => {
  await withHttpGate(['--conformance'], async ({ fetch, url }) => {
    // Raw: the stream ends after the priming event and a retry field.
    const s = await openLegacySession(fetch, url, '2025-11-25');
    const p = await postStream(fetch, url, call(1, 'test_reconnection', {}), s.headers());
    const raw = await p.sse.rest().then(() => p.sse.raw);
    assert.match(raw, /^id: \d+-0\ndata: \n\n/, raw);
    assert.match(raw, /\nretry: 200\n/, raw);
    assert.doesNotMatch(raw, /"result"/, 'the result came before the stream closed');
    const id = parseSse(raw)[0].id;
    const g = await resumeGet(fetch, url, s.headers(), id);
    const msgs = (await g.sse.rest()).filter((e) => e.data).map((e) => JSON.parse(e.data));
    assert.equal(resultText(msgs.at(-1).result), 'Reconnection test completed');

    // The SDK client (1.32.2) follows the retry hint by itself.
    const tap = countingResumes(fetch);
    const client = new Client({ name: 'resume-test', version: '0.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: tap.fetch });
    await client.connect(transport);
    try {
      const r = await client.callTool({ name: 'test_reconnection', arguments: {} });
      assert.equal(resultText(r), 'Reconnection test completed');
      assert.equal(tap.resumed, 1, 'the client should have resumed exactly once');
    } finally {
      await transport.terminateSession().catch(() => {});
      await client.close();
    }
  });
});

test('test_reconnection before 2025-11-25: no polling, the answer comes on the open stream', opts, async () => {
  await withHttpGate(['--conformance'], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url, '2025-06-18', { capabilities: {} });
    await postRpc(fetch, url, { jsonrpc: '2.0', id: 0, method: 'logging/setLevel', params: { level: 'info' } }, s.headers());
    const r = await postRpc(fetch, url, call(1, 'test_reconnection', {}), s.headers());
    assert.equal(r.status, 200);
    const msgs = r.contentType.includes('event-stream') ? parseSse(r.text).filter((e) => e.data).map((e) => JSON.parse(e.data)) : [r.json];
    assert.doesNotMatch(r.text, /retry:/);
    assert.equal(resultText(msgs.at(-1).result), 'Reconnection test completed');
  });
});

test('--sse-poll: long streams are closed for polling and the SDK client loses nothing', opts, async () => {
  await withHttpGate(['--sse-poll', '1'], async ({ fetch, url }) => {
    const tap = countingResumes(fetch);
    const client = new Client({ name: 'poll-test', version: '0.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: tap.fetch });
    await client.connect(transport);
    try {
      const progress = [];
      const r = await client.callTool({ name: 'demo__wait', arguments: { ms: 2500 } }, undefined,
        { onprogress: (p) => progress.push(p.progress), timeout: 10_000 });
      assert.equal(resultText(r), 'waited 2500 ms');
      assert.ok(tap.resumed >= 1, 'the POST stream was never closed for polling');
      assert.deepEqual(progress, [...progress].sort((a, b) => a - b), 'progress out of order');
      assert.equal(new Set(progress).size, progress.length, `progress delivered twice: ${progress}`);
      assert.equal(progress.length, 9, `progress lost: ${progress}`);
    } finally {
      await transport.terminateSession().catch(() => {});
      await client.close();
    }
  });
});
