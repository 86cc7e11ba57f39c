// subscriptions.test.mjs - clients hear of changes: 2026-07-28
// subscriptions/listen over HTTP and stdio (acknowledgement first, every
// notification tagged with the subscription id, only what the filter asked
// for, a result at shutdown), and legacy sessions (list_changed on the GET
// stream, resources/updated after resources/subscribe).  The catalog really
// changes: the conformance fixture's test_trigger_* tools register bundles.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HTTP_TEST_TIMEOUT, withHttpGate, startHttpGate, httpClient, postRpc, postStream, modernHeaders,
  modernRequest, modernMeta, openLegacySession, SseReader, withTimeout, withLineClient, assertCleanStderr, sleep,
} from './lib.mjs';

const opts = { timeout: HTTP_TEST_TIMEOUT };
const SUB_ID = 'io.modelcontextprotocol/subscriptionId';

const listen = (id, notifications) => modernRequest(id, 'subscriptions/listen', { notifications });
const trigger = (fetch, url, name) =>
  postRpc(fetch, url, modernRequest(99, 'tools/call', { name, arguments: {} }), modernHeaders('tools/call', name));

async function openListen(fetch, url, id, notifications) {
  const p = await postStream(fetch, url, listen(id, notifications), modernHeaders('subscriptions/listen'));
  assert.equal(p.res.status, 200);
  assert.match(p.res.headers.get('content-type'), /^text\/event-stream/);
  const ack = await p.sse.nextMessage(() => true, { what: 'the acknowledgement' });
  assert.equal(ack.msg.method, 'notifications/subscriptions/acknowledged', 'the first message must be the acknowledgement');
  assert.equal(ack.msg.params._meta[SUB_ID], id);
  return { ...p, ack: ack.msg };
}

test('subscriptions/listen: acknowledged first, tagged notifications, only what was asked', opts, async () => {
  await withHttpGate(['--conformance'], async ({ fetch, url }) => {
    const disc = await postRpc(fetch, url, modernRequest(1, 'server/discover'), modernHeaders('server/discover'));
    const caps = disc.json.result.capabilities;
    assert.equal(caps.tools.listChanged, true);
    assert.equal(caps.prompts.listChanged, true);
    assert.equal(caps.resources.subscribe, true);

    const tools = await openListen(fetch, url, 'sub-tools', { toolsListChanged: true, resourceSubscriptions: ['test://static-text', 'test://nope'] });
    // Unknown URIs are left out of what the server agreed to.
    assert.deepEqual(tools.ack.params.notifications, { toolsListChanged: true, resourceSubscriptions: ['test://static-text'] });
    const prompts = await openListen(fetch, url, 7, { promptsListChanged: true });
    assert.deepEqual(prompts.ack.params.notifications, { promptsListChanged: true });

    assert.equal((await trigger(fetch, url, 'test_trigger_tool_change')).status, 200);
    const changed = await tools.sse.nextMessage((m) => m.method !== undefined);
    assert.equal(changed.msg.method, 'notifications/tools/list_changed');
    assert.equal(changed.msg.params._meta[SUB_ID], 'sub-tools');
    // The list did change: the new tool is there.
    const list = await postRpc(fetch, url, modernRequest(2, 'tools/list'), modernHeaders('tools/list'));
    assert.ok(list.json.result.tools.some((t) => t.name === 'changed-1__added'));

    await trigger(fetch, url, 'test_trigger_resource_update');
    const upd = await tools.sse.nextMessage((m) => m.method !== undefined);
    assert.equal(upd.msg.method, 'notifications/resources/updated');
    assert.equal(upd.msg.params.uri, 'test://static-text');
    assert.equal(upd.msg.params._meta[SUB_ID], 'sub-tools');

    await trigger(fetch, url, 'test_trigger_prompt_change');
    const p = await prompts.sse.nextMessage((m) => m.method !== undefined);
    assert.equal(p.msg.method, 'notifications/prompts/list_changed');
    assert.equal(p.msg.params._meta[SUB_ID], 7);
    // Neither stream got what it did not ask for.
    const more = await tools.sse.next({ timeout: 300 }).catch(() => null);
    assert.ok(more === null || !more.data, `the tools listener got ${more?.data}`);
    const morePrompts = await prompts.sse.next({ timeout: 300 }).catch(() => null);
    assert.ok(morePrompts === null || !morePrompts.data, `the prompts listener got ${morePrompts?.data}`);
    tools.abort();
    prompts.abort();
    await sleep(100);
    // A closed listener is gone: changes after it do no harm.
    assert.equal((await trigger(fetch, url, 'test_trigger_tool_change')).status, 200);
  });
});

test('subscriptions/listen: a bad filter is -32602; legacy sessions cannot listen', opts, async () => {
  await withHttpGate(['--conformance'], async ({ fetch, url }) => {
    const r = await postRpc(fetch, url, modernRequest(3, 'subscriptions/listen', {}), modernHeaders('subscriptions/listen'));
    assert.equal(r.json?.error?.code, -32602, r.text);
    assert.match(r.json.error.message, /params\.notifications/);
    const bad = await postRpc(fetch, url, listen(4, { resourceSubscriptions: 'test://static-text' }), modernHeaders('subscriptions/listen'));
    assert.equal(bad.json.error.code, -32602);
    const s = await openLegacySession(fetch, url, '2025-11-25');
    const l = await postRpc(fetch, url, { jsonrpc: '2.0', id: 5, method: 'subscriptions/listen', params: { notifications: {} } }, s.headers());
    assert.equal(l.json.error.code, -32601, l.text);
  });
});

test('shutdown ends listen streams with their result', opts, async () => {
  const gate = await startHttpGate(['--conformance'], { demo: false });
  const http = await httpClient();
  try {
    const l = await openListen(http.fetch, gate.url, 'bye', { toolsListChanged: true });
    const stopped = gate.stop();
    const end = await l.sse.nextMessage((m) => 'result' in m, { what: 'the listen result' });
    assert.equal(end.msg.id, 'bye');
    assert.equal(end.msg.result.resultType, 'complete');
    assert.equal(end.msg.result._meta[SUB_ID], 'bye');
    assert.equal(await l.sse.next({ what: 'the end of the stream' }), null);
    const { code } = await stopped;
    assert.equal(code, 0);
    assertCleanStderr(gate.stderr());
  } finally {
    await http.close();
    gate.kill();
  }
});

test('legacy sessions: list_changed on the GET stream, resources/updated after subscribe', opts, async () => {
  await withHttpGate(['--conformance'], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url, '2025-11-25');
    assert.equal(s.result.capabilities.tools.listChanged, true);
    const ac = new AbortController();
    const res = await withTimeout(fetch(url, { headers: { accept: 'text/event-stream', ...s.headers() }, signal: ac.signal }), 5000, 'GET');
    const get = new SseReader(res);
    try {
      const call = (id, name) => postRpc(fetch, url, { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } }, s.headers());
      await call(1, 'test_trigger_tool_change');
      assert.equal((await get.nextMessage()).msg.method, 'notifications/tools/list_changed');
      // Not subscribed yet: no update.  Subscribed: one.  Unsubscribed: none.
      await call(2, 'test_trigger_resource_update');
      const sub = await postRpc(fetch, url, { jsonrpc: '2.0', id: 3, method: 'resources/subscribe', params: { uri: 'test://static-text' } }, s.headers());
      assert.deepEqual(sub.json.result, {});
      await call(4, 'test_trigger_resource_update');
      const u = await get.nextMessage();
      assert.deepEqual(u.msg, { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'test://static-text' } });
      await postRpc(fetch, url, { jsonrpc: '2.0', id: 5, method: 'resources/unsubscribe', params: { uri: 'test://static-text' } }, s.headers());
      await call(6, 'test_trigger_resource_update');
      await call(7, 'test_trigger_prompt_change');
      assert.equal((await get.nextMessage()).msg.method, 'notifications/prompts/list_changed', 'an update came after unsubscribe');
    } finally {
      ac.abort();
    }
  });
});

test('stdio: subscriptions/listen shares the channel and ends with a result at end of input', opts, async () => {
  await withLineClient(['stdio', '--conformance'], async (c) => {
    c.send(listen('L', { toolsListChanged: true }));
    const ack = await c.waitFor((m) => m.method === 'notifications/subscriptions/acknowledged');
    assert.equal(ack.params._meta[SUB_ID], 'L');
    const r = await c.request('tools/call', { name: 'test_trigger_tool_change', arguments: {}, _meta: modernMeta() });
    assert.equal(r.result.resultType, 'complete');
    const n = await c.waitFor((m) => m.method === 'notifications/tools/list_changed');
    assert.equal(n.params._meta[SUB_ID], 'L');
    c.child.stdin.end();
    const end = await c.response('L');
    assert.deepEqual(end.result._meta[SUB_ID], 'L');
    assert.equal(end.result._meta['io.modelcontextprotocol/serverInfo'].name, 'mcpgate');
  });
});
