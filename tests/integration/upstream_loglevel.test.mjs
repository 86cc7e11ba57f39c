// upstream_loglevel.test.mjs - the log level legacy clients set reaches
// legacy upstreams that declare `logging`.  A shared server is at the most
// verbose level its live sessions set (and is told again when that
// changes, only then); a restarted one is told again before it serves;
// with isolation: session each instance is at its own session's level;
// an HTTP server whose session expired (404) is told in the new session.
// The gateway still filters per session what each client gets.
// Upstream: tests/integration/fixtures/level_server.mjs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { resultText, sleep } from './lib.mjs';
import { NODE, FIXTURES, pids, withGateway, waitForTool, startHttpFixture } from './upstreams.mjs';

const opts = { timeout: 60_000 };
const config = (mark, extra = '') => `listen: 127.0.0.1:0
servers:
  - name: lv
    command: ${NODE}
    args: [${path.join(FIXTURES, 'level_server.mjs')}, ${mark}]
${extra}`;

// Every client keeps the log messages it gets.
const setup = (c) => {
  c.logs = [];
  c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => c.logs.push(n.params));
};

/** What the server process serving CLIENT was last sent: {level, count, pid}. */
const levelOf = async (client) => JSON.parse(resultText(await client.callTool({ name: 'lv__level', arguments: {} })));
const levelCount = async (client) => {
  const { level, count } = await levelOf(client);
  return { level, count };
};

/** The first answer of the level tool for which CHANGED (e.g. another process) holds, once the server is back. */
async function afterRestart(client, changed, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await client.callTool({ name: 'lv__level', arguments: {} }).catch((e) => ({ error: e }));
    if (!r.error && !r.isError) {
      const now = JSON.parse(resultText(r));
      if (changed(now)) return now;
    }
    if (Date.now() > end) throw new Error(`the server never came back: ${r.error?.message ?? resultText(r)}`);
    await sleep(100);
  }
}

/** Ask CLIENT's server to log at every level it lets through; the levels CLIENT got. */
async function chatter(client) {
  client.logs.length = 0;
  const sent = resultText(await client.callTool({ name: 'lv__chatter', arguments: {} }));
  for (const m of client.logs) assert.equal(m.logger, 'lv/chatter');
  return { sent, got: client.logs.map((m) => m.level) };
}

const ALL = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

test('a shared server: the most verbose level of its sessions, sent when it changes and again after a restart', opts, async () => {
  const mark = `mcpgate-test-level-${process.pid}-${Date.now()}`;
  await withGateway(config(mark), async ({ client: a, connect }) => {
    await waitForTool(a, 'lv__level');
    // Until a client sets a level, the server keeps its own.
    assert.deepEqual(await levelCount(a), { level: null, count: 0 });

    await a.setLoggingLevel('warning');
    assert.deepEqual(await levelCount(a), { level: 'warning', count: 1 });

    const b = await connect();
    await b.setLoggingLevel('debug');
    assert.deepEqual(await levelCount(b), { level: 'debug', count: 2 });

    // The server now logs everything; each session still gets only what it asked for.
    assert.deepEqual(await chatter(a), { sent: '8 sent', got: ALL.slice(3) });
    assert.deepEqual(await chatter(b), { sent: '8 sent', got: ALL });

    // A less verbose level than the server's changes nothing upstream.
    const c = await connect();
    await c.setLoggingLevel('error');
    assert.deepEqual(await levelCount(a), { level: 'debug', count: 2 });

    // B ends: back to A's warning, sent once.
    await b.transport.terminateSession();
    assert.deepEqual(await levelCount(a), { level: 'warning', count: 3 });
    assert.deepEqual(await chatter(a), { sent: '5 sent', got: ALL.slice(3) });
    // C ends: A's warning stays, nothing is sent.
    await c.transport.terminateSession();
    assert.deepEqual(await levelCount(a), { level: 'warning', count: 3 });

    // A restarted process starts at its default: it is told again before it serves.
    const [pid] = pids(mark);
    process.kill(pid, 'SIGKILL');
    const now = await afterRestart(a, (n) => n.pid !== pid);
    assert.deepEqual({ level: now.level, count: now.count }, { level: 'warning', count: 1 });
  }, { setup });
  await sleep(200);
  assert.deepEqual(pids(mark), [], 'processes outlived the gateway');
});

test('isolation: session: each instance gets its own session\'s level, also after a restart', opts, async () => {
  const mark = `mcpgate-test-level-iso-${process.pid}-${Date.now()}`;
  await withGateway(config(mark, '    isolation: session\n'), async ({ client: a, connect }) => {
    await waitForTool(a, 'lv__level');
    await a.setLoggingLevel('warning');
    const first = await levelOf(a); // A's instance starts now, and is told at once
    assert.deepEqual({ level: first.level, count: first.count }, { level: 'warning', count: 1 });

    const b = await connect();
    await b.setLoggingLevel('debug');
    const bs = await levelOf(b);
    assert.notEqual(bs.pid, first.pid, 'two sessions shared a process');
    assert.deepEqual({ level: bs.level, count: bs.count }, { level: 'debug', count: 1 });

    // A session that set no level leaves its instance at the server's default.
    const c = await connect();
    assert.deepEqual(await levelCount(c), { level: null, count: 0 });

    // B changes its level: its instance is told, A's is not.
    await b.setLoggingLevel('error');
    assert.deepEqual(await levelCount(b), { level: 'error', count: 2 });
    assert.deepEqual(await levelCount(a), { level: 'warning', count: 1 });
    assert.deepEqual(await chatter(b), { sent: '4 sent', got: ALL.slice(4) });

    // A's instance restarted: told again.
    process.kill(first.pid, 'SIGKILL');
    const now = await afterRestart(a, (n) => n.pid !== first.pid);
    assert.deepEqual({ level: now.level, count: now.count }, { level: 'warning', count: 1 });
    assert.deepEqual(await levelCount(b), { level: 'error', count: 2 });
  }, { setup });
  await sleep(200);
  assert.deepEqual(pids(mark), [], 'processes outlived the gateway');
});

test('an HTTP server whose session expired (404) is told the level again in its new session', opts, async () => {
  const { url, stop } = await startHttpFixture('level_server.mjs');
  try {
    await withGateway(`listen: 127.0.0.1:0
servers:
  - name: lv
    url: ${url}
`, async ({ client: a }) => {
      await waitForTool(a, 'lv__level');
      await a.setLoggingLevel('notice');
      const before = await levelOf(a);
      assert.deepEqual({ level: before.level, count: before.count }, { level: 'notice', count: 1 });
      assert.equal(resultText(await a.callTool({ name: 'lv__forget', arguments: {} })), 'forgotten');
      await sleep(300);
      const now = await afterRestart(a, (n) => n.session !== before.session);
      assert.deepEqual({ level: now.level, count: now.count }, { level: 'notice', count: 1 });
    }, { setup });
  } finally {
    stop();
  }
});
