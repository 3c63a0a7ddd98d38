/*
 * onecard's Redis module (docs/decisions/0232): the store's two scripts on the tap path as native
 * commands, commitEffects (commit.c) and claimTaps (claim.c). Loaded with `loadmodule` (deploy/redis/redis.conf); built by
 * scripts/redis-module.sh. The gateway uses it where Redis has it and runs the Lua script
 * otherwise (gateway/src/store/redis-scripts.ts): the two are held to one contract by the same
 * tests.
 */
#define ONECARD_API_DEFINE
#include "redismodule-api.h"

int OnecardCommit_Command(RedisModuleCtx *ctx, RedisModuleString **argv, int argc);
int OnecardClaim_Command(RedisModuleCtx *ctx, RedisModuleString **argv, int argc);

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
  (void)argv;
  (void)argc;
  if (RedisModule_Init(ctx, "onecard", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
  /* Its keys are named by numkeys, as EVAL's are: getkeys-api lets Redis (ACLs, a Cluster's
   * slot check) find them. */
  if (RedisModule_CreateCommand(ctx, "onecard.commit", OnecardCommit_Command, "write deny-oom getkeys-api", 0, 0,
                                0) == REDISMODULE_ERR)
    return REDISMODULE_ERR;
  if (RedisModule_CreateCommand(ctx, "onecard.claim", OnecardClaim_Command, "write deny-oom getkeys-api", 0, 0,
                                0) == REDISMODULE_ERR)
    return REDISMODULE_ERR;
  return REDISMODULE_OK;
}
