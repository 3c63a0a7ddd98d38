/*
 * The module's commands take their keys as EVAL does: `numkeys key... arg...`. One reading of
 * that for every command, and the answer to Redis's question where the keys are (getkeys-api:
 * ACLs and a Cluster's slot check ask it).
 */
#ifndef ONECARD_KEYS_H
#define ONECARD_KEYS_H

#include <stdlib.h>
#include <string.h>

#include "redismodule-api.h"

/* The key count of argv, or -1 when argv[1] is not one (a count past the arguments included). */
static inline long long numkeys_of(RedisModuleString **argv, int argc) {
  if (argc < 2) return -1;
  size_t len;
  const char *p = RedisModule_StringPtrLen(argv[1], &len);
  char buf[24];
  if (len == 0 || len >= sizeof buf) return -1;
  memcpy(buf, p, len);
  buf[len] = 0;
  char *end;
  long long n = strtoll(buf, &end, 10);
  if (*end || n < 0 || n > argc - 2) return -1;
  return n;
}

/* 1 when this call only asked where the keys are (answered); the command returns then. */
static inline int keys_request(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
  if (!RedisModule_IsKeysPositionRequest(ctx)) return 0;
  long long n = numkeys_of(argv, argc);
  for (long long k = 0; k < n; k++) RedisModule_KeyAtPos(ctx, (int)(2 + k));
  return 1;
}

#endif
