// tasks_upstream.mjs - a stdio MCP server (official SDK v1) that runs its
// tools as 2025-11-25 tasks, with the tools the conformance suite's
// tasks-extension scenarios (io.modelcontextprotocol/tasks, 2026-07-28)
// ask of a server.  scripts/conformance.sh puts it behind mcpgate, whose
// modern front door then has to bridge the extension's wire format to
// these 2025-11-25 tasks:
//
//   greet              sync only: "Hello, {name}!"
//   results_asked      sync only: how many tasks/result requests it has had
//   slow_compute       task optional: sleeps `seconds`, then a result; the
//                      task is kept `ttl_ms` (default 60 s)
//   failing_job        task required: a tool error (isError) after ~1 s
//   protocol_error_job task optional: fails with a JSON-RPC error
//   confirm_delete     task optional: asks for a confirmation (elicitation);
//                      fails as a tool if it cannot be asked
//   multi_input        task optional: asks two questions at once
//   many_questions     task optional: asks `count` questions at once, and
//                      says how many were answered and how many refused
//   test_tool_with_task task required: asks for a name during the
//                      call itself, then runs as a task that greets it

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { InMemoryTaskStore, InMemoryTaskMessageQueue } from '@modelcontextprotocol/sdk/experimental/tasks';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const server = new McpServer({ name: 'tasks-upstream', version: '1.0.0' }, {
  capabilities: { tools: {}, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
  taskStore: new InMemoryTaskStore(),
  taskMessageQueue: new InMemoryTaskMessageQueue(),
});

// The task's outcome, unless it was cancelled (or expired) meanwhile.
async function settle(store, taskId, status, result) {
  try {
    await store.storeTaskResult(taskId, status, result);
  } catch {
    // already terminal: a cancel won the race
  }
}

const text = (t) => ({ content: [{ type: 'text', text: t }] });
const errors = new Map(); // taskId -> the JSON-RPC error its tasks/result gives
let resultsAsked = 0;     // tasks/result requests received, over every task

// A task tool whose work is RUN(args, taskId, extra) in the background.
function taskTool(name, description, inputSchema, taskSupport, run) {
  server.experimental.tasks.registerToolTask(name, { description, inputSchema, execution: { taskSupport } }, {
    createTask: async (args, extra) => {
      const task = await extra.taskStore.createTask({ ttl: args.ttl_ms ?? 60_000, pollInterval: 200 });
      run(args, task.taskId, extra).catch((e) => console.error(e));
      return { task };
    },
    getTask: async (args, extra) => extra.taskStore.getTask(extra.taskId),
    getTaskResult: async (args, extra) => {
      const e = errors.get(extra.taskId);
      if (e)
        throw e;
      return extra.taskStore.getTaskResult(extra.taskId);
    },
  });
}

server.registerTool('results_asked', { description: 'How many tasks/result requests this server has had' },
  async () => text(String(resultsAsked)));

server.registerTool('greet', { description: 'Says hello', inputSchema: { name: z.string() } },
  async ({ name }) => text(`Hello, ${name}!`));

taskTool('slow_compute', 'Sleeps `seconds`, then answers', { seconds: z.number().min(0).max(600), label: z.string().optional(),
    ttl_ms: z.number().int().min(1).optional() },
  'optional', async ({ seconds, label }, taskId, extra) => {
    await sleep(seconds * 1000);
    await settle(extra.taskStore, taskId, 'completed', text(`computed ${label ?? ''} after ${seconds} s`));
  });

taskTool('failing_job', 'Fails as a tool after about a second', {}, 'required', async (args, taskId, extra) => {
  await sleep(1000);
  await settle(extra.taskStore, taskId, 'failed', { ...text('the job failed'), isError: true });
});

taskTool('protocol_error_job', 'Fails with a protocol error', {}, 'optional', async (args, taskId, extra) => {
  await sleep(300);
  errors.set(taskId, new McpError(ErrorCode.InternalError, 'the job crashed'));
  await settle(extra.taskStore, taskId, 'failed', text('crashed'));
});

// Input while a task runs: the question goes out related to the task and
// is delivered to whoever waits on its tasks/result.
const confirm = (extra, taskId, message) => extra.sendRequest({
  method: 'elicitation/create',
  params: { mode: 'form', message,
    requestedSchema: { type: 'object', properties: { confirm: { type: 'boolean' } }, required: ['confirm'] } },
}, z.object({ action: z.string(), content: z.record(z.unknown()).optional() }).passthrough(),
{ relatedTask: { taskId } });

taskTool('confirm_delete', 'Asks for a confirmation, then deletes', { path: z.string().optional() }, 'optional',
  async ({ path }, taskId, extra) => {
    await extra.taskStore.updateTaskStatus(taskId, 'input_required');
    let r;
    try {
      r = await confirm(extra, taskId, `Delete ${path ?? 'the file'}?`);
    } catch (e) {
      // Nobody can be asked: the task ends, saying why.
      await settle(extra.taskStore, taskId, 'failed', { ...text(`not deleted: ${e.message}`), isError: true });
      return;
    }
    await extra.taskStore.updateTaskStatus(taskId, 'working');
    const yes = r.action === 'accept' && r.content?.confirm === true;
    await settle(extra.taskStore, taskId, 'completed', text(yes ? `deleted ${path ?? 'the file'}` : 'kept'));
  });

taskTool('multi_input', 'Asks two questions at once', {}, 'optional', async (args, taskId, extra) => {
  await extra.taskStore.updateTaskStatus(taskId, 'input_required');
  const [a, b] = await Promise.all([confirm(extra, taskId, 'First?'), confirm(extra, taskId, 'Second?')]);
  await extra.taskStore.updateTaskStatus(taskId, 'working');
  await settle(extra.taskStore, taskId, 'completed', text(`answers: ${a.action}, ${b.action}`));
});

taskTool('many_questions', 'Asks `count` questions at once', { count: z.number().int().min(1).max(100) }, 'optional',
  async ({ count }, taskId, extra) => {
    await extra.taskStore.updateTaskStatus(taskId, 'input_required');
    const answers = await Promise.allSettled(Array.from({ length: count }, (_, i) =>
      confirm(extra, taskId, `Question ${i + 1}?`)));
    const refused = answers.filter((a) => a.status === 'rejected').length;
    await extra.taskStore.updateTaskStatus(taskId, 'working');
    await settle(extra.taskStore, taskId, 'completed', text(`${count - refused} answered, ${refused} refused`));
  });

// Asked before the task exists, so the question belongs to the tools/call.
server.experimental.tasks.registerToolTask('test_tool_with_task', {
  description: 'Asks for a name, then greets it as a task', inputSchema: {},
  execution: { taskSupport: 'required' },
}, {
  createTask: async (args, extra) => {
    const r = await extra.sendRequest({ method: 'elicitation/create', params: { mode: 'form', message: 'Your name?',
      requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } } },
    z.object({ action: z.string(), content: z.record(z.unknown()).optional() }).passthrough());
    const name = r.action === 'accept' ? String(r.content?.name ?? '') : 'nobody';
    const task = await extra.taskStore.createTask({ ttl: 60_000, pollInterval: 200 });
    (async () => {
      await sleep(200);
      await settle(extra.taskStore, task.taskId, 'completed', text(`Hello, ${name}!`));
    })();
    return { task };
  },
  getTask: async (args, extra) => extra.taskStore.getTask(extra.taskId),
  getTaskResult: async (args, extra) => extra.taskStore.getTaskResult(extra.taskId),
});

const transport = new StdioServerTransport();
await server.connect(transport);
// Counted as they arrive, whoever answers them.
const deliver = transport.onmessage;
transport.onmessage = (message, extra) => {
  if (message.method === 'tasks/result')
    resultsAsked++;
  deliver(message, extra);
};
