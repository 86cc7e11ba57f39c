/*
 * cloexec.h - keep the process's descriptors out of the programs it runs.
 */
#ifndef MG_UTIL_CLOEXEC_H
#define MG_UTIL_CLOEXEC_H

/* Mark every descriptor from FIRST up close-on-exec.  Libraries open some
 * without the flag (libcurl's multi wake-up socket pair), and a program
 * the gateway starts must not hold another upstream's connection, the
 * call record, or a client's socket. */
void mg_cloexec_from(int first);

#endif
