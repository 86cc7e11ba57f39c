-- call.lua - wrk script: POST tools/call of an echo tool, check every reply.
--
-- Environment: TOOL (tool name), SID (Mcp-Session-Id, legacy) or MODERN=1
-- (stateless 2026-07-28 requests with the routing headers), ARGS (the
-- arguments as JSON; {"text":"hello"} when unset) and EXPECT (what a good
-- reply holds; "text":"hello" when unset).  Every request
-- has its own id: requests in flight in one session must not share one, and
-- a gateway maps each id to its upstream request.
local tool = os.getenv("TOOL") or "demo__echo"
local sid = os.getenv("SID")
local modern = os.getenv("MODERN") == "1"
local args = os.getenv("ARGS") or '{"text":"hello"}'
local expect = os.getenv("EXPECT") or '"text":"hello"'
local threads = {}

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
if modern then
  wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
  wrk.headers["Mcp-Method"] = "tools/call"
  wrk.headers["Mcp-Name"] = tool
  rest = '"method":"tools/call","params":{"name":"' .. tool ..
    '","arguments":' .. args .. ',"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",' ..
    '"io.modelcontextprotocol/clientCapabilities":{}}}}'
else
  wrk.headers["Mcp-Session-Id"] = sid
  wrk.headers["MCP-Protocol-Version"] = os.getenv("VERSION") or "2025-11-25"
  rest = '"method":"tools/call","params":{"name":"' .. tool .. '","arguments":' .. args .. '}}'
end

function setup(thread)
  table.insert(threads, thread)
  thread:set("next_id", #threads * 1000000000)
end

function init(args)
  bad = 0
end

function request()
  next_id = next_id + 1
  return wrk.format(nil, nil, nil, '{"jsonrpc":"2.0","id":' .. next_id .. "," .. rest)
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, expect, 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local errors = 0
  for _, t in ipairs(threads) do
    errors = errors + t:get("bad")
  end
  local e = summary.errors
  io.write(string.format("RESULT requests=%d bad_replies=%d socket_errors=%d calls_per_s=%.0f p50_us=%d p99_us=%d\n",
    summary.requests, errors, e.connect + e.read + e.write + e.timeout, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99)))
end
