// upstream_tasks_native.test.mjs - tasks of an upstream that speaks the
// tasks extension of 2026-07-28 itself (io.modelcontextprotocol/tasks).
// The upstream is a second mcpgate ("inner"), whose /servers/tasks/mcp
// serves the extension for tests/conformance/tasks_upstream.mjs; the
// gateway under test ("outer") reaches it by url as server `inner`, and
// so speaks the extension to it.  (scripts/conformance.sh runs the
// suite's tasks scenarios through the same pair, for 2026-07-28 clients.)
//
// A 2025-11-25 client (official SDK v1) of the outer gateway:
//   - gets a task under an id of the outer gateway's, neither the inner
//     one's nor the server's, in 2025-11-25 fields (ttl, createdAt);
//   - tasks/get, tasks/list and tasks/result work with it; tasks/result,
//     which the extension has no more, waits for the end and answers the
//     result with related-task _meta, a tool error as a result, and a
//     JSON-RPC error as that error;
//   - the Task's inputRequests reach it as real elicitation requests,
//     related to the task, and its answers go back by tasks/update (two at
//     once too), also through the SDK's own task flow (callToolStream);
//   - tasks/cancel answers the cancelled Task, and -32602 on an ended one;
//   - each new status the gateway sees (its tasks/get, the polling behind
//     tasks/result) is told by notifications/tasks/status, once, to the
//     task's creator alone;
//   - another session does not see the task;
//   - a task the server did not make (it answered at once) is still
//     one, completed, held by the gateway;
//   - a tasks/result that waits ends, never hangs, when the client gives
//     up (the task goes on), when the gateway stops (which it does
//     cleanly), and when the server is lost (at once).
// A 2026-07-28 client sees the Task as the inner gateway shows it, but
// under the outer gateway's id, and the outer gateway sends the
// extension only on calls that may run as tasks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ListTasksResultSchema, CancelTaskResultSchema, CallToolResultSchema, ElicitRequestSchema,
  TaskStatusNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { startHttpGate, httpClient, postRpc, modernMeta, sleep, REPO_ROOT, MODERN_VERSION } from './lib.mjs';
import { NODE, withGateway, waitForTool, startTask, getTask, taskResult, rpcError } from './upstreams.mjs';

const opts = { timeout: 120_000 };
const EXT = 'io.modelcontextprotocol/tasks';
const FIXTURE = path.join(REPO_ROOT, 'tests/conformance/tasks_upstream.mjs');

// The inner gateway, serving FIXTURE as `tasks`; FN gets the url of its
// /servers/tasks/mcp.  It must stop cleanly.
async function withInner(fn, extra = '') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-tasks-native-'));
  const file = path.join(dir, 'inner.yaml');
  writeFileSync(file, `servers:\n  - name: tasks\n    command: ${NODE}\n    args: [${FIXTURE}]\n${extra}`);
  const inner = await startHttpGate(['--config', file, '--state-dir', path.join(dir, 'state')], { demo: false });
  try {
    for (let i = 0; i < 100 && !inner.stderr().includes('upstream tasks ready'); i++) await sleep(100);
    await fn(`${new URL(inner.url).origin}/servers/tasks/mcp`, inner);
    if (inner.child.exitCode === null && inner.child.signalCode === null) // unless FN killed it
      await inner.stopCleanly();
  } finally {
    inner.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

const outerConfig = (url) => `listen: 127.0.0.1:0\nservers:\n  - name: inner\n    url: ${url}\n`;

test('a 2025-11-25 client\'s tasks on a server of the tasks extension: created, polled, listed, answered, cancelled',
  opts, async () => {
    await withInner(async (innerUrl) => {
      await withGateway(outerConfig(innerUrl), async ({ client, connect }) => {
        await waitForTool(client, 'inner__slow_compute');
        assert.ok(client.getServerCapabilities().tasks?.requests?.tools?.call, 'the gateway declares tasks');
        const told = [];
        client.setNotificationHandler(TaskStatusNotificationSchema, (n) => { told.push(n.params); });
        const toldOf = (taskId) => told.filter((n) => n.taskId === taskId).map((n) => n.status);

        const created = await startTask(client, 'inner__slow_compute', { seconds: 1, label: 'tide' });
        const id = created.task.taskId;
        assert.match(id, /^mgt-[0-9a-f]{32}$/);
        assert.equal(created.task.status, 'working');
        assert.equal(typeof created.task.ttl, 'number', 'ttlMs became ttl');
        assert.equal(created.task.ttlMs, undefined);
        assert.ok(created.task.createdAt && created.task.lastUpdatedAt, JSON.stringify(created.task));

        const got = await getTask(client, id);
        assert.equal(got.taskId, id);
        assert.equal(got.status, 'working');
        assert.equal(got.resultType, undefined, 'no 2026-07-28 fields reach a 2025-11-25 client');
        const { tasks } = await client.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
        assert.deepEqual(tasks.map((t) => t.taskId), [id]);
        assert.equal(tasks[0].status, 'working');

        const other = await connect();
        const toldOther = [];
        other.setNotificationHandler(TaskStatusNotificationSchema, (n) => { toldOther.push(n.params); });
        assert.equal((await rpcError(getTask(other, id))).code, -32602, 'another session saw the task');

        const started = Date.now();
        const result = await taskResult(client, id);
        assert.ok(Date.now() - started >= 500, 'tasks/result waited for the end');
        assert.equal(result.content[0].text, 'computed tide after 1 s');
        assert.equal(result._meta?.['io.modelcontextprotocol/related-task']?.taskId, id);
        assert.equal((await getTask(client, id)).status, 'completed');
        // Told once of the end (working it was already known to be).
        await sleep(100);
        assert.deepEqual(toldOf(id), ['completed']);
        const end = told.find((n) => n.taskId === id);
        assert.equal(typeof end.ttl, 'number', 'in 2025-11-25 fields');
        assert.ok(end.createdAt && end.lastUpdatedAt, JSON.stringify(end));
        assert.equal(end.ttlMs, undefined);

        // A tool error is a result; a JSON-RPC error is that error.
        const failing = (await startTask(client, 'inner__failing_job', {})).task.taskId;
        const failed = await taskResult(client, failing);
        assert.equal(failed.isError, true);
        assert.equal(failed.content[0].text, 'the job failed');
        const crashing = (await startTask(client, 'inner__protocol_error_job', {})).task.taskId;
        const crashed = await rpcError(taskResult(client, crashing));
        assert.equal(crashed.code, -32603); // the inner gateway's Task.error, as it gives it
        assert.match(crashed.message, /crashed/);

        // Cancelled: the Task says so; an ended task cannot be.
        const long = (await startTask(client, 'inner__slow_compute', { seconds: 60 })).task.taskId;
        const cancelled = await client.request({ method: 'tasks/cancel', params: { taskId: long } },
          CancelTaskResultSchema);
        assert.equal(cancelled.taskId, long);
        assert.equal(cancelled.status, 'cancelled');
        const late = await rpcError(client.request({ method: 'tasks/cancel', params: { taskId: id } },
          CancelTaskResultSchema));
        assert.equal(late.code, -32602);
        assert.match(late.message, /has ended \(completed\)/);
        assert.match((await rpcError(taskResult(client, long))).message, /was cancelled/);
        assert.deepEqual(toldOf(long), ['cancelled']);
        assert.deepEqual(toldOf(failing), ['completed']);
        assert.deepEqual(toldOther, [], 'another session was told of the tasks');
      });
    });
  });

test('the inputRequests of a task on a server of the tasks extension reach the 2025-11-25 client waiting on tasks/result',
  opts, async () => {
    const asked = [];
    const setup = (client) => client.setRequestHandler(ElicitRequestSchema, (req) => {
      asked.push(req.params);
      return { action: 'accept', content: { confirm: true } };
    });
    await withInner(async (innerUrl) => {
      await withGateway(outerConfig(innerUrl), async ({ client }) => {
        await waitForTool(client, 'inner__confirm_delete');
        const id = (await startTask(client, 'inner__confirm_delete', { path: 'notes.txt' })).task.taskId;
        const result = await taskResult(client, id);
        assert.equal(result.content[0].text, 'deleted notes.txt');
        assert.equal(asked.length, 1, 'asked once');
        assert.equal(asked[0].message, 'Delete notes.txt?');
        assert.equal(asked[0]._meta?.['io.modelcontextprotocol/related-task']?.taskId, id);

        asked.length = 0;
        const two = (await startTask(client, 'inner__multi_input', {})).task.taskId;
        assert.equal((await taskResult(client, two)).content[0].text, 'answers: accept, accept');
        assert.deepEqual(asked.map((a) => a.message).sort(), ['First?', 'Second?']);

        // The SDK's own task flow: polls tasks/get, and on input_required
        // or the end asks tasks/result.
        asked.length = 0;
        const seen = [];
        for await (const m of client.experimental.tasks.callToolStream({ name: 'inner__confirm_delete',
          arguments: { path: 'stream.txt' } }, CallToolResultSchema, { task: { ttl: 60_000 } }))
          seen.push(m.type === 'result' ? m.result.content[0].text : m.type);
        assert.deepEqual([seen[0], seen.at(-1)], ['taskCreated', 'deleted stream.txt'], JSON.stringify(seen));
        assert.equal(asked.length, 1);
      }, { capabilities: { elicitation: {} }, setup });
    });
  });

test('a server of the tasks extension that answers at once: the 2025-11-25 client still gets a task, held by the gateway',
  opts, async () => {
    // With isolation: session the inner gateway runs a 2026-07-28 call of
    // a tool that may run as a task as a plain one, and answers at once.
    await withInner(async (innerUrl) => {
      await withGateway(outerConfig(innerUrl), async ({ client }) => {
        await waitForTool(client, 'inner__slow_compute');
        const created = await startTask(client, 'inner__slow_compute', { seconds: 0, label: 'now' });
        const id = created.task.taskId;
        assert.match(id, /^mgt-[0-9a-f]{32}$/);
        assert.equal(created.task.status, 'completed');
        assert.equal(created.task.ttl, 60_000, 'the ttl asked for');
        const got = await getTask(client, id);
        assert.equal(got.status, 'completed');
        assert.equal(got.taskId, id);
        const { tasks } = await client.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
        assert.deepEqual(tasks.map((t) => [t.taskId, t.status]), [[id, 'completed']]);
        const result = await taskResult(client, id);
        assert.equal(result.content[0].text, 'computed now after 0 s');
        assert.equal(result._meta?.['io.modelcontextprotocol/related-task']?.taskId, id);
        const late = await rpcError(client.request({ method: 'tasks/cancel', params: { taskId: id } },
          CancelTaskResultSchema));
        assert.equal(late.code, -32602);
      });
    }, '    isolation: session\n');
  });

test('a 2026-07-28 client\'s task on a server of the tasks extension: its Task under the outer gateway\'s id', opts,
  async () => {
    await withInner(async (innerUrl) => {
      await withGateway(outerConfig(innerUrl), async ({ gate, client }) => {
        await waitForTool(client, 'inner__slow_compute');
        const http = await httpClient();
        const url = `${new URL(gate.url).origin}/servers/inner/mcp`;
        let n = 0;
        const send = async (method, params, ext = true) => {
          const capabilities = ext ? { extensions: { [EXT]: {} }, elicitation: {} } : { elicitation: {} };
          const r = await postRpc(http.fetch, url, { jsonrpc: '2.0', id: ++n, method,
            params: { ...params, _meta: modernMeta({}, { capabilities }) } },
          { 'mcp-protocol-version': MODERN_VERSION, 'mcp-method': method, 'mcp-name': params.name ?? params.taskId });
          return r.json.error ?? r.json.result;
        };
        try {
          const created = await send('tools/call', { name: 'slow_compute', arguments: { seconds: 0.5 } });
          assert.equal(created.resultType, 'task', JSON.stringify(created));
          assert.match(created.taskId, /^mgt-[0-9a-f]{32}$/);
          assert.equal(typeof created.ttlMs, 'number');
          let task;
          for (let i = 0; i < 50; i++) {
            task = await send('tasks/get', { taskId: created.taskId });
            if (task.status === 'completed') break;
            await sleep(100);
          }
          assert.equal(task.taskId, created.taskId);
          assert.equal(task.status, 'completed');
          assert.equal(task.result.content[0].text, 'computed  after 0.5 s');
          assert.equal(task.result._meta?.['io.modelcontextprotocol/related-task'], undefined);
          // A malformed tasks/update is refused before the server hears of it.
          const bad = await send('tasks/update', { taskId: created.taskId, inputResponses: 'yes' });
          assert.equal(bad.code, -32602, JSON.stringify(bad));
          assert.match(bad.message, /inputResponses/);

          // Without the extension the call runs to its end: the outer
          // gateway does not ask the server for a task.
          const plain = await send('tools/call', { name: 'slow_compute', arguments: { seconds: 0 } }, false);
          assert.equal(plain.resultType, 'complete', JSON.stringify(plain));
          assert.equal(plain.content[0].text, 'computed  after 0 s');
          const refused = await send('tools/call', { name: 'failing_job', arguments: {} }, false);
          assert.equal(refused.code, -32021, JSON.stringify(refused));
        } finally {
          await http.close();
        }
      });
    });
  });

test('a 2025-11-25 tasks/result waiting on a server of the tasks extension ends when the client gives up, the server is ' +
  'lost or the gateway stops', opts, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-tasks-native-stop-'));
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  try {
    await withInner(async (innerUrl, inner) => {
      const file = path.join(dir, 'outer.yaml');
      writeFileSync(file, outerConfig(innerUrl));
      const outer = await startHttpGate(['--config', file, '--state-dir', path.join(dir, 'state')], { demo: false });
      const http = await httpClient();
      try {
        const client = new Client({ name: 'native-stop', version: '0' }, { capabilities: {} });
        await client.connect(new StreamableHTTPClientTransport(new URL(outer.url), { fetch: http.fetch }));
        await waitForTool(client, 'inner__slow_compute');
        const long = () => startTask(client, 'inner__slow_compute', { seconds: 60 }).then((r) => r.task.taskId);

        // The client gives up: its request is cancelled, the task goes on.
        const given = await long();
        const abort = new AbortController();
        const waiting = client.request({ method: 'tasks/result', params: { taskId: given } }, CallToolResultSchema,
          { signal: abort.signal, timeout: 30_000 });
        await sleep(300);
        abort.abort();
        await assert.rejects(waiting);
        assert.equal((await getTask(client, given)).status, 'working');

        // The gateway stops while a tasks/result waits: it is answered, and
        // the gateway exits cleanly.
        const pending = taskResult(client, await long()).then(() => 'answered', (e) => e.message);
        await sleep(300);
        await outer.stopCleanly();
        assert.match(await pending, /session ended|stopping/);
      } finally {
        await http.close();
        outer.kill();
      }

      // The server is lost while a tasks/result waits: it fails at once.
      const again = await startHttpGate(['--config', file, '--state-dir', path.join(dir, 'state')], { demo: false });
      const http2 = await httpClient();
      try {
        const client = new Client({ name: 'native-lost', version: '0' }, { capabilities: {} });
        await client.connect(new StreamableHTTPClientTransport(new URL(again.url), { fetch: http2.fetch }));
        await waitForTool(client, 'inner__slow_compute');
        const id = (await startTask(client, 'inner__slow_compute', { seconds: 60 })).task.taskId;
        const pending = taskResult(client, id).then(() => 'answered', (e) => e.message);
        await sleep(300);
        const t0 = Date.now();
        inner.kill();
        const why = await pending;
        assert.match(why, /its server was lost|upstream inner: /, why);
        assert.ok(Date.now() - t0 < 5000, `failed after ${Date.now() - t0} ms`);
        await http2.close();
        await again.stopCleanly();
      } finally {
        await http2.close();
        again.kill();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
