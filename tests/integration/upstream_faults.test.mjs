// upstream_faults.test.mjs - stdio upstreams that misbehave: one killed in
// the middle of a call, one that never answers, one that writes garbage on
// stdout, one that exits before speaking, one whose initialize is slower
// than connection_timeout.  Each time the client gets a clear error that
// names the server, within a bound that proves nothing hangs; the gateway
// stays up (/healthz answers), serves its other servers, and the faulty
// server recovers where it can.  The upstream is fixtures/fault_server.mjs
// (official SDK v1 McpServer), which records what it receives.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { resultText, sleep } from './lib.mjs';
import { NODE, FIXTURES, withGateway, waitForTool } from './upstreams.mjs';

// Generous for an ASan build on two busy cores; the bounds that matter
// (an error well before the server's timeout) are asserted on their own.
const opts = { timeout: 60_000 };
const FAULT = path.join(FIXTURES, 'fault_server.mjs');

/** A config entry running fault_server.mjs in MODE, recording to LOG. */
const faultServer = (name, mode, log, { env = {}, extra = '' } = {}) => `
  - name: ${name}
    command: ${NODE}
    args: [${FAULT}, ${mode}]
    env:
      FAULT_LOG: ${log}
${Object.entries(env).map(([k, v]) => `      ${k}: "${v}"\n`).join('')}${extra}`;

/** The events fault_server.mjs recorded so far. */
function events(log) {
  let text = '';
  try { text = readFileSync(log, 'utf8'); } catch { /* not started yet */ }
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
const starts = (log) => events(log).filter((e) => e.start);

/** Poll PRED (sync or async) until it holds, or fail after MS saying WHAT. */
async function eventually(pred, what, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`never: ${what}`);
    await sleep(100);
  }
}

/** Call a tool that must fail; returns the error text and how long it took. */
async function callFails(client, name, args = {}) {
  const t0 = Date.now();
  const r = await client.callTool({ name, arguments: args }).catch((e) => ({ thrown: e }));
  const ms = Date.now() - t0;
  if (r.thrown) return { text: String(r.thrown.message), ms };
  assert.equal(r.isError, true, `${name} succeeded: ${JSON.stringify(r)}`);
  return { text: resultText(r), ms };
}

/** The gateway process is still running and /healthz answers. */
async function assertUp(gate) {
  assert.equal(gate.child.exitCode, null, `mcpgate exited:\n${gate.stderr()}`);
  assert.equal(gate.child.signalCode, null, `mcpgate was killed:\n${gate.stderr()}`);
  const res = await fetch(`${gate.origin}/healthz`);
  assert.equal(res.status, 200);
  await res.arrayBuffer();
}

async function withDir(fn) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-faults-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('killed by SIGKILL mid-call: the call fails at once naming the server; the child is restarted and serves', opts, () => withDir(async (dir) => {
  const log = path.join(dir, 'crashy.log');
  await withGateway(`listen: 127.0.0.1:0\nservers:${faultServer('crashy', 'serve', log)}`, async ({ client, gate }) => {
    await waitForTool(client, 'crashy__die');
    const before = resultText(await client.callTool({ name: 'crashy__pid', arguments: {} }));

    // The tool kills its own process 300 ms into the call; the server's
    // timeout is the default 60 s, so an answer within 10 s is the crash
    // being noticed, not a timeout.
    const { text, ms } = await callFails(client, 'crashy__die');
    assert.match(text, /Upstream crashy: killed by signal 9\b/);
    assert.ok(ms < 10_000, `the error took ${ms} ms`);
    assert.match(gate.stderr(), /upstream crashy.*killed by signal 9/);
    await assertUp(gate);

    // Restarted: a new process answers.  Calls meanwhile fail naming it.
    const after = await eventually(async () => {
      const r = await client.callTool({ name: 'crashy__pid', arguments: {} }).catch((e) => ({ thrown: e }));
      if (r.thrown) assert.match(r.thrown.message, /Upstream crashy is not connected/);
      return !r.thrown && !r.isError && resultText(r);
    }, `crashy back after the crash:\n${gate.stderr()}`);
    assert.notEqual(after, before, 'the killed process answered?');
    assert.equal(starts(log).length, 2);
    await assertUp(gate);
  });
}));

test('a call that never answers: "no answer within 2 s", the upstream gets notifications/cancelled, the server keeps serving', opts, () => withDir(async (dir) => {
  const log = path.join(dir, 'slowpoke.log');
  await withGateway(`listen: 127.0.0.1:0\nservers:${faultServer('slowpoke', 'serve', log, { extra: '    timeout: 2\n' })}`,
    async ({ client, gate }) => {
      await waitForTool(client, 'slowpoke__hang');
      const before = resultText(await client.callTool({ name: 'slowpoke__pid', arguments: {} }));

      const { text, ms } = await callFails(client, 'slowpoke__hang');
      assert.match(text, /Upstream slowpoke: no answer within 2 s/);
      assert.ok(ms >= 1900 && ms < 10_000, `the timeout came after ${ms} ms`);
      assert.match(gate.stderr(), /upstream slowpoke: tools\/call \(request \d+\): no answer within 2 s; cancelled/);

      // The upstream was told, with the id it was asked under, and its
      // handler saw the abort.
      const call = events(log).find((e) => e.got?.method === 'tools/call' && e.got.params?.name === 'hang');
      assert.ok(call, 'the hang call never reached the server');
      const cancel = await eventually(() => events(log).find((e) => e.got?.method === 'notifications/cancelled'),
        'notifications/cancelled reached the server');
      assert.deepEqual(cancel.got.params, { requestId: call.got.id, reason: 'no answer within 2 s' });
      await eventually(() => events(log).some((e) => e.aborted === call.got.id), 'the server aborted the hung handler');

      // Same process, still serving.
      assert.equal(resultText(await client.callTool({ name: 'slowpoke__pid', arguments: {} })), before);
      assert.equal(starts(log).length, 1);
      await assertUp(gate);
    });
}));

test('garbage on stdout between answers: logged and dropped, every valid answer still arrives', opts, () => withDir(async (dir) => {
  const log = path.join(dir, 'noisy.log');
  await withGateway(`listen: 127.0.0.1:0\nmax_message: 64k\nservers:${faultServer('noisy', 'serve', log)}`,
    async ({ client, gate }) => {
      await waitForTool(client, 'noisy__garbage');
      const before = resultText(await client.callTool({ name: 'noisy__pid', arguments: {} }));

      // Several calls in flight while the junk flows: each gets its own answer.
      const results = await Promise.all([
        client.callTool({ name: 'noisy__garbage', arguments: {} }),
        client.callTool({ name: 'noisy__pid', arguments: {} }),
        client.callTool({ name: 'noisy__garbage', arguments: {} }),
        client.callTool({ name: 'noisy__garbage', arguments: {} }),
      ]);
      assert.deepEqual(results.map(resultText), ['clean answer', before, 'clean answer', 'clean answer']);
      assert.ok(results.every((r) => !r.isError));

      // The server's stderr is a pipe of its own, read apart from its
      // answers: its line may come in just after them.
      for (let i = 0; i < 50 && !gate.stderr().includes('forged'); i++) await sleep(100);
      const err = gate.stderr();
      assert.match(err, /upstream noisy: not JSON-RPC \(.*\); line dropped/);
      assert.match(err, /upstream noisy: Invalid Request.*; message dropped/); // {"hello":"world"}
      assert.match(err, /upstream noisy: a batch, which mcpgate never asked for; message dropped/);
      assert.match(err, /upstream noisy: dropped a 100\d{3}-byte line from stdout \(the limit is 65536 bytes\)/);
      // Hostile bytes reach the log escaped, never raw.
      assert.ok(!err.includes('\x1b') && !err.includes('\r'), 'raw control codes reached the log');
      assert.ok(err.includes('upstream noisy: \\x1b[31mforged\\x0dlog line'), 'stderr of the server not logged escaped');

      // Nothing was restarted; the same process serves on.
      assert.equal(resultText(await client.callTool({ name: 'noisy__pid', arguments: {} })), before);
      assert.equal(starts(log).length, 1);
      await assertUp(gate);
    });
}));

test('a server that exits at start: the gateway serves the others, warns by name and command, retries with backoff', opts, () => withDir(async (dir) => {
  const broken = path.join(dir, 'broken.log'), steady = path.join(dir, 'steady.log');
  await withGateway(`listen: 127.0.0.1:0\nservers:${faultServer('broken', 'exit', broken)}${faultServer('steady', 'serve', steady)}`,
    async ({ client, gate }) => {
      await waitForTool(client, 'steady__pid');
      assert.match(resultText(await client.callTool({ name: 'steady__pid', arguments: {} })), /^\d+$/);

      // Started again and again, never in a tight loop (the backoff is at
      // least 250 ms, doubling).
      await eventually(() => starts(broken).length >= 3, `three starts of broken:\n${gate.stderr()}`);
      const at = starts(broken).map((e) => e.at);
      for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] >= 240, `restarted after ${at[i] - at[i - 1]} ms`);
      const err = gate.stderr();
      assert.ok(err.includes(`upstream broken (${NODE}): exited with code 1; restarting in `), err);
      assert.match(err, /upstream broken: exited with code 1; restarting in \d+ ms \(attempt 2\)/);
      // Its own last words are passed on.
      assert.match(err, /upstream broken: fault_server: refusing to start \(on purpose\)/);

      // Never up, so none of its tools is offered; asking for one says so.
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).filter((n) => !n.startsWith('steady__') && !n.startsWith('gateway__')), []);
      assert.ok(tools.some((t) => t.name === 'steady__hang'));
      const { text } = await callFails(client, 'broken__pid');
      assert.match(text, /Unknown tool: broken__pid/);

      const ready = await (await fetch(`${gate.origin}/readyz`)).json();
      assert.equal(ready.servers.ready, 1);
      assert.equal(ready.servers.failed + ready.servers.connecting, 1);
      assert.match(resultText(await client.callTool({ name: 'steady__pid', arguments: {} })), /^\d+$/);
      await assertUp(gate);
    });
}));

test('initialize slower than connection_timeout: failed with the limit named, retried, then served', opts, () => withDir(async (dir) => {
  const log = path.join(dir, 'sluggish.log'), steady = path.join(dir, 'steady.log');
  await withGateway(`listen: 127.0.0.1:0
connection_timeout: 1
servers:${faultServer('sluggish', 'slow-init', log, { env: { FAULT_INIT_DELAY_MS: 3000, FAULT_SLOW_STARTS: 1 } })}${faultServer('steady', 'serve', steady)}`,
  async ({ client, gate }) => {
    // The slow one delays nobody else: steady is served before it.
    const first = await waitForTool(client, 'steady__pid', 5_000);
    assert.ok(!first.some((t) => t.name.startsWith('sluggish__')));
    await eventually(() => gate.stderr().includes(`upstream sluggish (${NODE}): initialize failed: no answer within 1 s`),
      `the handshake timeout logged:\n${gate.stderr()}`);
    assert.ok(!(await client.listTools()).tools.some((t) => t.name.startsWith('sluggish__')));
    const { text } = await callFails(client, 'sluggish__pid');
    assert.match(text, /Unknown tool: sluggish__pid/);

    // Tried again with a fresh process, which answers in time.
    await waitForTool(client, 'sluggish__pid', 20_000);
    const pid = resultText(await client.callTool({ name: 'sluggish__pid', arguments: {} }));
    const s = starts(log);
    assert.equal(s.length, 2, JSON.stringify(s));
    assert.equal(String(s[1].start), pid);
    // MCP: initialize is never cancelled.
    assert.ok(!events(log).some((e) => e.got?.method === 'notifications/cancelled'), 'initialize was cancelled');
    await assertUp(gate);
  });
}));

// A server whose first start fails comes up on the supervisor's restart;
// no retry armed by the failed handshake may restart it once it is up.
test('a server that fails its first start comes up on the restart and stays up', opts, () => withDir(async (dir) => {
  const log = path.join(dir, 'flaky.log');
  await withGateway(`listen: 127.0.0.1:0\nservers:${faultServer('flaky', 'exit', log, { env: { FAULT_EXIT_STARTS: 1 } })}`,
    async ({ client, gate }) => {
      await waitForTool(client, 'flaky__pid');
      const pid = resultText(await client.callTool({ name: 'flaky__pid', arguments: {} }));
      await sleep(3000); // past the 1 s of a first retry, with room to spare
      assert.equal(resultText(await client.callTool({ name: 'flaky__pid', arguments: {} })), pid, 'restarted while healthy');
      assert.equal(starts(log).length, 2, gate.stderr());
      assert.ok(!gate.stderr().includes('initialize failed: exited with code 1'), `one exit, two warnings:\n${gate.stderr()}`);
      await assertUp(gate);
    });
}));

test('the upstream withdraws its own request: the client is told with notifications/cancelled and never answers it', opts, () => withDir(async (dir) => {
  const log = path.join(dir, 'asker.log');
  const seen = [];
  await withGateway(`listen: 127.0.0.1:0\nservers:${faultServer('asker', 'serve', log)}`, async ({ client }) => {
    await waitForTool(client, 'asker__withdraw');
    const r = await client.callTool({ name: 'asker__withdraw', arguments: {} });
    assert.equal(resultText(r), 'withdrawn');
    await eventually(() => seen.includes('aborted'), 'the client\'s elicitation handler was aborted');
    // The server got no answer to the question it withdrew.
    const answers = events(log).filter((e) => e.got && e.got.id !== undefined && e.got.method === undefined);
    assert.deepEqual(answers, [], 'an answer to the withdrawn request reached the server');
  }, {
    capabilities: { elicitation: {} },
    setup: (c) => c.setRequestHandler(ElicitRequestSchema, (req, extra) => new Promise((resolve) => {
      seen.push('asked');
      extra.signal.addEventListener('abort', () => {
        seen.push('aborted');
        resolve({ action: 'decline' });
      });
    })),
  });
}));
