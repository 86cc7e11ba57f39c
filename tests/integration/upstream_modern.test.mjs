// upstream_modern.test.mjs - upstream servers that speak 2026-07-28, found
// by the server/discover probe, with a server on the official SDK v2
// (fixtures/modern_server.mjs) over stdio and over Streamable HTTP:
//   - every request carries the calling client's capabilities;
//   - a legacy client answers the server's input_required as real
//     elicitation requests, and the gateway retries with the answers;
//   - a 2026-07-28 client gets input_required under the server's own keys
//     with a state sealed by the gateway, and its retry completes;
//   - list changes arrive over subscriptions/listen;
//   - malformed input_required results (fixtures/malformed_modern_server.mjs)
//     end the call with a clear error for either client, and the next
//     call works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client as V2Client, StreamableHTTPClientTransport as V2Http } from '@modelcontextprotocol/client';
import { HTTP_TEST_TIMEOUT, resultText, withTimeout, httpClient } from './lib.mjs';
import { withGateway, waitForTool, startHttpFixture, NODE, FIXTURES } from './upstreams.mjs';

const opts = { timeout: HTTP_TEST_TIMEOUT };
const SERVER = path.join(FIXTURES, 'modern_server.mjs');

const stdioModern = (mark) => `
servers:
  - name: modern
    command: ${NODE}
    args: [${SERVER}, ${mark}]
`;

/** The client's elicitation answers: accept, with ok = true. */
const accepting = (asked) => (c) => c.setRequestHandler(ElicitRequestSchema, async (r) => {
  asked.push(r.params.message);
  return { action: 'accept', content: { ok: true } };
});

/** A 2026-07-28 client whose elicitation answers are accept, with ok = false. */
const refusingV2 = (asked) => {
  const v2 = new V2Client({ name: 'modern-upstream-v2', version: '0.0.0' },
    { capabilities: { elicitation: {} }, versionNegotiation: { mode: 'auto' } });
  v2.setRequestHandler('elicitation/create', async (r) => {
    asked.push(r.params.message);
    return { action: 'accept', content: { ok: false } };
  });
  return v2;
};

test('stdio 2026-07-28 upstream: found by server/discover, sees each client\'s capabilities, and a legacy client answers its input_required', opts, async () => {
  const asked = [];
  await withGateway(stdioModern('modern-stdio-a'), async ({ client, connect }) => {
    await waitForTool(client, 'modern__confirm');

    const seen = JSON.parse(resultText(await client.callTool({ name: 'modern__seen', arguments: {} })));
    assert.equal(seen['io.modelcontextprotocol/protocolVersion'], '2026-07-28');
    assert.deepEqual(seen['io.modelcontextprotocol/clientCapabilities'], { elicitation: {} });

    // input_required from the server becomes a real elicitation request
    // to this 2025-11-25 client; the gateway retries with its answer and
    // the server's requestState.
    const r = await client.callTool({ name: 'modern__confirm', arguments: { action: 'deploy' } });
    assert.equal(resultText(r), 'deploy: confirmed (state asked:deploy)');
    assert.deepEqual(asked, ['Really deploy?']);

    // A client that cannot answer is told what is missing; nothing hangs.
    const plain = await connect({ capabilities: {}, setup: () => {} });
    const seenPlain = JSON.parse(resultText(await plain.callTool({ name: 'modern__seen', arguments: {} })));
    assert.deepEqual(seenPlain['io.modelcontextprotocol/clientCapabilities'], {});
    const refused = await plain.callTool({ name: 'modern__confirm', arguments: { action: 'x' } }).then(
      (res) => (res.isError ? resultText(res) : `unexpected success: ${resultText(res)}`),
      (err) => err.message);
    assert.match(refused, /elicitation/);
  }, { capabilities: { elicitation: {} }, setup: accepting(asked) });
});

test('stdio 2026-07-28 upstream: list changes arrive over subscriptions/listen', opts, async () => {
  await withGateway(stdioModern('modern-stdio-b'), async ({ client }) => {
    await waitForTool(client, 'modern__grow');
    assert.equal(resultText(await client.callTool({ name: 'modern__grow', arguments: {} })), '1 extra tools');
    await waitForTool(client, 'modern__extra-1', 10_000);
    assert.equal(resultText(await client.callTool({ name: 'modern__extra-1', arguments: {} })), 'extra 1');
  });
});

test('a 2026-07-28 client through the gateway: the server\'s input_required keys, a sealed state, and the retry completes', opts, async () => {
  await withGateway(stdioModern('modern-stdio-c'), async ({ client, gate }) => {
    await waitForTool(client, 'modern__confirm');
    const http = await httpClient();
    const wire = [];
    const tap = async (input, init = {}) => {
      const res = await http.fetch(input, init);
      if (init.body) wire.push({ body: JSON.parse(init.body), res: await res.clone().text() });
      return res;
    };
    const asked = [];
    const v2 = refusingV2(asked);
    try {
      await withTimeout(v2.connect(new V2Http(new URL(gate.url), { fetch: tap })), 8000, 'v2 connect');
      const r = await v2.callTool({ name: 'modern__confirm', arguments: { action: 'drop' } });
      assert.equal(resultText(r), 'drop: refused (state asked:drop)');
      assert.deepEqual(asked, ['Really drop?']);
      const calls = wire.filter((w) => w.body?.method === 'tools/call');
      assert.equal(calls.length, 2, 'the input_required round, then the retry');
      const first = JSON.parse(calls[0].res.replace(/^(event|id|data): ?/gm, '').trim().split('\n').pop());
      assert.equal(first.result.resultType, 'input_required');
      assert.deepEqual(Object.keys(first.result.inputRequests), ['ok'], 'the server\'s own key');
      assert.notEqual(first.result.requestState, 'asked:drop', 'the server\'s state travels sealed by the gateway');
      assert.deepEqual(calls[1].body.params.inputResponses, { ok: { action: 'accept', content: { ok: false } } });
    } finally {
      await v2.close();
      await http.close();
    }
  });
});

test('Streamable HTTP 2026-07-28 upstream: probed, the client\'s capabilities, and the legacy client\'s rounds', opts, async () => {
  const { url, stop } = await startHttpFixture('modern_server.mjs', ['modern-http-a']);
  try {
    const asked = [];
    await withGateway(`
servers:
  - name: modern
    url: ${url}
`, async ({ client }) => {
      await waitForTool(client, 'modern__confirm');
      const seen = JSON.parse(resultText(await client.callTool({ name: 'modern__seen', arguments: {} })));
      assert.equal(seen['io.modelcontextprotocol/protocolVersion'], '2026-07-28');
      assert.deepEqual(seen['io.modelcontextprotocol/clientCapabilities'], { elicitation: {} });
      const r = await client.callTool({ name: 'modern__confirm', arguments: { action: 'ship' } });
      assert.equal(resultText(r), 'ship: confirmed (state asked:ship)');
      assert.deepEqual(asked, ['Really ship?']);
    }, { capabilities: { elicitation: {} }, setup: accepting(asked) });
  } finally {
    stop();
  }
});

// Malformed input_required results (fixtures/malformed_modern_server.mjs):
// each gets the calling client a JSON-RPC error naming the server and what
// was wrong, whichever era the client speaks, and the next call works.
const MALFORMED = `
servers:
  - name: bad
    command: ${NODE}
    args: [${path.join(FIXTURES, 'malformed_modern_server.mjs')}, malformed-modern]
`;
const MALFORMED_CASES = [
  ['requests_not_object', /inputRequests that is not an object/],
  ['requests_missing', /neither inputRequests nor requestState/],
  ['request_not_object', /input request 'ok' that is not an object/],
  ['bad_method', /'tools\/call' \(input request 'ok'\), which is not elicitation\/create, sampling\/createMessage or roots\/list/],
  ['params_not_object', /input request 'ok' \(elicitation\/create\) whose params are not an object/],
  ['no_params', /input request 'ok' \(elicitation\/create\) without params/],
];

/** CALL(name) for each malformed case must fail with -32603 naming the server and the fault; echo works after each. */
async function checkMalformed(call, who) {
  for (const [name, why] of MALFORMED_CASES) {
    const err = await withTimeout(call(name), 8000, `${who}: ${name}`).then(
      (r) => assert.fail(`${who}: ${name} answered ${JSON.stringify(r)}`), (e) => e);
    assert.equal(err.code, -32603, `${who}: ${name}: ${err.message}`);
    assert.match(err.message, /Upstream bad answered input_required/, `${who}: ${name}`);
    assert.match(err.message, why, `${who}: ${name}`);
    assert.equal(resultText(await withTimeout(call('echo'), 8000, `${who}: echo after ${name}`)), 'echo');
  }
}

test('malformed input_required from a 2026-07-28 upstream: a clear error for legacy and 2026-07-28 clients, never a hang', opts, async () => {
  const asked = [];
  await withGateway(MALFORMED, async ({ client, gate }) => {
    await waitForTool(client, 'bad__echo');
    const legacyCall = (name) => client.callTool({ name: `bad__${name}`, arguments: {} });
    await checkMalformed(legacyCall, 'legacy client');
    // Valid after all: only one of inputRequests and requestState is required.
    assert.equal(resultText(await legacyCall('no_state')), 'answered {"action":"accept","content":{"ok":true}}');
    assert.equal(resultText(await legacyCall('state_only')), 'state round-2');
    assert.deepEqual(asked, ['Sure?'], 'a malformed request reached the client');

    const http = await httpClient();
    const v2 = refusingV2(asked);
    try {
      await withTimeout(v2.connect(new V2Http(new URL(gate.url), { fetch: http.fetch })), 8000, 'v2 connect');
      const modernCall = (name) => v2.callTool({ name: `bad__${name}`, arguments: {} });
      await checkMalformed(modernCall, '2026-07-28 client');
      assert.equal(resultText(await modernCall('no_state')), 'answered {"action":"accept","content":{"ok":false}}');
      assert.equal(resultText(await modernCall('state_only')), 'state round-2');
      assert.deepEqual(asked, ['Sure?', 'Sure?']);
    } finally {
      await v2.close();
      await http.close();
    }
  }, { capabilities: { elicitation: {} }, setup: accepting(asked) });
});
