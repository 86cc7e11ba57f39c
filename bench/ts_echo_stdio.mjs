// ts_echo_stdio.mjs - the upstream of bench/upstream.sh: the official
// TypeScript SDK server (v1, @modelcontextprotocol/sdk McpServer) serving
// one "echo" tool over stdio, as its documentation shows.
//
//   node ts_echo_stdio.mjs
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const { McpServer } = await import(require.resolve('@modelcontextprotocol/sdk/server/mcp.js'));
const { StdioServerTransport } = await import(require.resolve('@modelcontextprotocol/sdk/server/stdio.js'));
const { z } = await import(require.resolve('zod'));

const server = new McpServer({ name: 'ts-echo', version: '1.0.0' });
server.registerTool('echo', { description: 'Echo text', inputSchema: { text: z.string() } },
  async ({ text }) => ({ content: [{ type: 'text', text }] }));
await server.connect(new StdioServerTransport());
