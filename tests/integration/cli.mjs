// cli.mjs - what the tests of one-shot commands (`servers`, `tools`,
// `search`, ...) share: running the binary to the end, and a config file
// that lives as long as one test.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MCPGATE_BIN, childEnv, waitForBinary } from './lib.mjs';
import { NODE, EVERYTHING, FIXTURES } from './upstreams.mjs';

/**
 * The servers of a config that has one of each: server-everything over
 * stdio, a 2026-07-28 server on the SDK v2, a command that does not exist.
 */
export const THREE_SERVERS = `
servers:
  - name: everything
    command: ${NODE}
    args: [${EVERYTHING}, stdio]
  - name: modern
    command: ${NODE}
    args: [${path.join(FIXTURES, 'modern_server.mjs')}]
  - name: broken
    command: /nonexistent/mcp-server
`;

/**
 * Run `mcpgate ARGS` to its end: { code, stdout, stderr }.  INPUT, when
 * given, is written to its stdin; ENV is added to its environment.
 */
export function runCli(args, { timeout = 25_000, input, env = {} } = {}) {
  return new Promise((resolve) => {
    const child = execFile(MCPGATE_BIN, args, { env: childEnv(env), timeout }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
    if (input !== undefined) {
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    }
  });
}

/**
 * FN(file, dir) with YAML written to a config file in a fresh directory,
 * removed after.  YAML may be a function of the directory.
 */
export async function withConfigFile(yaml, fn) {
  await waitForBinary();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-cli-'));
  const file = path.join(dir, 'mcpgate.yaml');
  writeFileSync(file, typeof yaml === 'function' ? yaml(dir) : yaml);
  try {
    await fn(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
