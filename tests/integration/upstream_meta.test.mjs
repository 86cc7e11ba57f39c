// upstream_meta.test.mjs - _meta through the gateway, with the official v1
// SDK client and a stdio server that shows what it receives
// (fixtures/meta_server.mjs):
//   - a client's own _meta keys (com.example/...) reach the server on
//     tools/call and resources/read; the protocol's keys do not, and the
//     progress token the server sees is the gateway's;
//   - the server's own _meta on a result reaches the client, without the
//     protocol's keys (a related-task of the server's is not the gateway's);
//   - a request without _meta reaches the server without one;
//   - the server declares resources and has no resources/templates/list
//     (Method not found): its tools and resources are listed all the same.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { CallToolResultSchema, ReadResourceResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { NODE, FIXTURES, withGateway, waitForTool } from './upstreams.mjs';

const opts = { timeout: 60_000 };
const yaml = `listen: 127.0.0.1:0
servers:
  - name: meta
    command: ${NODE}
    args: [${path.join(FIXTURES, 'meta_server.mjs')}]
`;
const clientMeta = { 'com.example/trace': 't-1', 'io.modelcontextprotocol/bogus': 1, 'mcp.dev/other': 2 };

test('a client\'s own _meta reaches the server, the server\'s reaches the client; the protocol\'s keys stay per hop', opts, async () => {
  await withGateway(yaml, async ({ client }) => {
    await waitForTool(client, 'meta__seen');

    const call = await client.request({ method: 'tools/call', params: { name: 'meta__seen', arguments: {}, _meta: clientMeta } },
      CallToolResultSchema, { onprogress: () => {} });
    const sent = JSON.parse(call.content[0].text);
    assert.equal(sent['com.example/trace'], 't-1');
    assert.match(String(sent.progressToken), /^mg-\d+$/, 'the server has the gateway\'s progress token');
    assert.deepEqual(Object.keys(sent).sort(), ['com.example/trace', 'progressToken']);
    assert.deepEqual(call._meta, { 'com.example/served-by': 'meta-fixture' });

    const plain = await client.callTool({ name: 'meta__seen', arguments: {} });
    assert.equal(plain.content[0].text, 'null', 'no _meta was made up');

    const read = await client.request({ method: 'resources/read', params: { uri: 'meta://seen', _meta: clientMeta } },
      ReadResourceResultSchema);
    assert.deepEqual(JSON.parse(read.contents[0].text), { 'com.example/trace': 't-1' });
    assert.deepEqual(read._meta, { 'com.example/served-by': 'meta-fixture' });
  });
});
