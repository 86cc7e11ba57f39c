/*
 * catalog.h - the merged tool catalog.
 *
 * Tools are found by their exposed name through a lookup table; names are
 * never split on the "__" separator, because a tool named "a__b" in
 * namespace "x" and "b" in namespace "x__a" would be indistinguishable.
 */
#ifndef MG_GATEWAY_CATALOG_H
#define MG_GATEWAY_CATALOG_H

#include <jansson.h>

#include "mcpgate.h"
#include "util/strmap.h"

struct mg_schema;

/*
 * A source of tools: an inline bundle or an upstream server.  An inline
 * bundle's items never change; an upstream's are withdrawn and replaced
 * when its lists change, while the bundle itself stays registered.
 */
struct mg_bundle {
    char *ns;
    void *owner;              /* the upstream, or NULL for an inline bundle */
    /* A client subscribed to URI, one of this bundle's resources: an
     * upstream asks its server for resources/updated (NULL: nothing to do). */
    void (*on_subscribe)(struct mg_bundle *b, const char *uri);
    /* completion/complete for one of its prompts or resources; PARAMS name
     * them as the bundle does (NULL: no suggestions). */
    void (*complete)(struct mg_call *call, json_t *params, void *owner);
    struct mg_tool **tools;
    size_t tool_count;
    struct mg_resource **resources;
    size_t resource_count;
    struct mg_prompt **prompts;
    size_t prompt_count;
};

/* A resource or a resource template. */
struct mg_resource {
    char *uri;                /* fixed URI, or NULL for a template */
    char *uri_template;       /* or the template */
    struct mg_bundle *bundle;
    json_t *def;              /* the Resource or ResourceTemplate clients see */
    char *local_key;          /* under resource_uri_prefix, the server's own URI or template, shown at
                               * /servers/<name>/mcp; else NULL */
    mg_resource_fn read;
    void *udata;
    unsigned holds;           /* calls running on it (the catalog's own hold not counted) */
};

/* A prompt as the catalog exposes it. */
struct mg_prompt {
    char *name;               /* exposed, like tools */
    char *local_name;
    struct mg_bundle *bundle;
    json_t *def;              /* the Prompt object clients see */
    mg_prompt_fn get;
    void *udata;
    unsigned holds;           /* calls running on it (the catalog's own hold not counted) */
};

/* One tool as the catalog exposes it. */
struct mg_tool {
    char *name;                /* exposed: "<ns>__<tool>" */
    char *local_name;          /* the bundle's own name for it */
    struct mg_bundle *bundle;  /* owner */
    json_t *def;               /* the Tool object clients see (name = exposed) */
    struct mg_schema *input;   /* compiled inputSchema */
    struct mg_schema *output;  /* compiled outputSchema, or NULL */
    json_t *param_headers;     /* x-mcp-header declarations (param_headers.h), or NULL */
    int read_only;             /* a read API key may call it (mg_tool_reads_only) */
    mg_tool_fn handler;
    void *udata;
    unsigned holds;           /* calls running on it (the catalog's own hold not counted) */
};

/* 1 when the Tool definition DEF declares annotations.readOnlyHint: true.
 * A tool without annotations counts as one that writes. */
int mg_tool_def_reads_only(const json_t *def);

struct mg_catalog {
    struct mg_bundle **bundles;
    size_t bundle_count;
    struct mg_strmap by_ns;   /* ns -> struct mg_bundle * */
    struct mg_strmap by_name; /* exposed name -> struct mg_tool * */
    struct mg_tool **order;   /* every tool, sorted by exposed name (deterministic lists) */
    size_t tool_count;
    unsigned long tools_version; /* counts changes to the tools; the search index (search.c) follows it */
    struct mg_strmap by_uri;     /* fixed URI, or template text -> struct mg_resource * */
    struct mg_resource **resources; /* fixed URIs, sorted */
    size_t resource_count;
    struct mg_resource **templates; /* templates, sorted */
    size_t template_count;
    struct mg_strmap by_prompt;  /* exposed name -> struct mg_prompt * */
    struct mg_prompt **prompts;  /* sorted by exposed name */
    size_t prompt_count;
    /* Bundles of servers a config reload removed: empty, out of every
     * map, and freed with the catalog, as running calls may hold them. */
    struct mg_bundle **retired;
    size_t retired_count;
};

void mg_catalog_init(struct mg_catalog *c);
void mg_catalog_free(struct mg_catalog *c);
/* The tool with exposed name `name`, or NULL. */
struct mg_tool *mg_catalog_find(const struct mg_catalog *c, const char *name);
/* Register a bundle (see mg_bundle_register). */
int mg_catalog_add_bundle(struct mg_catalog *c, const struct mg_bundle_def *def, char *err, size_t errlen);

/*
 * A running call holds the item it runs on, so a list that changes
 * mid-call (the item withdrawn from the catalog) leaves the call its
 * tool, prompt or resource.  Release frees an item no longer held by
 * anyone; the catalog's own hold is dropped by withdrawing the item.
 */
void mg_tool_hold(struct mg_tool *t);
void mg_tool_release(struct mg_tool *t);
void mg_prompt_hold(struct mg_prompt *p);
void mg_prompt_release(struct mg_prompt *p);
void mg_resource_hold(struct mg_resource *r);
void mg_resource_release(struct mg_resource *r);

/* For sources other than inline bundles (catalog_upstream.c): free one
 * tool (not yet published) or a whole bundle; publish a bundle whose
 * items are all checked (names unique in the catalog); publish the items
 * of a bundle already registered; withdraw every item of a bundle from
 * the catalog (the bundle stays registered, its arrays empty). */
void mg_catalog_tool_free(struct mg_tool *t);
void mg_catalog_bundle_free(struct mg_bundle *b);
void mg_catalog_publish(struct mg_catalog *c, struct mg_bundle *b);
void mg_catalog_publish_tools(struct mg_catalog *c, struct mg_bundle *b);
void mg_catalog_withdraw(struct mg_catalog *c, struct mg_bundle *b);
/* Take the bundle named NS out of the catalog, if OWNER's (its udata);
 * 1 if there was one. */
int mg_catalog_retire_bundle(struct mg_catalog *c, const char *ns, const void *owner);

/* catalog_items.c: resources and prompts of a bundle being registered.
 * build: everything checked, nothing published (-1 with a message);
 * publish: make them visible; free: a bundle's items. */
int mg_catalog_build_items(struct mg_catalog *c, struct mg_bundle *b, const struct mg_bundle_def *def, char *err,
                           size_t errlen);
void mg_catalog_publish_items(struct mg_catalog *c, struct mg_bundle *b);
void mg_catalog_withdraw_items(struct mg_catalog *c, struct mg_bundle *b);
void mg_bundle_free_items(struct mg_bundle *b);
void mg_catalog_free_items(struct mg_catalog *c);
/* The resource for URI (fixed first, then templates, in order), or NULL;
 * *vars gets a new object with the template's variables. */
struct mg_resource *mg_catalog_find_resource(const struct mg_catalog *c, const char *uri, json_t **vars);
struct mg_prompt *mg_catalog_find_prompt(const struct mg_catalog *c, const char *name);

/* 1 if `s` matches ^[a-z][a-z0-9-]*$ (namespaces). */
int mg_name_valid_ns(const char *s);
/* 1 if `s` matches ^[a-z][a-z0-9_-]*$ (bundle tool names). */
int mg_name_valid_tool(const char *s);

#endif
