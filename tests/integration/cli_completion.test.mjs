// cli_completion.test.mjs - `mcpgate completion bash|zsh` and the hidden
// `mcpgate __complete servers|projects` the scripts run: the scripts
// parse, bash completes commands, options and the config's server names
// when its completion function is called as bash would call it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli as run, withConfigFile } from './cli.mjs';
import { MCPGATE_BIN, childEnv } from './lib.mjs';

const opts = { timeout: 20_000 };

const CONFIG = `
servers:
  - name: alpha
    url: http://127.0.0.1:1/mcp
  - name: beta
    command: /bin/true
projects:
  - name: web
    servers: [alpha]
`;

function have(shell) {
  try {
    execFileSync(shell, ['-c', 'exit 0'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// Run SCRIPT in SHELL; { code, stdout, stderr }.
function sh(shell, args, { cwd } = {}) {
  return new Promise((resolve) => {
    execFile(shell, args, { env: childEnv(), cwd, timeout: 15_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}

// What bash's completion function offers for the words WORDS (the last
// one being completed), the script sourced from the binary.
async function bashComplete(words, dir) {
  const script = `source <("$MG" completion bash) || exit 9
COMP_WORDS=("$MG" "$@"); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
_mcpgate
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = await sh('bash', ['-c', `MG=${JSON.stringify(MCPGATE_BIN)}; ${script}`, 'bash', ...words], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'completion writes nothing to the terminal');
  return r.stdout.split('\n').filter(Boolean);
}

test('the bash script parses, and completes commands, options, values and server names', opts, async () => {
  await withConfigFile(CONFIG, async (file, dir) => {
    writeFileSync(path.join(dir, 'mcpgate.bash'), (await run(['completion', 'bash'])).stdout);
    const parsed = await sh('bash', ['-n', path.join(dir, 'mcpgate.bash')]);
    assert.equal(parsed.code, 0, parsed.stderr);

    const commands = await bashComplete([''], dir);
    for (const c of ['call', 'serve', 'keys', 'client-config', 'completion', 'init', 'connect']) {
      assert.ok(commands.includes(c), `${c} in ${commands}`);
    }
    assert.deepEqual(await bashComplete(['ca'], dir), ['call', 'calls', 'catalog']);

    assert.deepEqual(await bashComplete(['call', '--config', file, ''], dir), ['alpha', 'beta']);
    assert.deepEqual(await bashComplete(['describe', '-c', file, 'b'], dir), ['beta']);
    assert.deepEqual(await bashComplete(['call', '--config', file, 'alpha', 'echo', '--'], dir), [],
      'after SERVER the options are the tool\'s');
    assert.deepEqual(await bashComplete(['keys', 'create', '--config', file, '--project', ''], dir), ['web']);
    assert.deepEqual(await bashComplete(['keys', ''], dir), ['create', 'list', 'revoke', '--help']);
    assert.deepEqual(await bashComplete(['keys', 'create', '--scope', ''], dir), ['read', 'write']);
    assert.deepEqual(await bashComplete(['completion', ''], dir), ['bash', 'zsh']);
    assert.ok((await bashComplete(['client-config', ''], dir)).includes('windsurf'));
    assert.ok((await bashComplete(['serve', '--l'], dir)).includes('--listen'));
    assert.deepEqual(await bashComplete(['serve', '--log-level', 'w'], dir), ['warn']);
    assert.deepEqual(await bashComplete(['serve', '--listen', ''], dir), [], 'a value, not a command');
  });
});

test('bash finds the config as the commands do: ./mcpgate.yaml when there is no --config', opts, async () => {
  await withConfigFile(CONFIG, async (file, dir) => {
    assert.deepEqual(await bashComplete(['tools', ''], dir), ['alpha', 'beta']);
  });
});

test('the zsh script parses', { ...opts, skip: have('zsh') ? false : 'zsh is not installed' }, async () => {
  await withConfigFile(CONFIG, async (file, dir) => {
    const script = path.join(dir, '_mcpgate');
    writeFileSync(script, (await run(['completion', 'zsh'])).stdout);
    const r = await sh('zsh', ['-n', script]);
    assert.equal(r.code, 0, r.stderr);
  });
});

test('__complete prints the names of the config, and nothing at all when it cannot be read', opts, async () => {
  await withConfigFile(CONFIG, async (file) => {
    const servers = await run(['__complete', 'servers', '--config', file]);
    assert.equal(servers.stdout, 'alpha\nbeta\n');
    assert.equal(servers.stderr, '');
    assert.equal((await run(['__complete', 'projects', '--config', file])).stdout, 'web\n');
  });
  await withConfigFile('servers: [\n', async (file) => {
    const r = await run(['__complete', 'servers', '--config', file]);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
  });
  await withConfigFile('servers:\n  - name: x\n    bogus: 1\n', async (file) => {
    const r = await run(['__complete', 'servers', '--config', file]);
    assert.equal(r.stdout + r.stderr, '', 'an invalid config gives no names');
  });
  const missing = await run(['__complete', 'servers', '--config', '/nonexistent/mcpgate.yaml']);
  assert.equal(missing.stdout + missing.stderr, '');
});

test('completion --help says how to install; a wrong shell is a usage error', opts, async () => {
  const help = await run(['completion', '--help']);
  assert.equal(help.code, 0);
  assert.ok(help.stdout.includes('source <(mcpgate completion bash)'), help.stdout);
  assert.ok(help.stdout.includes('~/.local/share/bash-completion/completions/mcpgate'));
  assert.match(help.stdout, /_mcpgate in a directory on \$fpath/);

  const wrong = await run(['completion', 'bsh']);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /did you mean 'bash'/);
  assert.equal((await run(['completion'])).code, 2);

  const usage = await run(['--help']);
  assert.match(usage.stdout, /^ {2}completion /m);
  assert.match(usage.stdout, /^ {2}client-config /m);
  assert.doesNotMatch(usage.stdout, /__complete/);
});
