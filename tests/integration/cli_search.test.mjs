// cli_search.test.mjs - `mcpgate search` in standalone mode: it reads the
// config, connects to its servers in-process (server-everything over
// stdio, a 2026-07-28 server on the SDK v2, a command that does not
// exist) and prints the tools that best match the words, best first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runCli, withConfigFile, THREE_SERVERS } from './cli.mjs';
import { NODE, EVERYTHING } from './upstreams.mjs';

const opts = { timeout: 90_000 };

const run = (args) => runCli(['search', ...args]);

// The data rows of a table: [server, tool, description].
function rows(stdout) {
  const lines = stdout.trim().split('\n');
  assert.match(lines[0], /^SERVER\s+TOOL\s+DESCRIPTION$/);
  return lines.slice(1).map((l) => {
    const m = l.match(/^(\S+)\s+(\S+)\s+(.*)$/) ?? assert.fail(`not a row: ${l}`);
    return [m[1], m[2], m[3]];
  });
}

const withConfig = (fn) => withConfigFile(THREE_SERVERS, fn);

test('search: best match first with its server; a name match outranks a description match', opts, async () => {
  await withConfig(async (file) => {
    const echo = await run(['echo', '--config', file]);
    assert.equal(echo.code, 0, echo.stderr);
    assert.deepEqual(rows(echo.stdout)[0], ['everything', 'echo', 'Echoes back the input string']);
    // The server that could not start is named: its tools were not searched.
    assert.match(echo.stderr, /server broken is failed: cannot run '\/nonexistent\/mcp-server'/);
    assert.match(echo.stderr, /The tools of servers that are not ready are not searched\./);

    // Three tools have "resource" in their names; one only in its description.
    const res = await run(['resource', '--config', file]);
    assert.equal(res.code, 0, res.stderr);
    const tools = rows(res.stdout).map((r) => r[1]);
    const byDescription = tools.indexOf('toggle-subscriber-updates');
    assert.ok(byDescription > 0, `a description-only match is found too: ${tools}`);
    for (const byName of ['get-resource-links', 'get-resource-reference', 'gzip-file-as-resource']) {
      const at = tools.indexOf(byName);
      assert.ok(at >= 0 && at < byDescription, `${byName} before toggle-subscriber-updates: ${tools}`);
    }

    // Kebab-case names are split into words; the last word is also a prefix.
    const tiny = await run(['tin', '--config', file]);
    assert.deepEqual(rows(tiny.stdout)[0].slice(0, 2), ['everything', 'get-tiny-image']);
  });
});

test('search --json: an array of {server, tool, name, title, description, score}, best first', opts, async () => {
  await withConfig(async (file) => {
    const r = await run(['echo', 'sum', '--json', '--limit', '2', '--config', file]);
    assert.equal(r.code, 0, r.stderr);
    const hits = JSON.parse(r.stdout);
    assert.equal(hits.length, 2);
    for (const h of hits) {
      assert.deepEqual(Object.keys(h).filter((k) => k !== 'title'), ['server', 'tool', 'name', 'description', 'score']);
      assert.equal(typeof h.score, 'number');
    }
    assert.deepEqual(hits.map((h) => [h.server, h.tool, h.name]).sort(),
      [['everything', 'echo', 'everything__echo'], ['everything', 'get-sum', 'everything__get-sum']]);
    assert.ok(hits[0].score >= hits[1].score, JSON.stringify(hits));
    assert.equal(hits.find((h) => h.tool === 'echo').description, 'Echoes back the input string');
  });
});

test('search --server: only that server; no match says so and exits 0; bad names and words say what to do', opts, async () => {
  await withConfig(async (file) => {
    const modern = await run(['tool', '--server', 'modern', '--config', file]);
    assert.equal(modern.code, 0, modern.stderr);
    const found = rows(modern.stdout);
    assert.ok(found.length >= 1 && found.every((r) => r[0] === 'modern'), modern.stdout);
    assert.deepEqual(found[0], ['modern', 'grow', 'adds a tool']);

    const none = await run(['echo', '--server', 'modern', '--config', file]);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, "No tool of modern matches 'echo'.\n" +
      "Try other words, or list its tools with 'mcpgate tools modern'.\n");

    const nothing = await run(['zzyzx', 'qqq', '--config', file]);
    assert.equal(nothing.code, 0, nothing.stderr);
    assert.match(nothing.stdout, /^No tool matches 'zzyzx qqq'\.\nTry other words, or list every tool with 'mcpgate tools'\.\n$/);
    const empty = await run(['zzyzx', '--json', '--config', file]);
    assert.deepEqual(JSON.parse(empty.stdout), []);

    // Search syntax in the words is text, never an error.
    const hostile = await run(['--config', file, 'NEAR(echo', '"', '*', 'a:b', '--', '-x', '-', ')']);
    assert.equal(hostile.code, 0, hostile.stderr);
    assert.deepEqual(rows(hostile.stdout)[0].slice(0, 2), ['everything', 'echo']);

    const unknown = await run(['echo', '--server', 'nope', '--config', file]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no server named 'nope' in the config\nRun 'mcpgate servers' to list them/);
    const failed = await run(['echo', '--server', 'broken', '--config', file]);
    assert.equal(failed.code, 3);
    assert.match(failed.stderr, /server broken is failed: cannot run/);
  });
});

test('search: words and options that cannot work exit 2 before any server starts', opts, async () => {
  // A server that leaves a mark when it is started.
  const marker = (dir) => `
servers:
  - name: marker
    command: /bin/sh
    args: [-c, "touch ${path.join(dir, 'started')}; exec ${NODE} ${EVERYTHING} stdio"]
`;
  await withConfigFile(marker, async (file, dir) => {
    const started = path.join(dir, 'started');
    const cases = [
      [[], /search needs words to look for, e.g. 'mcpgate search issue'/],
      [['!!!', '()'], /the search needs at least one word of letters or digits/],
      [['x'.repeat(1100)], /the search text is 1100 bytes long; give at most 1024/],
      [['echo', '--limit', '0'], /--limit needs a number from 1 to 1000/],
      [['echo', '--limit', '1001'], /--limit needs a number from 1 to 1000/],
      [['echo', '--server'], /--server needs a server name/],
      [['echo', '--bogus'], /unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = await run([...args, '--config', file]);
      assert.equal(r.code, 2, `${args}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Run 'mcpgate search --help' for usage\./);
      assert.equal(r.stdout, '');
      assert.ok(!existsSync(started), `${args}: refused before starting any server`);
    }
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: mcpgate search WORDS\.\.\. \[options\]/);
    assert.match(help.stdout, /examples:\n  mcpgate search issue/);

    // The marker works: a real search starts the server.
    const ok = await run(['echo', '--config', file]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(existsSync(started));
  });
});
