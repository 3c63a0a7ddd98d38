/*
 * Errors as the module's commands reply them: a formatted message, as the scripts' error_reply
 * gives it, and a command the module called that failed, passed on as it is (a script's
 * redis.call raises it).
 */
#ifndef ONECARD_REPLIES_H
#define ONECARD_REPLIES_H

#include <stdarg.h>
#include <stdio.h>

#include "redismodule-api.h"

static void reply_errorf(RedisModuleCtx *ctx, const char *fmt, ...) {
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  RedisModule_ReplyWithError(ctx, msg);
}

/* 1 (and the error replied, the reply freed) when `r` is no reply or an error; 0 otherwise. */
static int call_failed(RedisModuleCtx *ctx, RedisModuleCallReply *r, const char *script, const char *command) {
  if (r == NULL) {
    reply_errorf(ctx, "%s: %s could not be called", script, command);
    return 1;
  }
  if (RedisModule_CallReplyType(r) == REDISMODULE_REPLY_ERROR) {
    RedisModule_ReplyWithCallReply(ctx, r);
    RedisModule_FreeCallReply(r);
    return 1;
  }
  return 0;
}

#endif
