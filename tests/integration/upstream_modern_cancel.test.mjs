// upstream_modern_cancel.test.mjs - cancelling a call to a 2026-07-28
// server over Streamable HTTP, where closing the request's response
// stream is the cancellation (there is no notifications/cancelled).  The
// server (fixtures/modern_slow_http.mjs, plain node:http) counts the
// streams its client closed:
//   - a client that cancels its call closes the upstream request;
//   - a call past the server's timeout does too, and the client is told
//     which server and how long.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { HTTP_TEST_TIMEOUT, resultText } from './lib.mjs';
import { withGateway, waitForTool, startHttpFixture } from './upstreams.mjs';

const opts = { timeout: HTTP_TEST_TIMEOUT };

async function closedCount(client) {
  return Number(resultText(await client.callTool({ name: 'slow__closed', arguments: {} })));
}

async function waitFor(fn, want, ms = 5000) {
  const end = Date.now() + ms;
  let got;
  while ((got = await fn()) !== want && Date.now() < end) await sleep(50);
  return got;
}

test('2026-07-28 HTTP upstream: a cancelled call and a timed-out one close their upstream requests', opts, async () => {
  const server = await startHttpFixture('modern_slow_http.mjs');
  try {
    await withGateway(`
servers:
  - name: slow
    url: ${server.url}
    timeout: 1
`, async ({ client }) => {
      await waitForTool(client, 'slow__wait');
      assert.equal(await closedCount(client), 0);

      const ac = new AbortController();
      const call = client.callTool({ name: 'slow__wait', arguments: {} }, undefined, { signal: ac.signal });
      await sleep(300);
      ac.abort('changed my mind');
      await assert.rejects(call);
      assert.equal(await waitFor(() => closedCount(client), 1), 1, 'the cancelled call left its upstream request open');

      const timedOut = await client.callTool({ name: 'slow__wait', arguments: {} }).catch((e) => e);
      assert.match(String(timedOut.message), /slow.*no answer within 1 s/);
      assert.equal(await waitFor(() => closedCount(client), 2), 2, 'the timed-out call left its upstream request open');
    });
  } finally {
    server.stop();
  }
});
