// list_pages.test.mjs - lists served in pages of list_page_size items,
// walked with the gateway's cursors by the official clients: the v1 SDK
// (legacy session) one page at a time, and the v2 client (2026-07-28),
// which follows nextCursor itself.  The catalog is the conformance fixture
// twice over, in the gateway itself (unprefixed) and as a stdio upstream
// named "fixture" that pages its own lists too (so discovery walks an
// upstream's cursors), plus the official server-everything for more
// resources and templates.  /servers/<name>/mcp gives each upstream a
// view of its own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as V2Client, StreamableHTTPClientTransport as V2Transport } from '@modelcontextprotocol/client';
import {
  MCPGATE_BIN, httpClient, postRpc, modernHeaders, modernRequest, tapTransport, withTimeout, sleep,
} from './lib.mjs';
import { withGateway, everything } from './upstreams.mjs';

const opts = { timeout: 90_000 };
const BAD_CURSOR = 'Invalid params: unknown or expired cursor';

const LISTS = [
  { method: 'tools/list', key: 'tools', fn: 'listTools', id: (x) => x.name },
  { method: 'prompts/list', key: 'prompts', fn: 'listPrompts', id: (x) => x.name },
  { method: 'resources/list', key: 'resources', fn: 'listResources', id: (x) => x.uri },
  { method: 'resources/templates/list', key: 'resourceTemplates', fn: 'listResourceTemplates', id: (x) => x.uriTemplate },
];

/**
 * Run FN({ client, gate, connect }) (see withGateway) against a gateway
 * with list_page_size PAGE serving the fixture in-process and as an
 * upstream whose own pages hold 2 items, and server-everything, once both
 * upstreams are discovered.
 */
async function withPagedGateway(page, fn) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-pages-'));
  const upstream = path.join(dir, 'fixture.yaml');
  const mark = `mcpgate-test-pages-${process.pid}-${Date.now()}`;
  writeFileSync(upstream, 'conformance: true\nlist_page_size: 2\nlog_level: warn\n');
  const yaml = `listen: 127.0.0.1:0
list_page_size: ${page}
conformance: true
servers:
  - name: fixture
    command: ${MCPGATE_BIN}
    args: [stdio, --config, ${upstream}]
${everything('everything', mark)}`;
  try {
    await withGateway(yaml, async (ctx) => {
      const end = Date.now() + 30_000;
      const ready = () => ['fixture', 'everything'].every((n) => ctx.gate.stderr().includes(`upstream ${n} ready`));
      while (!ready() && Date.now() < end) await sleep(50);
      assert.ok(ready(), `upstreams not discovered:\n${ctx.gate.stderr()}`);
      await fn(ctx);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Walk LIST page by page with a v1 client; every page at most PAGE items. */
async function walkV1(client, list, page) {
  const ids = [];
  let cursor;
  let pages = 0;
  do {
    const r = await client[list.fn](cursor === undefined ? undefined : { cursor });
    pages++;
    assert.ok(r[list.key].length <= page, `${list.method}: ${r[list.key].length} items on a page of ${page}`);
    ids.push(...r[list.key].map(list.id));
    cursor = r.nextCursor;
    if (cursor !== undefined) assert.equal(typeof cursor, 'string');
  } while (cursor !== undefined && pages < 500);
  assert.equal(cursor, undefined, `${list.method}: the pages never end`);
  return { ids, pages };
}

/** Each item exactly once, in the order of their keys. */
function assertOnceInOrder(ids, what) {
  assert.equal(new Set(ids).size, ids.length, `${what}: an item came twice: ${ids}`);
  const sorted = [...ids].sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  assert.deepEqual(ids, sorted, `${what}: not in key order`);
}

/** Every list, walked by a v1 client at /mcp, a v1 client at the
 * upstream's view, and a v2 client at /mcp. */
async function everyList({ client, gate, connect }, page) {
  const http = await httpClient();
  const out = { v1: {}, view: {}, v2: {}, v2pages: {} };
  try {
    for (const list of LISTS) {
      const { ids, pages } = await walkV1(client, list, page);
      assertOnceInOrder(ids, `v1 ${list.method}`);
      assert.equal(pages, Math.max(1, Math.ceil(ids.length / page)), `v1 ${list.method}: ${ids.length} items in ${pages} pages`);
      out.v1[list.method] = ids;
    }

    for (const name of ['fixture', 'everything']) {
      const one = new V1Client({ name: 'pages-view', version: '0.0.0' });
      const viewTransport = new V1Transport(new URL(`${gate.origin}/servers/${name}/mcp`), { fetch: http.fetch });
      await one.connect(viewTransport);
      out.view[name] = {};
      for (const list of LISTS) {
        out.view[name][list.method] = (await walkV1(one, list, page)).ids;
        // In a view's own order: that of the names at /mcp.
        assertOnceInOrder(list.key.startsWith('resource') ? out.view[name][list.method] : out.view[name][list.method].map((n) => `${name}__${n}`),
          `${name} view ${list.method}`);
      }
      await viewTransport.terminateSession().catch(() => {});
      await one.close();
    }

    const v2 = new V2Client({ name: 'pages-v2', version: '0.0.0' }, { versionNegotiation: { mode: 'auto' } });
    const transport = new V2Transport(new URL(gate.url), { fetch: http.fetch });
    const wire = tapTransport(transport);
    await withTimeout(v2.connect(transport), 8000, 'v2 connect');
    assert.equal(v2.getProtocolEra(), 'modern');
    for (const list of LISTS) {
      const all = await v2[list.fn]();
      out.v2[list.method] = all[list.key].map(list.id);
      // The pages as they came: each within the page size, the same
      // caching hints on every one, a cursor on all but the last.
      const ids = new Set(wire.filter((e) => e.dir === 'out' && e.msg.method === list.method).map((e) => e.msg.id));
      const pages = wire.filter((e) => e.dir === 'in' && ids.has(e.msg.id)).map((e) => e.msg.result);
      assert.ok(pages.length >= 1);
      for (const [i, p] of pages.entries()) {
        assert.ok(p[list.key].length <= page);
        assert.deepEqual([p.ttlMs, p.cacheScope], [pages[0].ttlMs, pages[0].cacheScope], `${list.method} page ${i}`);
        assert.equal(p.nextCursor === undefined, i === pages.length - 1, `${list.method} page ${i} nextCursor`);
      }
      assert.ok(Number.isInteger(pages[0].ttlMs) && pages[0].cacheScope === 'private');
      out.v2pages[list.method] = pages.length;
    }
    await withTimeout(v2.close(), 5000, 'v2 close');
  } finally {
    await http.close();
  }
  return out;
}

test('every list in pages of 2, by a legacy and a modern client and in a view: each item once, in order, as in one page',
  opts, async () => {
    let small;
    let large;
    await withPagedGateway(2, async (ctx) => { small = await everyList(ctx, 2); });
    await withPagedGateway(1000, async (ctx) => { large = await everyList(ctx, 1000); });

    for (const { method } of LISTS) {
      assert.ok(large.v1[method].length > 0, method);
      assert.deepEqual(small.v1[method], large.v1[method], `${method}: pages of 2 and one page differ`);
      assert.deepEqual(small.v2[method], large.v2[method], `${method}: v2, pages of 2 and one page differ`);
      assert.deepEqual(small.v2[method], small.v1[method], `${method}: v2 and v1 differ`);
      assert.equal(large.v2pages[method], 1, method);
      assert.equal(small.v2pages[method], Math.max(1, Math.ceil(small.v1[method].length / 2)), method);
    }
    // Both copies of the fixture are there, and server-everything; each
    // view holds its upstream's items under their own names, in the same
    // order as at /mcp.
    const tools = small.v1['tools/list'];
    assert.ok(tools.includes('test_simple_text') && tools.includes('fixture__test_simple_text') &&
      tools.includes('everything__echo'), tools.join(' '));
    assert.ok(small.v1['resources/list'].length > 4 && small.v1['resources/templates/list'].length > 2);
    const strip = (ids, name) => ids.filter((n) => n.startsWith(`${name}__`)).map((n) => n.slice(name.length + 2));
    for (const name of ['fixture', 'everything']) {
      assert.deepEqual(small.view[name], large.view[name], `${name} view: pages of 2 and one page differ`);
      assert.deepEqual(small.view[name]['tools/list'], strip(tools, name));
      assert.deepEqual(small.view[name]['prompts/list'], strip(small.v1['prompts/list'], name));
    }
    // URIs are not renamed; the fixture's collide with the in-process
    // fixture's and are left out, so its view has none.
    assert.deepEqual(small.view.fixture['resources/list'], []);
    assert.deepEqual(small.view.everything['resources/list'], small.v1['resources/list'].filter((u) => u.startsWith('demo:')));
    assert.deepEqual(small.view.everything['resources/templates/list'],
      small.v1['resources/templates/list'].filter((u) => u.startsWith('demo:')));
  });

/** POST a modern list request to URL and return the JSON-RPC reply. */
async function modernList(fetch, url, method, cursor) {
  const r = await postRpc(fetch, url, modernRequest(7, method, cursor === undefined ? {} : { cursor }), modernHeaders(method));
  assert.equal(r.status, 200, r.text);
  return r.json;
}

function assertBadCursor(reply, what) {
  assert.equal(reply.error?.code, -32602, `${what}: ${JSON.stringify(reply)}`);
  assert.equal(reply.error.message, BAD_CURSOR, what);
}

test('forged, altered and foreign cursors get -32602; a cursor keeps its place when the catalog changes', opts, async () => {
  await withPagedGateway(3, async ({ client, gate }) => {
    const http = await httpClient();
    try {
      const first = await modernList(http.fetch, gate.url, 'tools/list');
      const cursor = first.result.nextCursor;
      assert.equal(typeof cursor, 'string');
      assert.ok((await modernList(http.fetch, gate.url, 'tools/list', cursor)).result.tools.length > 0);

      const dot = cursor.lastIndexOf('.');
      const flip = (s, i) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
      const forged = {
        'garbage': 'not-a-cursor',
        'empty': '',
        'payload altered': flip(cursor, 2),
        'MAC altered': flip(cursor, cursor.length - 1),
        'MAC dropped': cursor.slice(0, dot),
        'payload of another cursor': Buffer.from('1\n0\n9999999999\n\nzzz').toString('base64') + cursor.slice(dot),
      };
      for (const [what, c] of Object.entries(forged)) assertBadCursor(await modernList(http.fetch, gate.url, 'tools/list', c), what);
      assertBadCursor(await modernList(http.fetch, gate.url, 'prompts/list', cursor), 'a tools cursor for prompts');
      assertBadCursor(await modernList(http.fetch, gate.url, 'resources/templates/list', cursor), 'a tools cursor for templates');

      // A view's cursors belong to that view.
      const viewUrl = `${gate.origin}/servers/fixture/mcp`;
      const viewFirst = await modernList(http.fetch, viewUrl, 'tools/list');
      const viewCursor = viewFirst.result.nextCursor;
      assert.ok(viewFirst.result.tools.every((t) => !t.name.startsWith('fixture__')), 'a view shows its server\'s own names');
      assertBadCursor(await modernList(http.fetch, gate.url, 'tools/list', viewCursor), 'a view cursor at /mcp');
      assertBadCursor(await modernList(http.fetch, viewUrl, 'tools/list', cursor), 'an /mcp cursor in a view');
      const viewNext = await modernList(http.fetch, viewUrl, 'tools/list', viewCursor);
      assert.ok(viewNext.result.tools.length > 0 && viewNext.result.tools[0].name > viewFirst.result.tools.at(-1).name);

      // The legacy client gets the same error.
      await assert.rejects(client.listTools({ cursor: forged['payload altered'] }), (e) => {
        assert.ok(e instanceof McpError, String(e));
        assert.equal(e.code, -32602);
        assert.match(e.message, /unknown or expired cursor/);
        return true;
      });

      // A tool registered mid-walk sorts before the cursor: the walk goes
      // on where it was, repeating and missing nothing; the next walk has it.
      const before = (await walkV1(client, LISTS[0], 3)).ids;
      const page1 = await client.listTools();
      const ids = page1.tools.map((t) => t.name);
      const added = await client.callTool({ name: 'test_trigger_tool_change', arguments: {} });
      assert.notEqual(added.isError, true);
      let next = page1.nextCursor;
      while (next !== undefined) {
        const r = await client.listTools({ cursor: next });
        ids.push(...r.tools.map((t) => t.name));
        next = r.nextCursor;
      }
      assert.deepEqual(ids, before);
      const after = (await walkV1(client, LISTS[0], 3)).ids;
      assert.deepEqual(after.filter((n) => !before.includes(n)), ['changed-1__added']);
      assertOnceInOrder(after, 'tools after the change');
    } finally {
      await http.close();
    }
  });
});
