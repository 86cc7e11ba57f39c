// upstream_catalog.test.mjs - everything an upstream offers besides tool
// calls, through the gateway: prompts, resources and templates (listed,
// read, completed, subscribed), requests from the server to the client
// that caused them (sampling, elicitation), a catalog rebuilt when an
// upstream's list changes, clients told once, and /servers/<name>/mcp.  Upstreams are the official
// server-everything and a small fixture; the client is the v1 SDK.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  CreateMessageRequestSchema, ElicitRequestSchema, ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { httpClient, resultText, sleep } from './lib.mjs';
import { NODE, FIXTURES, withGateway, waitForTool, everything } from './upstreams.mjs';

const opts = { timeout: 40_000 };

test('prompts, resources, templates and completion of an upstream, under the gateway', opts, async () => {
  const mark = `mcpgate-test-items-${process.pid}-${Date.now()}`;
  await withGateway(`listen: 127.0.0.1:0\nservers:${everything('everything', mark)}`, async ({ client }) => {
    await waitForTool(client, 'everything__echo');
    const caps = client.getServerCapabilities();
    assert.ok(caps.prompts && caps.resources && caps.completions, JSON.stringify(caps));

    const { prompts } = await client.listPrompts();
    const names = prompts.map((p) => p.name);
    for (const n of ['everything__simple-prompt', 'everything__args-prompt', 'everything__completable-prompt'])
      assert.ok(names.includes(n), `${n} missing from ${names}`);
    const got = await client.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'Paris' } });
    assert.equal(got.messages[0].content.text, "What's weather in Paris?");

    // Every page of the upstream's resources is gathered; URIs are kept.
    const { resources } = await client.listResources();
    assert.ok(resources.length >= 5, `${resources.length} resources`);
    assert.ok(resources.every((r) => r.uri.startsWith('demo://')));
    const doc = await client.readResource({ uri: resources[0].uri });
    assert.equal(doc.contents[0].uri, resources[0].uri);
    assert.ok(doc.contents[0].text.length > 0);

    const { resourceTemplates } = await client.listResourceTemplates();
    const text = resourceTemplates.find((t) => t.uriTemplate.includes('/text/'));
    assert.ok(text, JSON.stringify(resourceTemplates));
    const dyn = await client.readResource({ uri: text.uriTemplate.replace('{resourceId}', '7') });
    assert.match(dyn.contents[0].text, /Resource 7/);

    // Completion is the upstream's own, under its own prompt name.
    const done = await client.complete({ ref: { type: 'ref/prompt', name: 'everything__completable-prompt' },
      argument: { name: 'department', value: 'Eng' } });
    assert.deepEqual(done.completion.values, ['Engineering']);

    // Unknown things are refused by the gateway itself, naming them.
    await assert.rejects(client.getPrompt({ name: 'everything__no-such-prompt' }), /no-such-prompt/);
    await assert.rejects(client.readResource({ uri: 'demo://nowhere/1' }), /Resource not found: demo:\/\/nowhere\/1/);
  });
});

test('resources/updated from the upstream reaches the subscribed client', opts, async () => {
  const mark = `mcpgate-test-sub-${process.pid}-${Date.now()}`;
  const updates = [];
  await withGateway(`listen: 127.0.0.1:0\nservers:${everything('everything', mark)}`, async ({ client }) => {
    await waitForTool(client, 'everything__toggle-subscriber-updates');
    const { resources } = await client.listResources();
    const uri = resources[0].uri;
    await client.subscribeResource({ uri });
    await client.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
    const end = Date.now() + 10_000;
    while (!updates.includes(uri) && Date.now() < end) await sleep(100);
    assert.ok(updates.includes(uri), `no resources/updated for ${uri}: ${updates}`);
  }, { setup: (c) => c.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => updates.push(n.params.uri)) });
});

test('sampling and elicitation from the upstream are answered by the client that called', opts, async () => {
  const mark = `mcpgate-test-ask-${process.pid}-${Date.now()}`;
  const asked = [];
  await withGateway(`listen: 127.0.0.1:0\nservers:${everything('everything', mark)}`, async ({ client, connect }) => {
    await waitForTool(client, 'everything__trigger-elicitation-request');
    const sampled = await client.callTool({ name: 'everything__trigger-sampling-request',
      arguments: { prompt: 'the sky', maxTokens: 10 } });
    assert.match(resultText(sampled), /sampled by the test: .*the sky/);
    const elicited = await client.callTool({ name: 'everything__trigger-elicitation-request', arguments: {} });
    assert.match(resultText(elicited), /Favorite Color: teal/);
    assert.deepEqual(asked, ['sampling/createMessage', 'elicitation/create']);

    // A client that cannot sample gets the upstream's report of the refusal.
    const plain = await connect({ capabilities: {}, setup: () => {} });
    const refused = await plain.callTool({ name: 'everything__trigger-sampling-request',
      arguments: { prompt: 'x', maxTokens: 5 } }).catch((e) => ({ error: e }));
    const why = refused.error ? refused.error.message : resultText(refused);
    assert.match(why, /did not declare the 'sampling' capability/);
  }, {
    capabilities: { sampling: {}, elicitation: { form: {} } },
    setup: (c) => {
      c.setRequestHandler(CreateMessageRequestSchema, async (r) => {
        asked.push('sampling/createMessage');
        return { model: 'test', role: 'assistant',
          content: { type: 'text', text: `sampled by the test: ${r.params.messages[0].content.text}` } };
      });
      c.setRequestHandler(ElicitRequestSchema, async () => {
        asked.push('elicitation/create');
        return { action: 'accept', content: { name: 'Ada', color: 'teal' } };
      });
    },
  });
});

test('an upstream list change rebuilds the catalog mid-call; clients are told', opts, async () => {
  const changed = [];
  await withGateway(`listen: 127.0.0.1:0
servers:
  - name: growing
    command: ${NODE}
    args: [${path.join(FIXTURES, 'growing_server.mjs')}]
`, async ({ client }) => {
    await waitForTool(client, 'growing__grow');
    // The call is in flight while its own tool is replaced in the catalog.
    const grown = await client.callTool({ name: 'growing__grow', arguments: {} });
    assert.equal(resultText(grown), '1 extra tools');
    await waitForTool(client, 'growing__extra-1', 5000);
    assert.equal(resultText(await client.callTool({ name: 'growing__extra-1', arguments: {} })), 'extra-1 called');
    await client.callTool({ name: 'growing__shrink', arguments: {} });
    const end = Date.now() + 5000;
    while ((await client.listTools()).tools.some((t) => t.name === 'growing__extra-1') && Date.now() < end) await sleep(50);
    const gone = await client.callTool({ name: 'growing__extra-1', arguments: {} }).catch((e) => ({ error: e }));
    assert.match(String(gone.error?.message ?? resultText(gone)), /Unknown tool: growing__extra-1/);
    assert.ok(changed.length >= 2, `tools/list_changed received ${changed.length} times`);
  }, { setup: (c) => c.setNotificationHandler(ToolListChangedNotificationSchema, () => changed.push(Date.now())) });
});

test('two servers with the same resource URIs: one under resource_uri_prefix, its URIs rewritten wherever they appear', opts, async () => {
  const mark = `mcpgate-test-uris-${process.pid}-${Date.now()}`;
  const mergedUpdates = [], viewUpdates = [];
  await withGateway(`listen: 127.0.0.1:0\nservers:${everything('everything', mark)}${everything('other', mark,
    '    resource_uri_prefix: true\n')}`, async ({ client, gate }) => {
    await waitForTool(client, 'everything__echo');
    await waitForTool(client, 'other__echo');
    const doc = 'demo://resource/static/document/architecture.md';
    const prefixed = `mcpgate://other/${doc}`;
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    assert.ok(uris.includes(doc) && uris.includes(prefixed), uris.join('\n'));
    assert.ok(!uris.some((u) => u.startsWith('mcpgate://everything/')), 'the server without the option was prefixed');
    const { resourceTemplates } = await client.listResourceTemplates();
    const templates = resourceTemplates.map((t) => t.uriTemplate);
    assert.ok(templates.includes('mcpgate://other/demo://resource/dynamic/text/{resourceId}'), templates.join('\n'));

    // Read: the same document from both, each under the URI it is listed by.
    const plain = await client.readResource({ uri: doc });
    const other = await client.readResource({ uri: prefixed });
    assert.equal(other.contents[0].uri, prefixed);
    assert.equal(plain.contents[0].uri, doc);
    assert.equal(other.contents[0].text, plain.contents[0].text);
    const fromTemplate = await client.readResource({ uri: 'mcpgate://other/demo://resource/dynamic/text/3' });
    assert.equal(fromTemplate.contents[0].uri, 'mcpgate://other/demo://resource/dynamic/text/3');
    assert.match(fromTemplate.contents[0].text, /Resource 3/);

    // Tool results: resource links and embedded resources carry URIs a
    // client can read through the gateway.
    const links = await client.callTool({ name: 'other__get-resource-links', arguments: { count: 2 } });
    const linked = links.content.filter((c) => c.type === 'resource_link').map((c) => c.uri);
    assert.equal(linked.length, 2, JSON.stringify(links.content));
    for (const uri of linked) {
      assert.match(uri, /^mcpgate:\/\/other\/demo:\/\//);
      assert.equal((await client.readResource({ uri })).contents[0].uri, uri);
    }
    const ref = await client.callTool({ name: 'other__get-resource-reference', arguments: { resourceType: 'Text', resourceId: 1 } });
    const embedded = ref.content.find((c) => c.type === 'resource');
    assert.equal(embedded.resource.uri, 'mcpgate://other/demo://resource/dynamic/text/1');
    const plainRef = await client.callTool({ name: 'everything__get-resource-reference', arguments: { resourceType: 'Text', resourceId: 1 } });
    assert.equal(plainRef.content.find((c) => c.type === 'resource').resource.uri, 'demo://resource/dynamic/text/1');
    assert.doesNotMatch(gate.stderr(), /is offered by .* already/);

    // /servers/other/mcp is the server under its own names: its own URIs.
    const http = await httpClient();
    const one = new Client({ name: 'view-uris', version: '0.0.0' });
    one.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => viewUpdates.push(n.params.uri));
    const transport = new StreamableHTTPClientTransport(new URL(`${gate.origin}/servers/other/mcp`), { fetch: http.fetch });
    try {
      await one.connect(transport);
      const own = (await one.listResources()).resources.map((r) => r.uri);
      assert.ok(own.includes(doc) && !own.some((u) => u.startsWith('mcpgate://')), own.join('\n'));
      const ownTemplates = (await one.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
      assert.ok(ownTemplates.includes('demo://resource/dynamic/text/{resourceId}'), ownTemplates.join('\n'));
      const read = await one.readResource({ uri: doc });
      assert.equal(read.contents[0].uri, doc);
      assert.equal(read.contents[0].text, plain.contents[0].text);
      assert.equal((await one.readResource({ uri: 'demo://resource/dynamic/text/3' })).contents[0].uri,
        'demo://resource/dynamic/text/3');
      const ownLinks = await one.callTool({ name: 'get-resource-links', arguments: { count: 1 } });
      assert.deepEqual(ownLinks.content.filter((c) => c.type === 'resource_link').map((c) => c.uri),
        ['demo://resource/dynamic/blob/1']);
      await assert.rejects(one.readResource({ uri: prefixed }), /Resource not found/);

      // One change upstream, told to each subscriber under the URI it knows.
      await client.subscribeResource({ uri: prefixed });
      await one.subscribeResource({ uri: doc });
      await client.callTool({ name: 'other__toggle-subscriber-updates', arguments: {} });
      const end = Date.now() + 10_000;
      while (!(mergedUpdates.includes(prefixed) && viewUpdates.includes(doc)) && Date.now() < end) await sleep(100);
      assert.ok(mergedUpdates.includes(prefixed) && !mergedUpdates.includes(doc), `merged: ${mergedUpdates}`);
      assert.ok(viewUpdates.includes(doc) && !viewUpdates.includes(prefixed), `view: ${viewUpdates}`);
      await transport.terminateSession().catch(() => {});
    } finally {
      await one.close();
      await http.close();
    }
  }, { setup: (c) => c.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => mergedUpdates.push(n.params.uri)) });
});

test('two servers with the same resource URIs and no prefix: the second\'s are left out, naming both and the option', opts, async () => {
  const mark = `mcpgate-test-urisclash-${process.pid}-${Date.now()}`;
  await withGateway(`listen: 127.0.0.1:0\nservers:${everything('everything', mark)}${everything('other', mark)}`,
    async ({ client, gate }) => {
      await waitForTool(client, 'everything__echo');
      await waitForTool(client, 'other__echo');
      const end = Date.now() + 5000;
      while (!/is offered by/.test(gate.stderr()) && Date.now() < end) await sleep(50);
      assert.match(gate.stderr(), /server '(other|everything)': resource 'demo:\/\/resource\/static\/document\/architecture\.md' is offered by '(everything|other)' already; left out \(give one of them resource_uri_prefix: true\)/);
      const { resources } = await client.listResources();
      assert.equal(resources.filter((r) => r.uri === 'demo://resource/static/document/architecture.md').length, 1);
    });
});

test('a list change is told only to the clients that see its server', opts, async () => {
  const growing = `
  - name: growing
    command: ${NODE}
    args: [${path.join(FIXTURES, 'growing_server.mjs')}]`;
  const other = growing.replace('name: growing', 'name: other');
  const heard = { all: 0, growing: 0, other: 0 };
  await withGateway(`listen: 127.0.0.1:0\nservers:${growing}${other}\n`, async ({ client, gate }) => {
    await waitForTool(client, 'growing__grow');
    await waitForTool(client, 'other__grow');
    const http = await httpClient();
    const views = {};
    try {
      for (const name of ['growing', 'other']) {
        const c = new Client({ name: `view-${name}`, version: '0.0.0' });
        c.setNotificationHandler(ToolListChangedNotificationSchema, () => { heard[name]++; });
        const transport = new StreamableHTTPClientTransport(new URL(`${gate.origin}/servers/${name}/mcp`), { fetch: http.fetch });
        await c.connect(transport);
        await c.listTools();
        views[name] = { c, transport };
      }
      // A client's GET stream opens after its handshake: grow again until
      // both clients that see the server have heard of it.
      for (let i = 0; i < 5 && (heard.all === 0 || heard.growing === 0); i++) {
        await client.callTool({ name: 'growing__grow', arguments: {} });
        const end = Date.now() + 2000;
        while ((heard.all === 0 || heard.growing === 0) && Date.now() < end) await sleep(50);
      }
      await sleep(300); // time enough for a stray one to arrive
      assert.ok(heard.all >= 1, 'the whole-catalog client was not told');
      assert.ok(heard.growing >= 1, 'the /servers/growing/mcp client was not told');
      assert.equal(heard.other, 0, 'the /servers/other/mcp client was told of a change to growing');
      assert.ok((await views.growing.c.listTools()).tools.some((t) => t.name === 'extra-1'));
    } finally {
      for (const v of Object.values(views)) {
        await v.transport.terminateSession().catch(() => {});
        await v.c.close();
      }
      await http.close();
    }
  }, { setup: (c) => c.setNotificationHandler(ToolListChangedNotificationSchema, () => { heard.all++; }) });
});

test('/servers/<name>/mcp serves one upstream under its own names, with the same checks', opts, async () => {
  const mark = `mcpgate-test-view-${process.pid}-${Date.now()}`;
  await withGateway(`listen: 127.0.0.1:0\nservers:${everything('everything', mark)}${everything('other', mark)}`,
    async ({ client, gate }) => {
      await waitForTool(client, 'everything__echo');
      await waitForTool(client, 'other__echo');
      const http = await httpClient();
      const one = new Client({ name: 'view-test', version: '0.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(`${gate.origin}/servers/everything/mcp`), { fetch: http.fetch });
      try {
        await one.connect(transport);
        const { tools } = await one.listTools();
        const names = tools.map((t) => t.name);
        assert.ok(names.includes('echo') && names.includes('get-sum'), names.join(' '));
        assert.ok(!names.some((n) => n.includes('__')), `prefixed names in a one-server view: ${names}`);
        assert.equal(resultText(await one.callTool({ name: 'echo', arguments: { message: 'direct' } })), 'Echo: direct');
        const bad = await one.callTool({ name: 'get-sum', arguments: { a: 'x', b: 1 } });
        assert.equal(bad.isError, true);
        assert.match(resultText(bad), /\/a: expected number/);
        await assert.rejects(one.callTool({ name: 'everything__echo', arguments: { message: 'x' } }), /Unknown tool: everything__echo/);
        const { prompts } = await one.listPrompts();
        assert.ok(prompts.some((p) => p.name === 'args-prompt'), JSON.stringify(prompts.map((p) => p.name)));
        const got = await one.getPrompt({ name: 'args-prompt', arguments: { city: 'Oslo' } });
        assert.equal(got.messages[0].content.text, "What's weather in Oslo?");

        // A session belongs to the endpoint that opened it.
        const sid = transport.sessionId;
        const res = await http.fetch(`${gate.url}`, { method: 'POST', headers: { 'content-type': 'application/json',
          accept: 'application/json, text/event-stream', 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
        assert.equal(res.status, 404);
        await res.text();
        const none = await http.fetch(`${gate.origin}/servers/nobody/mcp`, { method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) });
        assert.equal(none.status, 404);
        assert.match(await none.text(), /no server named 'nobody'/);
        await transport.terminateSession().catch(() => {});
        await one.close();
      } finally {
        await http.close();
      }
    });
});

test('two servers whose tool names collide: one is left out, both sources named', opts, async () => {
  const mark = `mcpgate-test-clash-${process.pid}-${Date.now()}`;
  // "{server}-{tool}": alpha's get-env and alpha-get's echo renamed to env
  // are both "alpha-get-env".
  await withGateway(`listen: 127.0.0.1:0\ntool_name_format: "{server}-{tool}"\nservers:${everything('alpha', mark)}${everything('alpha-get', mark, `    include_tools: [echo]
    overrides:
      echo:
        name: env
`)}`, async ({ client, gate }) => {
    await waitForTool(client, 'alpha-echo');
    const end = Date.now() + 15_000;
    const clash = /server '(alpha|alpha-get)': tool '(get-env|echo)' would be exposed as 'alpha-get-env', which tool '(get-env|echo)' of '(alpha|alpha-get)' already is/;
    while (!clash.test(gate.stderr()) && Date.now() < end) await sleep(100);
    assert.match(gate.stderr(), clash);
    const m = gate.stderr().match(clash);
    assert.notEqual(m[1], m[4], 'both sources named');
    const same = (await client.listTools()).tools.filter((t) => t.name === 'alpha-get-env');
    assert.equal(same.length, 1, 'one alpha-get-env, never two');
  });
});
