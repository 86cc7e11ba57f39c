// cli_call.test.mjs - `mcpgate describe SERVER TOOL` and `mcpgate call
// SERVER TOOL --param value` (alias `run`) in standalone mode, end to end:
// the real binary, a config naming real upstreams (server-everything and
// server-filesystem over stdio), and fixtures only for what they cannot
// show (parameters of every type, a call that hangs or kills its server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MCPGATE_BIN, childEnv, waitForBinary, assertCleanStderr, sleep } from './lib.mjs';
import { NODE, EVERYTHING, FIXTURES, pids } from './upstreams.mjs';
import { THREE_SERVERS, runCli } from './cli.mjs';

const FILESYSTEM = path.resolve(EVERYTHING, '../../../server-filesystem/dist/index.js');
const opts = { timeout: 60_000 };

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-call-'));
const files = path.join(tmp, 'files');
const faultLog = path.join(tmp, 'fault.log');
const mark = `mcpgate-call-test-${process.pid}`;
const config = path.join(tmp, 'mcpgate.yaml');
mkdirSync(files);
writeFileSync(path.join(files, 'a.txt'), 'alpha\nsecond line\n');
writeFileSync(path.join(files, 'b.txt'), 'bravo\n');
mkdirSync(path.join(files, 'sub'));
writeFileSync(path.join(files, 'sub', 'c.log'), 'charlie\n');
writeFileSync(config, `${THREE_SERVERS}
  - name: files
    command: ${NODE}
    args: [${FILESYSTEM}, ${files}]
  - name: typed
    command: ${NODE}
    args: [${path.join(FIXTURES, 'typed_server.mjs')}]
  - name: faults
    command: ${NODE}
    args: [${path.join(FIXTURES, 'fault_server.mjs')}, serve, ${mark}]
    env: { FAULT_LOG: ${faultLog}, FAULT_DIE_MS: "200" }
    timeout: 3
  - name: growing
    command: ${NODE}
    args: [${path.join(FIXTURES, 'growing_server.mjs')}]
  - name: off
    url: http://127.0.0.1:1/mcp
    enabled: false
`);
test.after(() => rmSync(tmp, { recursive: true, force: true }));

/** Run the CLI to its end; the sanitizers must have stayed quiet. */
async function cli(args, { input, env } = {}) {
  const r = await runCli(args, { timeout: 40_000, input: input ?? '', env });
  assertCleanStderr(r.stderr, `mcpgate ${args.join(' ')}`);
  return r;
}

const call = (...args) => cli(['call', '--config', config, ...args]);
const describe = (...args) => cli(['describe', '--config', config, ...args]);

function faultEvents() {
  try {
    return readFileSync(faultLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

test('describe: a table of the parameters and an example call line that works', opts, async () => {
  await waitForBinary();
  const d = await describe('everything', 'get-annotated-message');
  assert.equal(d.code, 0, d.stderr);
  const lines = d.stdout.split('\n');
  assert.match(lines[0], /^everything get-annotated-message .*everything__get-annotated-message/);
  assert.match(d.stdout, /Demonstrates how annotations can be used/);
  assert.match(d.stdout, /^PARAMETER\s+TYPE\s+REQUIRED\s+DESCRIPTION$/m);
  assert.match(d.stdout, /^--message-type\s+string\s+yes\s+Type of message .* \(one of: error, success, debug\)$/m);
  assert.match(d.stdout, /^--include-image\s+boolean\s+no\s+Whether to include an example image \(default: false\)$/m);
  assert.match(d.stdout, /--no-flag/, 'says how to give a boolean');
  const example = d.stdout.match(/^example:\n {2}mcpgate (.*)$/m);
  assert.ok(example, d.stdout);
  assert.equal(example[1], 'call everything get-annotated-message --message-type error');

  // The example line of describe runs as it is.
  const ran = await cli([...example[1].split(' ').slice(0, 1), '--config', config, ...example[1].split(' ').slice(1)]);
  assert.equal(ran.code, 0, ran.stderr);

  const typed = await describe('typed', 'kinds');
  assert.equal(typed.code, 0, typed.stderr);
  assert.match(typed.stdout, /^--count\s+integer\s+yes\s+How many$/m);
  assert.match(typed.stdout, /^--tags\s+array of integer\s+no\s+Tag ids$/m);
  assert.match(typed.stdout, /^--max-results\s+integer\s+no\s+Most results$/m);
  assert.match(typed.stdout, /^--page-size\s+integer\s+no\s+Results per page$/m);
  assert.match(typed.stdout, /^--note\s+string\|null\s+no\s+A note, or null$/m);
  assert.match(typed.stdout, /^--limit\s+integer\|null\s+no\s+A limit, or null for none$/m);
  assert.match(typed.stdout, /example:\n {2}mcpgate call typed kinds --count 0\n/);

  const json = await describe('--json', 'files', 'read_text_file');
  assert.equal(json.code, 0, json.stderr);
  const def = JSON.parse(json.stdout);
  assert.deepEqual([def.server, def.name, def.gatewayName], ['files', 'read_text_file', 'files__read_text_file']);
  assert.deepEqual(def.inputSchema.required, ['path']);
});

test('call: text printed as it is; numbers, booleans, enums, lists and objects converted by the schema', opts, async () => {
  await waitForBinary();
  const echo = await call('everything', 'echo', '--message', 'hello world');
  assert.equal(echo.code, 0, echo.stderr);
  assert.equal(echo.stdout, 'Echo: hello world\n');
  assert.equal(echo.stderr, '', 'nothing on stderr when piped: no spinner, no progress, no log');

  const sum = await cli(['run', '--config', config, 'everything', 'get-sum', '--a', '2', '--b=-3.5']);
  assert.equal(sum.code, 0, sum.stderr);
  assert.match(sum.stdout, /The sum of 2 and -3.5 is -1.5/);

  const kinds = await call('typed', 'kinds', '--count', '3', '--ratio', '0.25', '--verbose', '--mode', 'slow',
    '--tags', '1', '--tags', '-2', '--options', '{"deep":{"x":[1]}}', '--max-results', '7', '--page-size=20',
    '--note', 'null', '--limit', 'null');
  assert.equal(kinds.code, 0, kinds.stderr);
  assert.deepEqual(JSON.parse(kinds.stdout), {
    count: 3, ratio: 0.25, verbose: true, mode: 'slow', tags: [1, -2], options: { deep: { x: [1] } },
    max_results: 7, pageSize: 20, note: 'null', limit: null,
  }, 'null is text where text is allowed');

  // Spellings: snake_case, camelCase and kebab-case name the same property.
  const spelled = await call('typed', 'kinds', '--COUNT', '1', '--max_results', '2', '--pageSize', '3', '--no-verbose',
    '--note', 'text');
  assert.equal(spelled.code, 0, spelled.stderr);
  assert.deepEqual(JSON.parse(spelled.stdout), { count: 1, max_results: 2, pageSize: 3, verbose: false, note: 'text' });
  const eq = await call('typed', 'kinds', '--count=0', '--verbose=false');
  assert.deepEqual(JSON.parse(eq.stdout), { count: 0, verbose: false });
});

test('call: the tool list changing during the call (the tool replaced in the catalog) is no problem', opts, async () => {
  await waitForBinary();
  // grow announces tools/list_changed before it answers: the gateway
  // rebuilds its catalog while the call runs.
  const grow = await call('growing', 'grow');
  assert.equal(grow.code, 0, grow.stderr);
  assert.equal(grow.stdout, '1 extra tools\n');
});

test('call: server-filesystem on a temp dir (strings, lists, camelCase and enum parameters)', opts, async () => {
  await waitForBinary();
  const read = await call('files', 'read_text_file', '--path', path.join(files, 'a.txt'));
  assert.equal(read.code, 0, read.stderr);
  assert.equal(read.stdout, 'alpha\nsecond line\n', 'the text only: structuredContent {content} repeats it');

  const head = await call('files', 'read_text_file', '--path', path.join(files, 'a.txt'), '--head', '1');
  assert.equal(head.stdout.trim(), 'alpha');

  const list = await call('files', 'list_directory', '--path', files);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(list.stdout.trim().split('\n').sort(), ['[DIR] sub', '[FILE] a.txt', '[FILE] b.txt']);

  const many = await call('files', 'read_multiple_files', '--paths', path.join(files, 'a.txt'),
    '--paths', path.join(files, 'b.txt'));
  assert.equal(many.code, 0, many.stderr);
  assert.match(many.stdout, /a\.txt:\nalpha\nsecond line/);
  assert.match(many.stdout, /b\.txt:\nbravo/);

  const sized = await call('files', 'list_directory_with_sizes', '--path', files, '--sort-by', 'size');
  assert.equal(sized.code, 0, sized.stderr);
  assert.ok(sized.stdout.indexOf('a.txt') < sized.stdout.indexOf('b.txt'), `largest first:\n${sized.stdout}`);

  const tree = await call('files', 'directory_tree', '--path', files, '--exclude-patterns', 'sub', '--exclude-patterns', '*.txt');
  assert.equal(tree.code, 0, tree.stderr);
  assert.deepEqual(JSON.parse(tree.stdout), []);

  const written = path.join(files, 'new.txt');
  const write = await call('files', 'write_file', '--path', written, '--content', 'line one\nline \'two\'');
  assert.equal(write.code, 0, write.stderr);
  assert.equal(readFileSync(written, 'utf8'), 'line one\nline \'two\'');
  rmSync(written);
});

test('call: images saved to files whose paths are printed; structuredContent pretty-printed', opts, async () => {
  await waitForBinary();
  const dir = path.join(tmp, 'saved');
  const image = await call('--save-dir', dir, 'everything', 'get-tiny-image');
  assert.equal(image.code, 0, image.stderr);
  const m = image.stdout.match(/^image \(image\/png, (\d+) bytes\) saved to (.*)$/m);
  assert.ok(m, image.stdout);
  assert.equal(m[2], path.join(dir, 'get-tiny-image-1.png'));
  const png = readFileSync(m[2]);
  assert.equal(png.length, Number(m[1]));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  assert.match(image.stdout, /^Here's the image you requested:$/m, 'the text around it too');

  // Again into the same directory: a new file, nothing overwritten.
  const again = await call('--save-dir', dir, 'everything', 'get-tiny-image');
  assert.match(again.stdout, /saved to .*get-tiny-image-2\.png$/m);

  // By default: a fresh directory under $TMPDIR, not the current one.
  const tmpdir = mkdtempSync(path.join(tmp, 'tmpdir-'));
  const dflt = await cli(['call', '--config', config, 'everything', 'get-tiny-image'], { env: { TMPDIR: tmpdir } });
  assert.equal(dflt.code, 0, dflt.stderr);
  const made = readdirSync(tmpdir);
  assert.equal(made.length, 1);
  assert.match(made[0], /^mcpgate-/);
  assert.match(dflt.stdout, new RegExp(`saved to ${path.join(tmpdir, made[0], 'get-tiny-image-1.png')}$`, 'm'));

  const structured = await call('everything', 'get-structured-content', '--location', 'Chicago');
  assert.equal(structured.code, 0, structured.stderr);
  assert.match(structured.stdout, /^\{\n {2}"temperature": /, 'indented JSON, printed once');
  const weather = JSON.parse(structured.stdout);
  assert.deepEqual(Object.keys(weather).sort(), ['conditions', 'humidity', 'temperature']);

  const blob = await call('--save-dir', dir, 'everything', 'get-resource-reference', '--resource-type', 'Blob');
  assert.equal(blob.code, 0, blob.stderr);
  const saved = blob.stdout.match(/^resource demo:\/\/\S+: blob \(text\/plain, \d+ bytes\) saved to (.*\.txt)$/m);
  assert.ok(saved, blob.stdout);
  assert.match(readFileSync(saved[1], 'utf8'), /Resource 1/);
  const links = await call('everything', 'get-resource-links', '--count', '2');
  assert.match(links.stdout, /^link: demo:\/\/resource\/\S+ {2}\S.*\(text\/plain\)/m);
});

test('call: progress shows on a terminal only', opts, async () => {
  await waitForBinary();
  const piped = await call('everything', 'trigger-long-running-operation', '--duration', '1', '--steps', '2');
  assert.equal(piped.code, 0, piped.stderr);
  assert.match(piped.stdout, /Long running operation completed\. Duration: 1 seconds, Steps: 2/);
  assert.equal(piped.stderr, '', 'no progress line when stderr is not a terminal');

  // script(1) gives the CLI a terminal; the progress line is redrawn in place.
  const quoted = [MCPGATE_BIN, 'call', '--config', config, 'everything', 'trigger-long-running-operation', '--duration',
    '1', '--steps', '2'].map((a) => `'${a}'`).join(' ');
  const tty = execFileSync('script', ['-qefc', quoted, '/dev/null'], { env: childEnv(), encoding: 'utf8', timeout: 40_000 });
  assert.match(tty, /\r\x1b\[Kprogress: 1\/2 \(50%\)/);
  assert.match(tty, /Long running operation completed/);
});

test('call: Ctrl-C cancels the call at the server and exits promptly', opts, async () => {
  await waitForBinary();
  const child = spawn(MCPGATE_BIN, ['call', '--config', config, 'faults', 'hang'], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  try {
    const sent = () => faultEvents().find((e) => e.got?.method === 'tools/call');
    for (let i = 0; i < 200 && !sent(); i++) await sleep(50);
    assert.ok(sent(), 'the call reached the server');
    const t0 = Date.now();
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130, stderr);
    assert.ok(Date.now() - t0 < 3000, `exited ${Date.now() - t0} ms after SIGINT`);
    assert.match(stderr, /the call of faults hang was cancelled/);
    assertCleanStderr(stderr);
    const events = faultEvents();
    assert.ok(events.some((e) => e.got?.method === 'notifications/cancelled' && e.got.params.requestId === sent().got.id),
      'the server was sent notifications/cancelled for its request');
    assert.ok(events.some((e) => e.aborted === sent().got.id), 'the server aborted the handler');
    assert.deepEqual(pids(mark), [], 'the server process is gone');
  } finally {
    child.kill('SIGKILL');
  }
});

test('call: unknown server or tool gets the closest name (exit 2)', opts, async () => {
  await waitForBinary();
  const server = await call('evrything', 'echo');
  assert.equal(server.code, 2);
  assert.match(server.stderr, /no server named 'evrything' in the config; did you mean 'everything'\?\nRun 'mcpgate servers' to list them/);
  const tool = await call('everything', 'ehco', '--message', 'x');
  assert.equal(tool.code, 2);
  assert.match(tool.stderr, /server everything has no tool 'ehco'; did you mean 'echo'\?\nRun 'mcpgate tools everything'/);
  const fs = await describe('files', 'read-text-file');
  assert.equal(fs.code, 2);
  assert.match(fs.stderr, /did you mean 'read_text_file'\?/);
  const none = await call('everything');
  assert.equal(none.code, 2);
  assert.match(none.stderr, /call needs a SERVER and a TOOL/);
});

test('call: unknown flags, missing or mistyped parameters are listed with descriptions; nothing is sent (exit 2)', opts, async () => {
  await waitForBinary();
  const unknown = await call('everything', 'echo', '--mesage', 'hi');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^mcpgate: everything echo was not called:$/m);
  assert.match(unknown.stderr, /--mesage is not a parameter of echo; did you mean --message\?/);
  assert.match(unknown.stderr, /^--message\s+string\s+yes\s+Message to echo$/m, 'the parameters are listed');
  assert.match(unknown.stderr, /example:\n {2}mcpgate call everything echo --message MESSAGE/);
  assert.equal(unknown.stdout, '');

  const missing = await call('everything', 'get-sum', '--a', '1');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--b: required, and missing \(Second number\)/);

  const wrong = await call('typed', 'kinds', '--count', '1.5', '--ratio', 'half', '--mode', 'medium', '--tags', 'x');
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--count: expected an integer, got '1\.5' \(How many\)/);
  assert.match(wrong.stderr, /--ratio: expected a number, got 'half' \(A fraction\)/);
  assert.match(wrong.stderr, /--mode: 'medium' is not one of the choices \(How to go\)\n {4}choices: fast, slow/);
  assert.match(wrong.stderr, /--tags: expected an integer, got 'x' \(Tag ids\)/);
  const range = await call('typed', 'kinds', '--count', '-1');
  assert.equal(range.code, 2);
  assert.match(range.stderr, /do not fit the tool's schema: .*count.*minimum|>= 0/);

  // Nothing reached the server: its log has no tools/call.
  const before = faultEvents().filter((e) => e.got?.method === 'tools/call').length;
  const refused = await call('faults', 'pid', '--verbose');
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--verbose is not a parameter of pid/);
  assert.match(refused.stderr, /It takes no parameters/);
  assert.equal(faultEvents().filter((e) => e.got?.method === 'tools/call').length, before);

  const own = await call('everything', 'echo', '--message', 'hi', '--json');
  assert.equal(own.code, 2);
  assert.match(own.stderr, /--json is an option of mcpgate: put it before SERVER/);
  const stray = await call('everything', 'echo', 'hi');
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /'hi' is not a flag: give each parameter as --name value/);
});

test('call: a server that cannot be reached or breaks exits 3; a tool error exits 1', opts, async () => {
  await waitForBinary();
  const broken = await call('broken', 'anything');
  assert.equal(broken.code, 3);
  assert.match(broken.stderr, /server broken is failed: cannot run '\/nonexistent\/mcp-server'/);
  const off = await call('off', 'anything');
  assert.equal(off.code, 3);
  assert.match(off.stderr, /server off is disabled/);

  const died = await call('faults', 'die');
  assert.equal(died.code, 3, died.stderr);
  assert.match(died.stderr, /the call of faults die failed: /);
  const slow = await call('faults', 'hang');
  assert.equal(slow.code, 3, slow.stderr);
  assert.match(slow.stderr, /the call of faults hang failed: Upstream faults: no answer within 3 s/);

  const denied = await call('files', 'read_text_file', '--path', '/etc/hostname');
  assert.equal(denied.code, 1, denied.stderr);
  assert.match(denied.stderr, /files read_text_file reported an error:\n.*Access denied/);
  assert.equal(denied.stdout, '');
});

test('call: --json prints the raw result; --args-json and stdin give arguments, flags win', opts, async () => {
  await waitForBinary();
  const raw = await call('--json', 'everything', 'get-sum', '--a', '1', '--b', '2');
  assert.equal(raw.code, 0, raw.stderr);
  assert.deepEqual(JSON.parse(raw.stdout).content, [{ type: 'text', text: 'The sum of 1 and 2 is 3.' }]);
  const rawError = await call('--json', 'files', 'read_text_file', '--path', '/etc/hostname');
  assert.equal(rawError.code, 1);
  assert.equal(JSON.parse(rawError.stdout).isError, true);

  const fromArg = await call('--args-json', '{"a": 4, "b": 5}', 'everything', 'get-sum');
  assert.match(fromArg.stdout, /The sum of 4 and 5 is 9/);
  const override = await call('--args-json', '{"a": 4, "b": 5}', 'everything', 'get-sum', '--b', '10');
  assert.match(override.stdout, /The sum of 4 and 10 is 14/);
  const fromStdin = await cli(['call', '--config', config, '--args-json', '-', 'typed', 'kinds', '--tags', '9'],
    { input: '{"count": 2, "tags": [1, 2], "options": {"a": null}}' });
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  assert.deepEqual(JSON.parse(fromStdin.stdout), { count: 2, tags: [9], options: { a: null } });

  const notJson = await call('--args-json', '{"a": ', 'everything', 'get-sum');
  assert.equal(notJson.code, 2);
  assert.match(notJson.stderr, /--args-json is not valid JSON/);
  const notObject = await cli(['call', '--config', config, '--args-json', '-', 'everything', 'echo'], { input: '[1]' });
  assert.equal(notObject.code, 2);
  assert.match(notObject.stderr, /the standard input must be a JSON object/);
  const wrongType = await call('--args-json', '{"a": "x", "b": 1}', 'everything', 'get-sum');
  assert.equal(wrongType.code, 2);
  assert.match(wrongType.stderr, /--a: expected a number, got "x" \(First number\)/);
});

test('help: every command explains itself with examples', opts, async () => {
  await waitForBinary();
  const top = await cli(['--help']);
  assert.match(top.stdout, /describe\s+show a tool's parameters/);
  assert.match(top.stdout, /call\s+call a tool/);
  const help = await cli(['call', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /usage: mcpgate call \[options\] SERVER TOOL/);
  assert.match(help.stdout, /Exit status: 0 success; 1 the tool reported an error; 2 usage error/);
  assert.match(help.stdout, /examples:\n {2}mcpgate tools everything\n {2}mcpgate call everything echo/);
  const d = await cli(['describe', '--help']);
  assert.match(d.stdout, /examples:\n {2}mcpgate describe everything echo/);
  // --help after TOOL describes the tool.
  const tool = await call('everything', 'echo', '--help');
  assert.equal(tool.code, 0);
  assert.match(tool.stdout, /^--message\s+string\s+yes\s+Message to echo$/m);
  assert.ok(!existsSync(path.join(process.cwd(), 'get-tiny-image-1.png')));
});

test('call answers the server\'s elicitation: asked on stdin, the defaults, or declined', opts, async () => {
  const call = (extra, input) => runCli(['call', '--config', config, ...extra, 'everything',
    'trigger-elicitation-request'], { input });

  // Not a terminal: declined, and told how to accept the defaults.
  const declined = await call([], '');
  assert.equal(declined.code, 0, declined.stderr);
  assert.match(declined.stderr, /everything asks: Please provide inputs/);
  assert.match(declined.stderr, /declined: no terminal to ask on/);
  assert.match(declined.stdout, /"action": "decline"/);

  // --elicit defaults: everything's form has a required field without a
  // default (name), so it cannot be accepted that way.
  const defaults = await call(['--elicit', 'defaults'], '');
  assert.match(defaults.stderr, /declined: a required field has no default/);

  // --elicit ask: one line per field; empty keeps the default; a wrong
  // answer is asked again; lists are comma-separated.
  const answers = ['Ada', 'yes', '', '', '', '', 'seven', '7', '', 'Joey', 'Drums, Guitar', 'hero-2', '', ''];
  const asked = await call(['--elicit', 'ask'], answers.join('\n') + '\n');
  assert.equal(asked.code, 0, asked.stderr);
  assert.match(asked.stderr, /\(not a whole number\)/);
  const content = JSON.parse(asked.stdout.slice(asked.stdout.indexOf('{'))).content;
  assert.equal(content.name, 'Ada');
  assert.equal(content.check, true);
  assert.equal(content.firstLine, 'It was a dark and stormy night.', 'an empty answer keeps the default');
  assert.equal(content.integer, 7);
  assert.equal(content.untitledSingleSelectEnum, 'Joey');
  assert.deepEqual(content.untitledMultipleSelectEnum, ['Drums', 'Guitar']);
  assert.equal(content.titledSingleSelectEnum, 'hero-2');

  // End of input in the middle of the form: cancelled.
  const cut = await call(['--elicit', 'ask'], 'Ada\n');
  assert.match(cut.stdout, /"action": "cancel"|cancel/i);

  const bad = await call(['--elicit', 'maybe'], '');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--elicit needs ask, defaults or decline/);
});

test('resources and read: a server\'s resources listed, text printed, a blob saved, a missing URI named (exit 2)', opts, async () => {
  const listed = await cli(['resources', '--config', config, 'everything']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^SERVER\s+URI\s+NAME$/m);
  assert.match(listed.stdout, /^everything\s+demo:\/\/resource\/static\/document\/architecture\.md\s+architecture\.md$/m);
  assert.match(listed.stdout, /^everything\s+demo:\/\/resource\/dynamic\/text\/\{resourceId\}\s+.* \(template\)$/m);
  const json = JSON.parse((await cli(['resources', '--config', config, '--json', 'everything'])).stdout);
  assert.ok(json.some((r) => r.uri === 'demo://resource/static/document/architecture.md' && r.server === 'everything'));

  const doc = await cli(['read', '--config', config, 'everything', 'demo://resource/static/document/architecture.md']);
  assert.equal(doc.code, 0, doc.stderr);
  assert.match(doc.stdout, /# Everything Server – Architecture/);

  // A template's URI; the whole result with --json.
  const viaTemplate = await cli(['read', '--config', config, '--json', 'everything', 'demo://resource/dynamic/text/7']);
  assert.equal(viaTemplate.code, 0, viaTemplate.stderr);
  const result = JSON.parse(viaTemplate.stdout);
  assert.equal(result.contents[0].uri, 'demo://resource/dynamic/text/7');
  assert.match(result.contents[0].text, /Resource 7/);

  const dir = path.join(tmp, 'blobs');
  mkdirSync(dir);
  const blob = await cli(['read', '--config', config, '--save-dir', dir, 'everything', 'demo://resource/dynamic/blob/1']);
  assert.equal(blob.code, 0, blob.stderr);
  const [saved] = readdirSync(dir);
  assert.ok(saved, `nothing saved: ${blob.stdout}`);
  assert.ok(blob.stdout.includes(path.join(dir, saved)), blob.stdout);
  assert.match(readFileSync(path.join(dir, saved), 'utf8'), /Resource 1/);

  const missing = await cli(['read', '--config', config, 'everything', 'demo://nowhere/1']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /reading demo:\/\/nowhere\/1 from everything failed: Resource not found/);
  assert.match(missing.stderr, /mcpgate resources everything/);
  const usage = await cli(['read', '--config', config, 'everything']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /read needs a SERVER and a URI/);
});

test('prompts and prompt: arguments listed, flags checked before sending, messages printed', opts, async () => {
  const listed = await cli(['prompts', '--config', config, 'everything']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^SERVER\s+PROMPT\s+ARGUMENTS\s+DESCRIPTION$/m);
  assert.match(listed.stdout, /^everything\s+args-prompt\s+city\*, state\s+A prompt with two arguments/m);

  const got = await cli(['prompt', '--config', config, 'everything', 'args-prompt', '--city', 'Oslo']);
  assert.equal(got.code, 0, got.stderr);
  assert.equal(got.stdout, "[user]\nWhat's weather in Oslo?\n");
  const json = JSON.parse((await cli(['prompt', '--json', '--config', config, 'everything', 'args-prompt',
    '--city', 'Oslo', '--state', 'Norway'])).stdout);
  assert.match(json.messages[0].content.text, /Oslo, Norway/);
  const embedded = await cli(['prompt', '--config', config, 'everything', 'resource-prompt', '--resource-type', 'Text',
    '--resource-id', '1']);
  assert.equal(embedded.code, 0, embedded.stderr);
  assert.match(embedded.stdout, /resource demo:\/\/resource\/dynamic\/text\/1 \(text\/plain\):\nResource 1:/);

  const missing = await cli(['prompt', '--config', config, 'everything', 'args-prompt']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /prompt args-prompt of everything was not asked for:\n {2}--city: required, and missing/);
  assert.match(missing.stderr, /--state\s+string\s+no/);
  const unknown = await cli(['prompt', '--config', config, 'everything', 'args-promt']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /server everything has no prompt 'args-promt'; did you mean 'args-prompt'\?/);
});
