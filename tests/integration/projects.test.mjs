// projects.test.mjs - projects and key scopes at the HTTP front door,
// through the official SDK clients: /p/<project>/mcp serves one project,
// /mcp the key's default, "Project ID is required" for a key with several
// projects and no default, "Project not found" for a project outside the
// key's scope; a read key refused a write tool (HTTP 403, naming the scope
// it needs) on /mcp and on /servers/<name>/mcp, with the config's
// classification per server and per tool; write tools marked, or hidden,
// in a read key's catalog.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ClientV2, StreamableHTTPClientTransport as HttpV2 } from '@modelcontextprotocol/client';
import { startHttpGate, httpClient, resultText, postRpc } from './lib.mjs';
import { runCli } from './cli.mjs';
import { NODE, FIXTURES } from './upstreams.mjs';

const opts = { timeout: 60_000 };

const notes = (name, extra = '') => `
  - name: ${name}
    command: ${NODE}
    args: [${path.join(FIXTURES, 'notes_server.mjs')}, ${name}]
${extra}`;

const CONFIG = `
write_tools_for_read_keys: %MODE%
servers:${notes('docs', '    env: {NOTES_TOKEN: base, KEEP: kept}\n')}${notes('wiki', '    access: read\n')}${notes('ops', '    overrides:\n      bare: {access: read}\n      read_note: {access: write}\n')}
projects:
  - name: web
    servers: [docs, wiki]
    env: {NOTES_TOKEN: web-token}
  - name: infra
    servers: [ops]
  - name: all
    servers: [docs, wiki, ops]
`;

/** A gateway with keys required on CONFIG (write tools MODE for read keys). */
async function withProjects(mode, fn) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-projects-'));
  const state = path.join(dir, 'state');
  const file = path.join(dir, 'gw.yaml');
  writeFileSync(file, CONFIG.replace('%MODE%', mode));
  const key = async (name, projects, scope, extra = []) => {
    const r = await runCli(['keys', 'create', '--config', file, '--state-dir', state, '--name', name,
      '--project', projects, '--scope', scope, '--json', ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).secret;
  };
  const gate = await startHttpGate(['--config', file, '--state-dir', state, '--auth', 'required'], { demo: true });
  const http = await httpClient();
  const clients = [];
  const base = new URL(gate.url).origin;
  const connect = async (secret, where = '/mcp', { v2 = false } = {}) => {
    const init = { headers: { authorization: `Bearer ${secret}` } };
    const client = v2
      ? new ClientV2({ name: 'projects-v2', version: '0' }, { versionNegotiation: { mode: 'auto' } })
      : new ClientV1({ name: 'projects-v1', version: '0' });
    const transport = v2 ? new HttpV2(new URL(base + where), { fetch: http.fetch, requestInit: init })
      : new HttpV1(new URL(base + where), { fetch: http.fetch, requestInit: init });
    await client.connect(transport);
    clients.push(client);
    return client;
  };
  try {
    await fn({ key, connect, base, fetch: http.fetch });
    for (const c of clients) await c.close().catch(() => {});
    await http.close();
    await gate.stopCleanly();
  } finally {
    await http.close();
    gate.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A check for assert.rejects: HTTP STATUS (the SDK's error code) and a message matching RE. */
const refused = (status, re) => (e) => {
  assert.equal(e.code, status, `expected HTTP ${status}: ${e.message}`);
  assert.match(String(e.message), re);
  return true;
};

/** The tools of CLIENT once the upstreams PREFIXES have connected. */
async function toolsOf(client, expect) {
  const end = Date.now() + 15_000;
  for (;;) {
    const { tools } = await client.listTools();
    if (expect.every((n) => tools.some((t) => t.name === n))) return tools;
    if (Date.now() > end) throw new Error(`never saw ${expect}; got ${tools.map((t) => t.name)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('projects: /p/<project>/mcp, the default project, Project ID is required, Project not found', opts, async () => {
  await withProjects('mark', async ({ key, connect, base, fetch }) => {
    const alice = await key('alice', 'web,infra', 'write');
    const bob = await key('bob', 'web', 'read');

    // Several projects and no default: /mcp must be told which.
    await assert.rejects(connect(alice), refused(400, /Project ID is required[\s\S]*web, infra/));
    // Each project shows its own servers (and the gateway's inline tools).
    const web = await connect(alice, '/p/web/mcp');
    const webTools = (await toolsOf(web, ['docs__read_note', 'wiki__read_note'])).map((t) => t.name);
    assert.ok(!webTools.some((n) => n.startsWith('ops__')), `ops is not in web: ${webTools}`);
    assert.ok(webTools.includes('demo__echo'), 'inline tools are in every project');
    const infra = await connect(alice, '/p/infra/mcp');
    const infraTools = (await toolsOf(infra, ['ops__read_note'])).map((t) => t.name);
    assert.ok(!infraTools.some((n) => n.startsWith('docs__') || n.startsWith('wiki__')), `${infraTools}`);
    // A tool of another project is unknown here, not merely refused.
    const other = await web.callTool({ name: 'ops__read_note', arguments: {} }).catch((e) => e);
    assert.match(String(other.message ?? other.content?.[0]?.text), /Unknown tool/);

    // A project outside the key's scope is not found, like one that does not exist.
    await assert.rejects(connect(bob, '/p/infra/mcp'), refused(404, /Project not found/));
    await assert.rejects(connect(alice, '/p/nope/mcp'), refused(404, /Project not found/));
    // A session belongs to the project it was opened in.
    const auth = { authorization: `Bearer ${alice}` };
    const init = await postRpc(fetch, `${base}/p/web/mcp`, { jsonrpc: '2.0', id: 1, method: 'initialize', params: {
      protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }, auth);
    assert.equal(init.status, 200, init.text);
    const sid = init.headers.get('mcp-session-id');
    const h = { ...auth, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' };
    await postRpc(fetch, `${base}/p/web/mcp`, { jsonrpc: '2.0', method: 'notifications/initialized' }, h);
    const here = await postRpc(fetch, `${base}/p/web/mcp`, { jsonrpc: '2.0', id: 2, method: 'ping' }, h);
    assert.equal(here.status, 200, here.text);
    const there = await postRpc(fetch, `${base}/p/infra/mcp`, { jsonrpc: '2.0', id: 3, method: 'ping' }, h);
    assert.equal(there.status, 404, `a web session on /p/infra/mcp: ${there.status} ${there.text}`);

    // A single project is the default; /servers/<name>/mcp outside it is not found.
    const bobMcp = await connect(bob);
    await toolsOf(bobMcp, ['docs__read_note']);
    await assert.rejects(connect(bob, '/servers/ops/mcp'), refused(404, /no server named 'ops'/));
  });
});

test('scopes: a read key calls read tools only, 403 naming the scope, marked in its catalog', opts, async () => {
  await withProjects('mark', async ({ key, connect }) => {
    const reader = await key('reader', 'web,infra', 'read', ['--default', 'web']);
    const writer = await key('writer', 'web', 'write');

    const r = await connect(reader);
    const tools = await toolsOf(r, ['docs__write_note', 'wiki__write_note']);
    const desc = (n) => tools.find((t) => t.name === n).description;
    assert.match(desc('docs__write_note'), /^\[needs a write key/);
    assert.match(desc('docs__bare'), /^\[needs a write key/, 'a tool without annotations counts as write');
    assert.equal(desc('docs__read_note'), 'Reads a note');
    assert.equal(desc('wiki__write_note'), 'Writes a note', 'access: read on the server classifies every tool');

    assert.equal(resultText(await r.callTool({ name: 'docs__read_note', arguments: {} })), 'docs read_note done');
    assert.equal(resultText(await r.callTool({ name: 'wiki__write_note', arguments: {} })), 'wiki write_note done');
    for (const name of ['docs__write_note', 'docs__bare']) {
      await assert.rejects(r.callTool({ name, arguments: { text: 'x' } }), refused(403, /needs an API key with scope 'write'/), name);
    }
    // The same through one server's endpoint, under its own names.
    const one = await connect(reader, '/servers/docs/mcp');
    await toolsOf(one, ['write_note']);
    assert.equal(resultText(await one.callTool({ name: 'read_note', arguments: {} })), 'docs read_note done');
    await assert.rejects(one.callTool({ name: 'write_note', arguments: {} }), refused(403, /scope 'write'/));
    // Per-tool overrides beat the annotations, both ways (infra: ops).
    const infra = await connect(reader, '/p/infra/mcp');
    await toolsOf(infra, ['ops__bare']);
    assert.equal(resultText(await infra.callTool({ name: 'ops__bare', arguments: {} })), 'ops bare done');
    await assert.rejects(infra.callTool({ name: 'ops__read_note', arguments: {} }), refused(403, /scope 'write'/));
    // A 2026-07-28 client is refused the same way.
    const modern = await connect(reader, '/mcp', { v2: true });
    await assert.rejects(modern.callTool({ name: 'docs__write_note', arguments: {} }), /scope 'write'|Insufficient scope: required "write"/);
    assert.equal(resultText(await modern.callTool({ name: 'docs__read_note', arguments: {} })), 'docs read_note done');

    // A write key calls anything, and sees no marks.
    const w = await connect(writer);
    const wt = await toolsOf(w, ['docs__write_note']);
    assert.equal(wt.find((t) => t.name === 'docs__write_note').description, 'Writes a note');
    assert.equal(resultText(await w.callTool({ name: 'docs__write_note', arguments: {} })), 'docs write_note done');
  });
});

test('projects: a project\'s own env reaches its servers; others keep the server\'s own', opts, async () => {
  await withProjects('mark', async ({ key, connect }) => {
    const k = await key('dev', 'web,all', 'write');
    const web = await connect(k, '/p/web/mcp');
    const all = await connect(k, '/p/all/mcp');
    await toolsOf(web, ['docs__token']);
    await toolsOf(all, ['docs__token']);
    assert.equal(resultText(await web.callTool({ name: 'docs__token', arguments: {} })), 'docs:web-token');
    assert.equal(resultText(await all.callTool({ name: 'docs__token', arguments: {} })), 'docs:base');
    // The project's instance is shared by the project's sessions.
    const web2 = await connect(k, '/p/web/mcp');
    assert.equal(resultText(await web2.callTool({ name: 'docs__token', arguments: {} })), 'docs:web-token');
  });
});

test('gateway__whoami, list_servers and search_tools answer for the caller\'s own key and project', opts, async () => {
  await withProjects('mark', async ({ key, connect }) => {
    const k = await key('reader', 'web,infra', 'read', ['--default', 'infra']);
    const c = await connect(k, '/p/web/mcp');
    await toolsOf(c, ['docs__read_note', 'wiki__read_note']);
    const who = (await c.callTool({ name: 'gateway__whoami', arguments: {} })).structuredContent;
    assert.equal(who.key.name, 'reader');
    assert.match(who.key.id, /^key_[0-9a-f]{12}$/);
    assert.deepEqual(who.projects, ['web', 'infra']);
    assert.equal(who.default_project, 'infra');
    assert.equal(who.project, 'web');
    assert.equal(who.scope, 'read');
    assert.equal(who.authenticated, true);
    const { servers } = (await c.callTool({ name: 'gateway__list_servers', arguments: {} })).structuredContent;
    assert.deepEqual(servers.map((x) => x.name).sort(), ['docs', 'wiki'], 'only the project\'s servers');
    for (const x of servers) {
      assert.equal(x.state, 'ready');
      assert.equal(x.tools, 4);
      assert.equal(x.where, undefined, 'no command line or URL for clients');
    }
    // Search sees what the caller sees: the project's servers only.
    const found = (await c.callTool({ name: 'gateway__search_tools', arguments: { query: 'write note', limit: 20 } }))
      .structuredContent.results;
    assert.ok(found.length >= 2, JSON.stringify(found));
    assert.match(found[0].name, /^(docs|wiki)__write_note$/);
    assert.ok(found.every((r) => r.server !== 'ops'), `ops is not in web: ${found.map((r) => r.name)}`);
    assert.equal(found.find((r) => r.name === 'docs__read_note')?.tool, 'read_note');
    const bad = await c.callTool({ name: 'gateway__search_tools', arguments: { query: '!!!' } });
    assert.equal(bad.isError, true);
    assert.match(resultText(bad), /word/);
  });
});

test('gateway__recent_calls and gateway__call_stats: a read key sees its own projects\' calls', opts, async () => {
  await withProjects('mark', async ({ key, connect }) => {
    const r = await key('reader', 'web', 'read');
    const w = await key('writer', 'infra', 'write');
    const rc = await connect(r);
    const wc = await connect(w);
    await toolsOf(rc, ['docs__read_note']);
    await toolsOf(wc, ['ops__write_note']);
    await rc.callTool({ name: 'docs__read_note', arguments: { text: 'secret words' } });
    await rc.callTool({ name: 'docs__read_note', arguments: {} });
    await assert.rejects(rc.callTool({ name: 'docs__write_note', arguments: {} }), refused(403, /scope/));
    await wc.callTool({ name: 'ops__write_note', arguments: {} });
    // The writer thread commits in batches: wait for the rows.
    const recent = async (c, args) => (await c.callTool({ name: 'gateway__recent_calls', arguments: args })).structuredContent.calls;
    const end = Date.now() + 10_000;
    while ((await recent(wc, { server: 'docs' })).length < 3 && Date.now() < end) await new Promise((res) => setTimeout(res, 100));

    const docs = await recent(rc, { server: 'docs' });
    assert.deepEqual(docs.map((c) => c.tool), ['write_note', 'read_note', 'read_note'], 'newest first');
    assert.ok(docs.every((c) => c.project === 'web' && c.key_id.startsWith('key_')));
    assert.deepEqual(await recent(rc, { server: 'ops' }), [], 'another project\'s calls are not a read key\'s to see');
    const errors = await recent(rc, { status: 'errors', server: 'docs' });
    assert.equal(errors.length, 1);
    assert.equal(errors[0].outcome, 'error');
    assert.match(errors[0].error, /Forbidden/);
    assert.ok(!JSON.stringify(docs).includes('secret words'), 'no argument values unless the config asks');
    assert.equal((await recent(wc, { server: 'ops' })).length, 1);
    assert.equal((await recent(wc, { server: 'docs', limit: 1 })).length, 1, 'a write key sees every project');

    const stats = (await rc.callTool({ name: 'gateway__call_stats', arguments: { server: 'docs', since: '1h' } }))
      .structuredContent.tools;
    const byTool = Object.fromEntries(stats.map((t) => [t.tool, t]));
    assert.equal(byTool.read_note.count, 2);
    assert.equal(byTool.read_note.error_rate, 0);
    assert.equal(byTool.write_note.count, 1);
    assert.equal(byTool.write_note.error_rate, 1);
    assert.ok(byTool.read_note.p95_us >= byTool.read_note.p50_us && byTool.read_note.p50_us > 0);
    const bad = await rc.callTool({ name: 'gateway__call_stats', arguments: { since: 'yesterday' } }).catch((e) => e);
    assert.match(String(bad.message ?? resultText(bad)), /since/);
  });
});

test('scopes: write_tools_for_read_keys: hide leaves write tools out of a read key\'s catalog', opts, async () => {
  await withProjects('hide', async ({ key, connect }) => {
    const reader = await key('reader', 'web', 'read');
    const r = await connect(reader);
    const names = (await toolsOf(r, ['docs__read_note', 'wiki__write_note'])).map((t) => t.name);
    assert.ok(!names.includes('docs__write_note') && !names.includes('docs__bare'), `${names}`);
    const res = await r.callTool({ name: 'docs__write_note', arguments: {} }).catch((e) => e);
    assert.match(String(res.message ?? resultText(res)), /Unknown tool/);
  });
});
