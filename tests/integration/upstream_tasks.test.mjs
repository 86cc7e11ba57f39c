// upstream_tasks.test.mjs - 2025-11-25 tasks of an upstream server through
// the gateway, with server-everything over stdio (its
// simulate-research-query tool runs as a task, about 4 s) and the official
// v1 SDK client:
//   - the gateway declares tasks, and lists the tool's execution.taskSupport;
//   - a task-augmented call returns a task under an id of the gateway's,
//     never the server's; tasks/get, tasks/list and tasks/result work with
//     it, and the result's related-task _meta names it too;
//   - another session cannot see it (no API keys: bound to the session);
//   - tasks/cancel reaches the server; a tool without task support is
//     refused with -32601; an unknown or missing id gets -32602;
//   - the server's elicitation about a task, sent while tasks/result
//     waits, reaches the client that waits, and its answer goes back;
//   - progress on the creating call's token, sent while the task runs
//     (fixtures/progress_task_server.mjs), reaches the client that created
//     the task under its own token, and stops when the task has ended.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateTaskResultSchema, GetTaskResultSchema, ListTasksResultSchema, CancelTaskResultSchema,
  ElicitRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import path from 'node:path';
import { NODE, FIXTURES, pids, withGateway, waitForTool, everything as server, startTask, getTask, taskResult, rpcError }
  from './upstreams.mjs';
import { sleep } from './lib.mjs';

const opts = { timeout: 120_000 };
const TOOL = 'everything__simulate-research-query';

test('tasks of an upstream: created, polled, listed, answered under the gateway\'s ids; bound to the session', opts, async () => {
  const mark = `mcpgate-test-tasks-${process.pid}-${Date.now()}`;
  await withGateway(`listen: 127.0.0.1:0\nservers:${server('everything', mark)}`, async ({ client, connect }) => {
    const tools = await waitForTool(client, TOOL);
    assert.deepEqual(client.getServerCapabilities().tasks,
      { list: {}, cancel: {}, requests: { tools: { call: {} } } });
    assert.equal(tools.find((t) => t.name === TOOL).execution?.taskSupport, 'required');

    const created = await startTask(client, TOOL, { topic: 'tides' });
    const id = created.task.taskId;
    assert.match(id, /^mgt-[0-9a-f]{32}$/, 'the client sees the gateway\'s task id (128 random bits)');
    assert.equal(created.task.status, 'working');

    const got = await getTask(client, id);
    assert.equal(got.taskId, id);
    assert.ok(['working', 'completed'].includes(got.status), got.status);

    const { tasks } = await client.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
    assert.deepEqual(tasks.map((t) => t.taskId), [id]);

    const other = await connect();
    const hidden = await rpcError(getTask(other, id));
    assert.equal(hidden.code, -32602, 'another session saw the task');
    assert.deepEqual((await other.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema)).tasks, []);

    const result = await taskResult(client, id);
    assert.match(result.content[0].text, /tides/);
    assert.equal(result._meta?.['io.modelcontextprotocol/related-task']?.taskId, id);
    assert.equal((await getTask(client, id)).status, 'completed');

    const unknown = await rpcError(getTask(client, 'mgt-00000000000000000000000000000000'));
    assert.equal(unknown.code, -32602);
    assert.match(unknown.message, /no task/);
    const noId = await rpcError(client.request({ method: 'tasks/get', params: {} }, GetTaskResultSchema));
    assert.equal(noId.code, -32602);
    assert.match(noId.message, /params\.taskId/);

    const plain = await rpcError(startTask(client, 'everything__echo', { message: 'hi' }));
    assert.equal(plain.code, -32601, 'a tool without task support was run as a task');
    assert.match(plain.message, /taskSupport/);

    const doomed = (await startTask(client, TOOL, { topic: 'moon' })).task.taskId;
    const cancelled = await client.request({ method: 'tasks/cancel', params: { taskId: doomed } }, CancelTaskResultSchema);
    assert.equal(cancelled.taskId, doomed);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal((await getTask(client, doomed)).status, 'cancelled');
  });
  await sleep(200);
  assert.deepEqual(pids(mark), []);
});

test('the server\'s elicitation about a task reaches the client waiting on tasks/result, and its answer goes back', opts, async () => {
  const mark = `mcpgate-test-tasks-ask-${process.pid}-${Date.now()}`;
  const asked = [];
  const setup = (client) => client.setRequestHandler(ElicitRequestSchema, (req) => {
    asked.push(req.params);
    const choice = req.params.requestedSchema.properties.interpretation.oneOf[0].const;
    return { action: 'accept', content: { interpretation: choice } };
  });
  await withGateway(`listen: 127.0.0.1:0\nservers:${server('everything', mark)}`, async ({ client }) => {
    await waitForTool(client, TOOL);
    const id = (await startTask(client, TOOL, { topic: 'python', ambiguous: true })).task.taskId;
    const result = await taskResult(client, id);
    assert.equal(asked.length, 1, 'the client was asked once');
    assert.equal(asked[0]._meta?.['io.modelcontextprotocol/related-task']?.taskId, id,
      'the question names the gateway\'s task id');
    const choice = asked[0].requestedSchema.properties.interpretation.oneOf[0].const;
    assert.ok(result.content.some((c) => c.text?.includes(choice)), JSON.stringify(result.content));
  }, { capabilities: { elicitation: {} }, setup });
});

test('progress on a task\'s token reaches the client that created it, under its own token, until the task ends', opts, async () => {
  const mark = `mcpgate-test-tasks-progress-${process.pid}-${Date.now()}`;
  const yaml = `listen: 127.0.0.1:0\nservers:\n  - name: counter\n    command: ${NODE}\n` +
    `    args: [${path.join(FIXTURES, 'progress_task_server.mjs')}, ${mark}]\n`;
  await withGateway(yaml, async ({ client, connect }) => {
    await waitForTool(client, 'counter__count');
    const other = await connect();
    const errors = [];
    client.onerror = other.onerror = (e) => errors.push(e.message);
    // Two sessions on one shared connection; their SDK tokens are their own
    // request ids, so they may well be equal.
    const start = (c, steps, seen) => c.request({ method: 'tools/call',
      params: { name: 'counter__count', arguments: { steps }, task: { ttl: 60_000 } } }, CreateTaskResultSchema,
    { onprogress: (p) => seen.push(p) });
    const seenA = [], seenB = [];
    const [a, b] = await Promise.all([start(client, 3, seenA), start(other, 5, seenB)]);
    assert.equal((await taskResult(client, a.task.taskId)).content[0].text, 'counted 3');
    assert.equal((await taskResult(other, b.task.taskId)).content[0].text, 'counted 5');
    await sleep(700); // the server's progress sent 300 ms after the end must not arrive
    assert.deepEqual(seenA.map((p) => p.progress), [1, 2, 3], JSON.stringify(seenA));
    assert.deepEqual(seenB.map((p) => p.progress), [1, 2, 3, 4, 5], JSON.stringify(seenB));
    assert.equal(seenA[2].total, 3);
    assert.equal(seenB[4].message, 'step 5');
    assert.deepEqual(errors, []);
  });
  await sleep(200);
  assert.deepEqual(pids(mark), []);
});
