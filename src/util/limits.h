/*
 * limits.h - every limit applied to input from peers, in one place.
 *
 * Client bytes, upstream responses and child output are all untrusted
 * (docs/threat-model.md); each growable buffer is capped by one of these.
 */
#ifndef MG_UTIL_LIMITS_H
#define MG_UTIL_LIMITS_H

/* Largest JSON-RPC message (one stdio line, one HTTP body) accepted by
 * default.  Overridable with --max-message. */
#define MG_MAX_MESSAGE_DEFAULT (4u * 1024 * 1024)

/* Deepest JSON nesting accepted in a message.  jansson's own parser limit
 * (2048) is far above what any MCP message needs; a lower bound keeps
 * recursive walkers (schema validation, rewriting) cheap. */
#define MG_MAX_JSON_DEPTH 128

/* Most messages in one JSON-RPC batch (2025-03-26 only). */
#define MG_MAX_BATCH 256

/* Outgoing bytes queued to a slow reader before we stop reading its input. */
#define MG_MAX_WRITE_QUEUE (64u * 1024 * 1024)

/* Longest stderr line of an upstream child that is logged whole; the rest
 * of a longer line is cut.  Logs are for people, not a data channel. */
#define MG_MAX_CHILD_STDERR_LINE 1024

/* Requests one peer may have in flight at once. */
#define MG_MAX_INFLIGHT 1024

/* Items on one page of a list (tools, prompts, resources, templates) by
 * default; list_page_size sets it.  It bounds the work and the size of
 * one list reply. */
#define MG_LIST_PAGE_SIZE_DEFAULT 500

/* Longest tool name exposed to clients (MCP 2025-11-25, SEP-986). */
#define MG_MAX_TOOL_NAME 128

/* Tool search (search_tools, `mcpgate search`): the longest search text
 * and the most words in it, so a query stays cheap; the most results one
 * search returns; and how much of each field of a tool (its description,
 * say) is indexed, so a server's huge description costs little. */
#define MG_MAX_SEARCH_QUERY 1024
#define MG_MAX_SEARCH_WORDS 32
#define MG_MAX_SEARCH_RESULTS 1000
#define MG_MAX_SEARCH_FIELD (16 * 1024)

#endif
