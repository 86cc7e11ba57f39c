// ask.test.mjs - handlers that ask the client (sampling, elicitation,
// roots), against the official SDK clients, in both eras:
//   - legacy (v1 client, Streamable HTTP and stdio): mcpgate sends real
//     requests on the session's streams and reruns the handler with the
//     answers;
//   - 2026-07-28 (v2 client): an input_required result with a sealed
//     requestState, which the client fulfils and retries;
// and the refusals of a tampered, replayed or misplaced requestState.
// The tools are those of the conformance fixture (`--conformance`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Http } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema, McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { Client as V2Client, StreamableHTTPClientTransport as V2Http } from '@modelcontextprotocol/client';
import {
  HTTP_TEST_TIMEOUT, MCPGATE_BIN, startHttpGate, httpClient, assertCleanStderr, resultText, postRpc, modernRequest,
  modernHeaders, withTimeout, childEnv, waitForBinary,
} from './lib.mjs';

const opts = { timeout: HTTP_TEST_TIMEOUT };
const ALL_CAPS = { elicitation: {}, sampling: {}, roots: {} };

/** What the client answers; every request it got is recorded in `asked`. */
function answering(asked) {
  return {
    elicit: (req) => {
      asked.push(req.params);
      const props = Object.keys(req.params.requestedSchema?.properties ?? {});
      const content = {};
      for (const p of props) content[p] = p === 'color' ? 'blue' : p === 'ok' ? true : p === 'email' ? 'a@example.com' : 'Alice';
      return { action: 'accept', content };
    },
    sample: (req) => {
      asked.push(req.params);
      return { role: 'assistant', content: { type: 'text', text: 'Paris.' }, model: 'test-model', stopReason: 'endTurn' };
    },
    roots: (req) => {
      asked.push(req.params ?? {});
      return { roots: [{ uri: 'file:///work', name: 'work' }] };
    },
  };
}

async function withGate(fn) {
  const gate = await startHttpGate(['--conformance'], { demo: false });
  const pool = await httpClient();
  try {
    await fn({ gate, fetch: pool.fetch });
    await pool.close();
    const { code, signal } = await gate.stop();
    assert.equal(signal, null, `mcpgate died of ${signal}`);
    assert.equal(code, 0, `mcpgate exited ${code}; stderr:\n${gate.stderr()}`);
    assertCleanStderr(gate.stderr());
  } finally {
    await pool.close();
    gate.kill();
  }
}

function v1Client(asked, capabilities = ALL_CAPS) {
  const client = new V1Client({ name: 'mcpgate-it-ask', version: '0.0.0' }, { capabilities });
  const a = answering(asked);
  if (capabilities.elicitation) client.setRequestHandler(ElicitRequestSchema, a.elicit);
  if (capabilities.sampling) client.setRequestHandler(CreateMessageRequestSchema, a.sample);
  if (capabilities.roots) client.setRequestHandler(ListRootsRequestSchema, a.roots);
  return client;
}

test('legacy over HTTP: elicitation, sampling and roots are real requests; the handler reruns with the answers', opts, async () => {
  await withGate(async ({ gate, fetch }) => {
    const asked = [];
    const client = v1Client(asked);
    await withTimeout(client.connect(new V1Http(new URL(gate.url), { fetch })), 8000, 'v1 connect');

    const e = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who are you?' } });
    assert.equal(e.isError, undefined, resultText(e));
    assert.equal(asked[0].message, 'Who are you?');
    assert.deepEqual(asked[0].requestedSchema.required, ['username', 'email']);
    assert.match(resultText(e), /^User response: action=accept, content=\{.*"username":"Alice"/);

    const s = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'Capital of France?' } });
    assert.equal(resultText(s), 'LLM response: Paris.');
    assert.equal(asked[1].messages[0].content.text, 'Capital of France?');
    assert.equal(asked[1].maxTokens, 100);

    // Two rounds: the state the handler left in round 1 reaches round 2.
    const m = await client.callTool({ name: 'test_input_required_result_multi_round', arguments: {} });
    assert.equal(resultText(m), 'Alice likes blue');

    // Three questions in one round, answered concurrently.
    const before = asked.length;
    const three = await client.callTool({ name: 'test_input_required_result_multiple_inputs', arguments: {} });
    assert.equal(resultText(three), 'Paris., Alice (1 roots)');
    assert.equal(asked.length - before, 3);

    // prompts/get asks too.
    const p = await client.getPrompt({ name: 'test_input_required_result_prompt' });
    assert.match(p.messages[0].content.text, /context in mind: Alice/);
    await client.close();
  });
});

test('legacy: a client without the capability gets -32602 naming it; nothing is asked', opts, async () => {
  await withGate(async ({ gate, fetch }) => {
    const asked = [];
    const client = v1Client(asked, { elicitation: {} });
    await client.connect(new V1Http(new URL(gate.url), { fetch }));
    await assert.rejects(client.callTool({ name: 'test_sampling', arguments: { prompt: 'x' } }), (err) => {
      assert.ok(err instanceof McpError, String(err));
      assert.equal(err.code, -32602);
      assert.match(err.message, /needs the client capability 'sampling'/);
      return true;
    });
    assert.equal(asked.length, 0);
    await client.close();
  });
});

test('legacy: a client that refuses a request ends the call with an execution error saying so', opts, async () => {
  await withGate(async ({ gate, fetch }) => {
    const client = new V1Client({ name: 'mcpgate-it-ask', version: '0.0.0' }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, () => { throw new McpError(-32603, 'the user closed the dialog'); });
    await client.connect(new V1Http(new URL(gate.url), { fetch }));
    const r = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Hi' } });
    assert.equal(r.isError, true);
    assert.match(resultText(r), /did not answer elicitation\/create: .*the user closed the dialog/);
    await client.close();
  });
});

test('legacy: cancelling a call that waits for the user withdraws the question (notifications/cancelled)', opts, async () => {
  await withGate(async ({ gate, fetch }) => {
    const client = new V1Client({ name: 'mcpgate-it-ask', version: '0.0.0' }, { capabilities: { elicitation: {} } });
    let asked, withdrawn;
    const abortedByServer = new Promise((resolve) => { withdrawn = resolve; });
    client.setRequestHandler(ElicitRequestSchema, (req, extra) => new Promise((resolve) => {
      asked();
      extra.signal.addEventListener('abort', () => { withdrawn(extra.signal.reason); resolve({ action: 'cancel' }); });
    }));
    const questionArrived = new Promise((resolve) => { asked = resolve; });
    await client.connect(new V1Http(new URL(gate.url), { fetch }));
    const ac = new AbortController();
    const call = client.callTool({ name: 'test_elicitation', arguments: { message: 'Wait' } }, undefined, { signal: ac.signal });
    await withTimeout(questionArrived, 5000, 'the elicitation request');
    ac.abort('changed my mind');
    await assert.rejects(call);
    await withTimeout(abortedByServer, 5000, 'notifications/cancelled for the elicitation');
    // The session goes on.
    const r = await client.callTool({ name: 'test_simple_text', arguments: {} });
    assert.ok(resultText(r).length > 0);
    await client.close();
  });
});

test('legacy over stdio: elicitation goes out on stdout and the answer comes back on stdin', opts, async () => {
  await waitForBinary();
  const asked = [];
  const client = v1Client(asked);
  const transport = new StdioClientTransport({
    command: MCPGATE_BIN, args: ['stdio', '--conformance'], env: childEnv(), stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => { stderr += d; });
  await withTimeout(client.connect(transport), 8000, 'v1 stdio connect');
  const r = await client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} });
  assert.equal(resultText(r), 'Hello, Alice!');
  assert.equal(asked[0].message, 'What is your name?');
  await client.close();
  assertCleanStderr(stderr);
});

test('2026-07-28 (v2 client): input_required is fulfilled by the client and retried to completion', opts, async () => {
  await withGate(async ({ gate, fetch }) => {
    const asked = [];
    const a = answering(asked);
    const wire = [];
    const tap = async (input, init = {}) => {
      const res = await fetch(input, init);
      wire.push({ body: init.body ? JSON.parse(init.body) : undefined, res: res.clone() });
      return res;
    };
    const client = new V2Client({ name: 'mcpgate-it-ask-v2', version: '0.0.0' },
      { capabilities: ALL_CAPS, versionNegotiation: { mode: 'auto' } });
    client.setRequestHandler('elicitation/create', a.elicit);
    client.setRequestHandler('sampling/createMessage', a.sample);
    client.setRequestHandler('roots/list', a.roots);
    await withTimeout(client.connect(new V2Http(new URL(gate.url), { fetch: tap })), 8000, 'v2 connect');

    const m = await client.callTool({ name: 'test_input_required_result_multi_round', arguments: {} });
    assert.equal(resultText(m), 'Alice likes blue');
    const calls = wire.filter((w) => w.body?.method === 'tools/call').map((w) => w.body.params);
    assert.equal(calls.length, 3, 'three rounds: ask, ask again, complete');
    assert.equal(calls[0].requestState, undefined);
    assert.ok(calls[1].requestState && calls[2].requestState && calls[1].requestState !== calls[2].requestState);
    assert.deepEqual(Object.keys(calls[1].inputResponses), ['step1']);

    const three = await client.callTool({ name: 'test_input_required_result_multiple_inputs', arguments: {} });
    assert.equal(resultText(three), 'Paris., Alice (1 roots)');
    await client.close();
  });
});

/** Round 1 of a modern call over raw HTTP: the input_required result. */
async function round1(fetch, url, name, args = {}) {
  const r = await postRpc(fetch, url, modernRequest(1, 'tools/call', { name, arguments: args }, {}, { capabilities: ALL_CAPS }), modernHeaders('tools/call', name));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.result.resultType, 'input_required', r.text);
  return r.json.result;
}

async function retry(fetch, url, name, params) {
  return postRpc(fetch, url, modernRequest(2, 'tools/call', { name, arguments: {}, ...params }, {}, { capabilities: ALL_CAPS }), modernHeaders('tools/call', name));
}

test('2026-07-28: requestState is sealed; altered, replayed or moved state is -32602 and the handler never runs', opts, async () => {
  await withGate(async ({ gate, fetch }) => {
    const url = gate.url;
    const name = 'test_input_required_result_request_state';
    const ok = { confirm: { action: 'accept', content: { ok: true } } };
    const first = await round1(fetch, url, name);
    assert.deepEqual(Object.keys(first.inputRequests), ['confirm']);
    assert.equal(first.inputRequests.confirm.method, 'elicitation/create');
    assert.match(first.requestState, /^[A-Za-z0-9+/=]+\.[0-9a-f]{64}$/);

    // One changed character anywhere is refused.
    const s = first.requestState;
    for (const bad of [`${s}x`, `A${s.slice(1)}`, s.replace(/.$/, (c) => (c === '0' ? '1' : '0'))]) {
      const r = await retry(fetch, url, name, { inputResponses: ok, requestState: bad });
      assert.equal(r.json.error?.code, -32602, r.text);
      assert.match(r.json.error.message, /requestState/);
    }
    // Another tool, or other arguments, cannot use it.
    const moved = await retry(fetch, url, 'test_input_required_result_tampered_state', { inputResponses: ok, requestState: s });
    assert.equal(moved.json.error?.code, -32602, moved.text);
    assert.match(moved.json.error.message, /another call/);

    // The genuine state completes once...
    const done = await retry(fetch, url, name, { inputResponses: ok, requestState: s });
    assert.equal(done.json.result?.resultType, 'complete', done.text);
    assert.match(resultText(done.json.result), /state-ok/);
    // ...and only once.
    const again = await retry(fetch, url, name, { inputResponses: ok, requestState: s });
    assert.equal(again.json.error?.code, -32602, again.text);
    assert.match(again.json.error.message, /already used/);
  });
});

test('2026-07-28: malformed inputResponses are -32602; a missing answer is asked again; extra ones are ignored', opts, async () => {
  await withGate(async ({ gate, fetch }) => {
    const url = gate.url;
    const name = 'test_input_required_result_elicitation';
    for (const [inputResponses, what] of [[null, /inputResponses must be an object/], [{ user_name: 7 }, /inputResponses\/user_name must be an object/]]) {
      const r = await retry(fetch, url, name, { inputResponses });
      assert.equal(r.json.error?.code, -32602, r.text);
      assert.match(r.json.error.message, what);
    }
    const r = await retry(fetch, url, name, { requestState: 42 });
    assert.equal(r.json.error?.code, -32602, r.text);

    const wrong = await retry(fetch, url, name, { inputResponses: { wrong_key: { action: 'accept', content: {} } } });
    assert.equal(wrong.json.result?.resultType, 'input_required', wrong.text);
    assert.ok(wrong.json.result.inputRequests.user_name);

    const first = await round1(fetch, url, name);
    const extra = await retry(fetch, url, name, {
      requestState: first.requestState,
      inputResponses: { user_name: { action: 'accept', content: { name: 'Bob' } }, other: { action: 'decline' } },
    });
    assert.equal(resultText(extra.json.result), 'Hello, Bob!');
  });
});

test('2026-07-28: a tool asks only for what the client declared', opts, async () => {
  await withGate(async ({ gate, fetch }) => {
    const name = 'test_input_required_result_capabilities';
    const r = await postRpc(fetch, gate.url, modernRequest(1, 'tools/call', { name, arguments: {} }, {}, { capabilities: { sampling: {} } }),
      modernHeaders('tools/call', name));
    assert.deepEqual(Object.values(r.json.result.inputRequests).map((q) => q.method), ['sampling/createMessage']);
  });
});
