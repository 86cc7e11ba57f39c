// config_reload.test.mjs - `mcpgate serve` reads its config file again on
// SIGHUP, with real stdio servers (fixtures/fault_server.mjs) and the
// official SDK client:
//   - a server removed from the file stops (its process is gone), its
//     tools leave the catalog, and clients are told (tools/list_changed);
//     a call running on it fails at once with a clear error;
//   - a server added starts, and its tools are listed;
//   - a changed server starts again (a new process), an unchanged one
//     keeps its process;
//   - the session open across the reload goes on working;
//   - a file with problems (or a server named after mcpgate's own
//     tools) changes nothing, and says what is wrong with its line; a setting bound at start (session_idle_timeout) is logged as needing a
//     restart, and the rest of the file is applied;
//   - the gateway then stops cleanly (no sanitizer report);
//   - with --watch, a change to the file is enough, whether written in
//     place or renamed over it; another file in its directory is not;
//   - `mcpgate stdio` does the same (--watch and SIGHUP), and its client
//     is told.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { startHttpGate, httpClient, sleep, MCPGATE_BIN, childEnv, collect, assertCleanStderr } from './lib.mjs';
import { NODE, FIXTURES, pids } from './upstreams.mjs';

const opts = { timeout: 60_000 };
const FAULT = path.join(FIXTURES, 'fault_server.mjs');

// A server entry running fault_server.mjs, its process marked MARK.
const server = (name, mark, extra = '') =>
  `  - name: ${name}\n    command: ${NODE}\n    args: [${FAULT}, serve, ${mark}]\n${extra}`;

async function until(what, fn, ms = 10_000) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/*
 * FN({ gate, client, file, dir, tag }) against `mcpgate serve` on a config
 * file first holding YAML(tag), with ARGS; TAG marks the test's processes.
 * The client is the SDK's, set up by SETUP first.  The gateway must then
 * stop cleanly and leave no process behind.
 */
async function withReloadGate(name, yaml, args, fn, setup = () => {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `mcpgate-${name}-`));
  const file = path.join(dir, 'gw.yaml');
  const tag = `mcpgate-test-${name}-${process.pid}-${Date.now()}`;
  writeFileSync(file, yaml(tag));
  const gate = await startHttpGate(['--config', file, '--state-dir', path.join(dir, 'state'), ...args], { demo: false });
  const http = await httpClient();
  try {
    const client = new Client({ name: `${name}-test`, version: '0' });
    setup(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(gate.url), { fetch: http.fetch }));
    await fn({ gate, client, file, dir, tag });
    await client.close();
    await http.close();
    await gate.stopCleanly();
    assert.equal(pids(tag).length, 0, 'no process left behind');
  } finally {
    await http.close();
    gate.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('SIGHUP: servers removed, added and changed while serving; a bad file changes nothing', opts, async () => {
  let changed = 0;
  const yaml = (tag) => `servers:\n${server('one', `${tag}-one`)}${server('two', `${tag}-two`)}` +
    server('keep', `${tag}-keep`);
  await withReloadGate('reload', yaml, [], async ({ gate, client, file, tag }) => {
    const [one, two, three] = ['one', 'two', 'three'].map((n) => `${tag}-${n}`);
    const hup = () => process.kill(gate.child.pid, 'SIGHUP');
    const reloads = () => gate.stderr().split('\n').filter((l) => l.includes('read again')).length;
    const names = async () => (await client.listTools()).tools.map((t) => t.name).filter((n) => !n.startsWith('gateway__'));
    await until('three servers listed', async () => (await names()).length === 3 * 5);
    const [pidOne] = pids(one), [pidKeep] = pids(`${tag}-keep`);
    assert.ok(pidOne && pids(two).length === 1 && pidKeep);

    // A call running on `two` when it is removed.
    const hung = client.callTool({ name: 'two__hang', arguments: {} }).then(() => 'answered', (e) => e.message);
    await sleep(200);
    changed = 0;
    writeFileSync(file, `servers:\n${server('one', one, '    timeout: 30\n')}${server('keep', `${tag}-keep`)}` +
      server('three', three));
    hup();
    const why = await hung;
    assert.match(why, /Upstream two: it was removed from the config/, why);
    await until('the new catalog', async () => {
      const n = await names();
      return n.some((t) => t.startsWith('three__')) && !n.some((t) => t.startsWith('two__')) &&
        n.some((t) => t.startsWith('one__'));
    });
    assert.equal(reloads(), 1);
    assert.ok(changed > 0, 'clients were told the tools changed');
    await until('the removed server\'s process to end', () => pids(two).length === 0);
    assert.equal(pids(three).length, 1, 'the added server runs');
    await until('the changed server to start again', () => pids(one).length === 1 && pids(one)[0] !== pidOne);
    assert.deepEqual(pids(`${tag}-keep`), [pidKeep], 'the unchanged server kept its process');
    const r = await client.callTool({ name: 'keep__pid', arguments: {} });
    assert.equal(r.content[0].text, String(pidKeep), 'the session open across the reload works');
    assert.match(gate.stderr(), /servers 1 unchanged, 1 added, 1 removed, 1 started again as changed/);

    // A file with problems: nothing changes.
    writeFileSync(file, `servers:\n${server('one', one)}  - name: broken\n    bad_key: 1\n`);
    hup();
    await until('the refusal', () => /has problems, so nothing changed/.test(gate.stderr()));
    assert.match(gate.stderr(), /gw\.yaml:\d+: servers\[1\]\.bad_key: unknown key/);
    assert.equal(reloads(), 1);
    assert.ok((await names()).some((t) => t.startsWith('three__')), 'the running config is kept');
    // A server under the name of mcpgate's own tools: refused the same way.
    writeFileSync(file, `servers:\n${server('gateway', `${tag}-gw`)}`);
    hup();
    await until('the name refused', () => /"gateway" is the namespace of mcpgate's own gateway tools.*nothing changed/
      .test(gate.stderr()));
    assert.equal(reloads(), 1);
    assert.equal(pids(`${tag}-gw`).length, 0);

    // A setting bound at start cannot change while serving: said, and the
    // rest applies.
    writeFileSync(file, `session_idle_timeout: 600\nservers:\n${server('keep', `${tag}-keep`)}`);
    hup();
    await until('the second reload', () => reloads() === 2);
    assert.match(gate.stderr(), /session_idle_timeout changed, which takes effect when mcpgate is restarted/);
    await until('one server left', async () => (await names()).length === 5);
    await until('the other processes to end', () => pids(one).length === 0 && pids(three).length === 0);
    assert.deepEqual(pids(`${tag}-keep`), [pidKeep]);
  }, (client) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => { changed++; }));
});

test('--watch: the config file read again when it changes, written in place or renamed over', opts, async () => {
  const yaml = (tag) => `servers:\n${server('one', `${tag}-one`)}`;
  await withReloadGate('watch', yaml, ['--watch'], async ({ gate, client, file, dir, tag }) => {
    const servers = async () => [...new Set((await client.listTools()).tools.map((t) => t.name.split('__')[0]))]
      .filter((n) => n !== 'gateway').sort().join(',');
    const reads = () => gate.stderr().split('\n').filter((l) => l.includes('read again')).length;
    await until('one listed', async () => (await servers()) === 'one');
    assert.match(gate.stderr(), /watching .*gw\.yaml/);

    // Written in place, as `mcpgate add` and most scripts do.
    writeFileSync(file, `servers:\n${server('one', `${tag}-one`)}${server('two', `${tag}-two`)}`);
    await until('two added', async () => (await servers()) === 'one,two');
    // Written aside and renamed over it, as editors do.
    writeFileSync(path.join(dir, 'gw.yaml.tmp'), `servers:\n${server('two', `${tag}-two`)}`);
    renameSync(path.join(dir, 'gw.yaml.tmp'), file);
    await until('one removed', async () => (await servers()) === 'two');
    await until('its process to end', () => pids(`${tag}-one`).length === 0);
    // Another file in the directory is none of its business.
    const before = reads();
    writeFileSync(path.join(dir, 'other.yaml'), 'servers: []\n');
    await sleep(600);
    assert.equal(reads(), before);
  });
});

test('mcpgate stdio --watch and SIGHUP: the client is told of servers added and removed', opts, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-stdio-watch-'));
  const file = path.join(dir, 'gw.yaml');
  const tag = `mcpgate-test-stdio-watch-${process.pid}-${Date.now()}`;
  writeFileSync(file, `servers:\n${server('one', `${tag}-one`)}`);
  const transport = new StdioClientTransport({ command: MCPGATE_BIN,
    args: ['stdio', '--config', file, '--state-dir', path.join(dir, 'state'), '--watch'],
    env: childEnv(), stderr: 'pipe' });
  const stderr = collect(transport.stderr);
  const client = new Client({ name: 'stdio-watch-test', version: '0' });
  let changed = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => { changed++; });
  let proc;
  try {
    await client.connect(transport);
    proc = transport._process;
    const servers = async () => [...new Set((await client.listTools()).tools.map((t) => t.name.split('__')[0]))]
      .filter((n) => n !== 'gateway').sort().join(',');
    await until('one listed', async () => (await servers()) === 'one');

    writeFileSync(file, `servers:\n${server('one', `${tag}-one`)}${server('two', `${tag}-two`)}`);
    await until('two added', async () => (await servers()) === 'one,two');
    assert.ok(changed > 0, 'the client was told the tools changed');

    // SIGHUP reads it too, and no longer ends the process (its default).
    writeFileSync(file, `servers:\n${server('two', `${tag}-two`)}`);
    proc.kill('SIGHUP');
    await until('one removed', async () => (await servers()) === 'two');
    await until('its process to end', () => pids(`${tag}-one`).length === 0);

    await client.close();
    await until('mcpgate to exit', () => proc.exitCode !== null || proc.signalCode !== null);
    assert.equal(proc.exitCode, 0, stderr());
    assertCleanStderr(stderr());
    assert.equal(pids(tag).length, 0, 'no process left behind');
  } finally {
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
