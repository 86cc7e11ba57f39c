// upstream_tasks_ext.test.mjs - the tasks extension of 2026-07-28
// (io.modelcontextprotocol/tasks) bridged to a server of 2025-11-25 tasks
// (tests/conformance/tasks_upstream.mjs, official SDK v1), as the
// conformance suite does not check it: a task is bound to the API key
// that created it and to the era it was made in, a request without the
// extension is refused with -32021, and the server's question about a
// task is shown as inputRequests and answered by tasks/update (a malformed
// answer refused, losing nothing), and one the creating client did not
// declare the capability for is refused to the server at once, as are
// questions beyond 32 on one task; a task is forgotten once its ttl has
// run out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { GetTaskResultSchema, CreateTaskResultSchema, CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { startHttpGate, httpClient, postRpc, modernMeta, sleep, REPO_ROOT, MODERN_VERSION }
  from './lib.mjs';
import { runCli } from './cli.mjs';
import { NODE } from './upstreams.mjs';

const EXT = 'io.modelcontextprotocol/tasks';
const FIXTURE = path.join(REPO_ROOT, 'tests/conformance/tasks_upstream.mjs');
const CONFIG = `
servers:
  - name: tasks
    command: ${NODE}
    args: [${FIXTURE}]
projects:
  - name: work
    servers: [tasks]
`;

// A gateway on CONFIG (its state in a temporary directory; --auth
// required when AUTH), ready with the server `tasks`.  PREPARE(file,
// state) runs before it starts.  FN gets { http, url, send,
// prepared }, where send(method, params, { secret, ext, elicitation }) is
// one modern request to /servers/tasks/mcp declaring elicitation and the
// extension unless told not to, and resolves to the result, or to the
// error as { code, message, data }.  The gateway must then stop cleanly.
async function withTasksGate(config, { auth = false, prepare } = {}, fn) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-tasks-ext-'));
  const state = path.join(dir, 'state');
  const file = path.join(dir, 'gw.yaml');
  writeFileSync(file, config);
  const prepared = prepare ? await prepare(file, state) : undefined;
  const gate = await startHttpGate(['--config', file, '--state-dir', state, ...(auth ? ['--auth', 'required'] : [])],
    { demo: false });
  const http = await httpClient();
  const url = `${new URL(gate.url).origin}/servers/tasks/mcp`;
  let id = 0;
  const send = async (method, params, { secret, ext = true, elicitation = true } = {}) => {
    const capabilities = {
      ...(ext ? { extensions: { [EXT]: {} } } : {}),
      ...(elicitation ? { elicitation: {} } : {}),
    };
    const r = await postRpc(http.fetch, url, {
      jsonrpc: '2.0', id: ++id, method,
      params: { ...params, _meta: modernMeta({}, { capabilities }) },
    }, {
      ...(secret ? { authorization: `Bearer ${secret}` } : {}), 'mcp-protocol-version': MODERN_VERSION,
      'mcp-method': method, 'mcp-name': params.name ?? params.taskId,
    });
    assert.ok(r.json, `${method}: a JSON answer (HTTP ${r.status}): ${r.text}`);
    return r.json.error ?? r.json.result;
  };
  try {
    for (let i = 0; i < 100 && !gate.stderr().includes('upstream tasks ready'); i++) await sleep(100);
    await fn({ http, url, send, prepared });
    await http.close();
    await gate.stopCleanly();
  } finally {
    await http.close();
    gate.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('tasks extension: bound to the creating key and era, gated on the extension, questions answered by tasks/update',
  { timeout: 60_000 }, async () => {
    const keys = async (file, state) => {
      const key = async (name) => {
        const r = await runCli(['keys', 'create', '--config', file, '--state-dir', state, '--name', name,
          '--project', 'work', '--scope', 'write', '--json']);
        assert.equal(r.code, 0, r.stderr);
        return JSON.parse(r.stdout).secret;
      };
      return { alice: await key('alice'), bob: await key('bob') };
    };
    await withTasksGate(CONFIG, { auth: true, prepare: keys }, async ({ http, url, send, prepared }) => {
      const { alice, bob } = prepared;
      const call = (secret, method, params, opts = {}) => send(method, params, { ...opts, secret });
      const until = async (secret, taskId, want) => {
        for (let i = 0; i < 100; i++) {
          const t = await call(secret, 'tasks/get', { taskId });
          if (t.status === want) return t;
          assert.ok(!['completed', 'failed', 'cancelled'].includes(t.status), `ended as ${t.status}, not ${want}`);
          await sleep(100);
        }
        throw new Error(`task ${taskId} never became ${want}`);
      };

      const created = await call(alice, 'tools/call', { name: 'slow_compute', arguments: { seconds: 0.3, label: 'x' } });
      assert.equal(created.resultType, 'task');
      assert.match(created.taskId, /^mgt-[0-9a-f]{32}$/);
      assert.equal(created.ttlMs, 60000);
      assert.equal(created.pollIntervalMs, 200);
      assert.equal(created.task, undefined, 'flat: no 2025-11-25 task wrapper');
      const taskId = created.taskId;

      // Another key, however valid, sees no such task.
      const other = await call(bob, 'tasks/get', { taskId });
      assert.equal(other.code, -32602);
      // Without the extension: refused, saying what is missing.
      const gated = await call(alice, 'tasks/get', { taskId }, { ext: false });
      assert.equal(gated.code, -32021);
      assert.deepEqual(gated.data.requiredCapabilities, { extensions: { [EXT]: {} } });
      // A task-only tool without the extension: -32021 before the server hears of it.
      const required = await call(alice, 'tools/call', { name: 'failing_job', arguments: {} }, { ext: false });
      assert.equal(required.code, -32021);

      const done = await until(alice, taskId, 'completed');
      assert.equal(done.resultType, 'complete');
      assert.equal(done.result.content[0].text, 'computed x after 0.3 s');
      assert.equal(done.result._meta?.['io.modelcontextprotocol/related-task'], undefined);

      // The same key in a 2025-11-25 session: a task of the other era is not its.
      const legacy = new ClientV1({ name: 'tasks-ext-legacy', version: '0' });
      await legacy.connect(new HttpV1(new URL(url), { fetch: http.fetch,
        requestInit: { headers: { authorization: `Bearer ${alice}` } } }));
      await assert.rejects(legacy.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema),
        (e) => e.code === -32602);
      await legacy.close();

      // A question of the server about a task: shown, then answered.
      const asking = await call(alice, 'tools/call', { name: 'confirm_delete', arguments: { path: 'notes.txt' } });
      const waiting = await until(alice, asking.taskId, 'input_required');
      const keys = Object.keys(waiting.inputRequests);
      assert.equal(keys.length, 1);
      const ask = waiting.inputRequests[keys[0]];
      assert.equal(ask.method, 'elicitation/create');
      assert.equal(ask.params.message, 'Delete notes.txt?');
      assert.equal(ask.params._meta?.['io.modelcontextprotocol/related-task'], undefined);
      const bad = await call(alice, 'tasks/update', { taskId: asking.taskId, inputResponses: { [keys[0]]: 'yes' } });
      assert.equal(bad.code, -32602);
      assert.match(bad.message, /must be an object/);
      const still = await call(alice, 'tasks/get', { taskId: asking.taskId });
      assert.deepEqual(Object.keys(still.inputRequests), keys, 'a refused update loses nothing');
      const ack = await call(alice, 'tasks/update', { taskId: asking.taskId,
        inputResponses: { [keys[0]]: { action: 'accept', content: { confirm: true } } } });
      assert.equal(ack.resultType, 'complete');
      assert.equal(ack.status, undefined, 'an acknowledgement, no Task');
      const deleted = await until(alice, asking.taskId, 'completed');
      assert.equal(deleted.result.content[0].text, 'deleted notes.txt');
      // The outcome came with the gateway's own tasks/result: reading the
      // ended task again does not ask the server for it again.
      const resultsAsked = async () => Number((await call(alice, 'tools/call', { name: 'results_asked', arguments: {} }))
        .content[0].text);
      const before = await resultsAsked();
      for (let i = 0; i < 3; i++) {
        const again = await call(alice, 'tasks/get', { taskId: asking.taskId });
        assert.deepEqual(again, deleted, 'an ended task reads the same every time');
      }
      assert.equal(await resultsAsked(), before, 'tasks/result asked of the server again');

      // Created by a client that cannot answer elicitation: the server's
      // question is refused to it at once, nothing is shown to the client,
      // and the task ends as the server decides (here, a tool error).
      const mute = await call(alice, 'tools/call', { name: 'confirm_delete', arguments: { path: 'keep.txt' } },
        { elicitation: false });
      let seen;
      for (let i = 0; i < 100; i++) {
        seen = await call(alice, 'tasks/get', { taskId: mute.taskId });
        assert.equal(seen.inputRequests, undefined, 'nothing asked of a client without elicitation');
        if (seen.status === 'completed') break;
        await sleep(100);
      }
      assert.equal(seen.status, 'completed');
      assert.equal(seen.result.isError, true);
      assert.match(seen.result.content[0].text, /not deleted: .*did not declare the elicitation capability/);

      // A server asking more than 32 questions about one task at once: the
      // gateway keeps 32 for the client and refuses the rest to the server.
      const many = await call(alice, 'tools/call', { name: 'many_questions', arguments: { count: 40 } });
      let asked;
      for (let i = 0; i < 100; i++) {
        asked = await call(alice, 'tasks/get', { taskId: many.taskId });
        if (Object.keys(asked.inputRequests ?? {}).length >= 32) break;
        await sleep(100);
      }
      assert.equal(Object.keys(asked.inputRequests).length, 32);
      const answers = Object.fromEntries(Object.keys(asked.inputRequests).map((k) =>
        [k, { action: 'accept', content: { confirm: true } }]));
      await call(alice, 'tasks/update', { taskId: many.taskId, inputResponses: answers });
      const answered = await until(alice, many.taskId, 'completed');
      assert.equal(answered.result.content[0].text, '32 answered, 8 refused');

      // A task whose ttl has run out is forgotten by the gateway too: the
      // answer is the gateway's own, not a round trip to the server.
      const brief = await call(alice, 'tools/call', { name: 'slow_compute', arguments: { seconds: 0, ttl_ms: 200 } });
      assert.equal(brief.ttlMs, 200);
      await sleep(1700); // the ttl, and the gateway's second of grace
      const gone = await call(alice, 'tasks/get', { taskId: brief.taskId });
      assert.equal(gone.code, -32602);
      assert.match(gone.message, /no task mgt-[0-9a-f]{32} \(unknown, expired/);
    });
  });

// With isolation: session, a 2026-07-28 request is a session of its own
// and its instance stops once the request is answered, so a task made
// there would be gone at once: a tool that may run as a task runs as a
// plain call (the extension lets a server answer so), and one that runs
// only as a task is refused, saying why; a 2025-11-25 session, whose
// instance lives with it, still gets its tasks.
test('tasks extension with isolation: session: plain calls, a task-only tool refused, legacy tasks unchanged',
  { timeout: 60_000 }, async () => {
    const config = `servers:\n  - name: tasks\n    command: ${NODE}\n    args: [${FIXTURE}]\n    isolation: session\n`;
    await withTasksGate(config, {}, async ({ http, url, send }) => {
      const call = (method, params) => send(method, params, { elicitation: false });
      const plain = await call('tools/call', { name: 'slow_compute', arguments: { seconds: 0.1, label: 'iso' } });
      assert.equal(plain.resultType, 'complete', JSON.stringify(plain));
      assert.equal(plain.content[0].text, 'computed iso after 0.1 s');
      const refused = await call('tools/call', { name: 'failing_job', arguments: {} });
      assert.equal(refused.code, -32603);
      assert.match(refused.message, /tool failing_job runs only as a task.*isolation: session/);

      const legacy = new ClientV1({ name: 'tasks-iso-legacy', version: '0' });
      await legacy.connect(new HttpV1(new URL(url), { fetch: http.fetch }));
      const created = await legacy.request({ method: 'tools/call',
        params: { name: 'slow_compute', arguments: { seconds: 0.1 }, task: { ttl: 60000 } } }, CreateTaskResultSchema);
      assert.match(created.task.taskId, /^mgt-[0-9a-f]{32}$/);
      const result = await legacy.request({ method: 'tasks/result', params: { taskId: created.task.taskId } },
        CallToolResultSchema);
      assert.equal(result.content[0].text, 'computed  after 0.1 s');
      await legacy.close();
    });
  });

// With an API key, a 2026-07-28 request's instance is the key's and
// outlives the request: its tasks are tasks again.
test('tasks extension with isolation: session and an API key: the key\'s instance holds the task',
  { timeout: 60_000 }, async () => {
    const config = `servers:\n  - name: tasks\n    command: ${NODE}\n    args: [${FIXTURE}]\n    isolation: session\n` +
      'projects:\n  - name: work\n    servers: [tasks]\n';
    const keys = async (file, state) => {
      const r = await runCli(['keys', 'create', '--config', file, '--state-dir', state, '--name', 'alice',
        '--project', 'work', '--scope', 'write', '--json']);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout).secret;
    };
    await withTasksGate(config, { auth: true, prepare: keys }, async ({ send, prepared: alice }) => {
      const call = (method, params) => send(method, params, { secret: alice, elicitation: false });
      const created = await call('tools/call', { name: 'slow_compute', arguments: { seconds: 0.3, label: 'k' } });
      assert.equal(created.resultType, 'task', JSON.stringify(created));
      let task;
      for (let i = 0; i < 50; i++) {
        task = await call('tasks/get', { taskId: created.taskId });
        if (task.status === 'completed') break;
        await sleep(100);
      }
      assert.equal(task.status, 'completed', JSON.stringify(task));
      assert.equal(task.result.content[0].text, 'computed k after 0.3 s');
      const failing = await call('tools/call', { name: 'failing_job', arguments: {} });
      assert.equal(failing.resultType, 'task', 'a task-only tool runs, as a task');
    });
  });
