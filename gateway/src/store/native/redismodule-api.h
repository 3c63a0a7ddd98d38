/*
 * The part of the Redis modules API (Redis 7.0) that onecard's module uses, declared here rather
 * than vendored: a module gets every function as a pointer from Redis at load time, by name
 * (RedisModule_GetApi), so these declarations are the whole contract. Names and signatures are
 * Redis's (src/redismodule.h, the modules API reference).
 */
#ifndef ONECARD_REDISMODULE_API_H
#define ONECARD_REDISMODULE_API_H

#include <stddef.h>
#include <stdint.h>

#define REDISMODULE_OK 0
#define REDISMODULE_ERR 1
#define REDISMODULE_APIVER_1 1

#define REDISMODULE_READ (1 << 0)

#define REDISMODULE_KEYTYPE_EMPTY 0
#define REDISMODULE_KEYTYPE_STRING 1
#define REDISMODULE_KEYTYPE_HASH 3

#define REDISMODULE_REPLY_STRING 0
#define REDISMODULE_REPLY_ERROR 1
#define REDISMODULE_REPLY_INTEGER 2
#define REDISMODULE_REPLY_ARRAY 3
#define REDISMODULE_REPLY_NULL 4

typedef struct RedisModuleCtx RedisModuleCtx;
typedef struct RedisModuleKey RedisModuleKey;
typedef struct RedisModuleString RedisModuleString;
typedef struct RedisModuleCallReply RedisModuleCallReply;
typedef int (*RedisModuleCmdFunc)(RedisModuleCtx *ctx, RedisModuleString **argv, int argc);

/* Defined (as pointers Redis fills in) in the one file that defines ONECARD_API_DEFINE, the module's
 * entry point; declared everywhere else. */
#ifdef ONECARD_API_DEFINE
#define ONECARD_API(ret, name, args) ret(*RedisModule_##name) args
#else
#define ONECARD_API(ret, name, args) extern ret(*RedisModule_##name) args
#endif
ONECARD_API(int, GetApi, (const char *, void *));
ONECARD_API(int, CreateCommand, (RedisModuleCtx *, const char *, RedisModuleCmdFunc, const char *, int, int, int));
ONECARD_API(void, SetModuleAttribs, (RedisModuleCtx *, const char *, int, int));
ONECARD_API(int, IsModuleNameBusy, (const char *));
ONECARD_API(int, IsKeysPositionRequest, (RedisModuleCtx *));
ONECARD_API(void, KeyAtPos, (RedisModuleCtx *, int));
ONECARD_API(int, WrongArity, (RedisModuleCtx *));
ONECARD_API(RedisModuleCallReply *, Call, (RedisModuleCtx *, const char *, const char *, ...));
ONECARD_API(int, CallReplyType, (RedisModuleCallReply *));
ONECARD_API(size_t, CallReplyLength, (RedisModuleCallReply *));
ONECARD_API(RedisModuleCallReply *, CallReplyArrayElement, (RedisModuleCallReply *, size_t));
ONECARD_API(const char *, CallReplyStringPtr, (RedisModuleCallReply *, size_t *));
ONECARD_API(long long, CallReplyInteger, (RedisModuleCallReply *));
ONECARD_API(void, FreeCallReply, (RedisModuleCallReply *));
ONECARD_API(RedisModuleString *, CreateString, (RedisModuleCtx *, const char *, size_t));
ONECARD_API(void, FreeString, (RedisModuleCtx *, RedisModuleString *));
ONECARD_API(const char *, StringPtrLen, (const RedisModuleString *, size_t *));
ONECARD_API(RedisModuleKey *, OpenKey, (RedisModuleCtx *, RedisModuleString *, int));
ONECARD_API(void, CloseKey, (RedisModuleKey *));
ONECARD_API(int, KeyType, (RedisModuleKey *));
ONECARD_API(int, ReplyWithArray, (RedisModuleCtx *, long));
ONECARD_API(int, ReplyWithLongLong, (RedisModuleCtx *, long long));
ONECARD_API(int, ReplyWithStringBuffer, (RedisModuleCtx *, const char *, size_t));
ONECARD_API(int, ReplyWithError, (RedisModuleCtx *, const char *));
ONECARD_API(int, ReplyWithCallReply, (RedisModuleCtx *, RedisModuleCallReply *));
ONECARD_API(void *, Alloc, (size_t));
ONECARD_API(void *, Calloc, (size_t, size_t));
ONECARD_API(void *, Realloc, (void *, size_t));
ONECARD_API(void, Free, (void *));
#undef ONECARD_API

#ifdef ONECARD_API_DEFINE
#define ONECARD_GET_API(name) RedisModule_GetApi("RedisModule_" #name, (void **)&RedisModule_##name)

/* What redismodule.h's own RedisModule_Init does: the API lookup sits first in the context. */
static int RedisModule_Init(RedisModuleCtx *ctx, const char *name, int ver, int apiver) {
  void *getapi = ((void **)ctx)[0];
  RedisModule_GetApi = (int (*)(const char *, void *))(uintptr_t)getapi;
  if (ONECARD_GET_API(CreateCommand) || ONECARD_GET_API(SetModuleAttribs) || ONECARD_GET_API(IsModuleNameBusy) ||
      ONECARD_GET_API(IsKeysPositionRequest) || ONECARD_GET_API(KeyAtPos) || ONECARD_GET_API(WrongArity) ||
      ONECARD_GET_API(Call) || ONECARD_GET_API(CallReplyType) || ONECARD_GET_API(CallReplyLength) ||
      ONECARD_GET_API(CallReplyArrayElement) || ONECARD_GET_API(CallReplyStringPtr) ||
      ONECARD_GET_API(CallReplyInteger) || ONECARD_GET_API(FreeCallReply) || ONECARD_GET_API(CreateString) ||
      ONECARD_GET_API(FreeString) || ONECARD_GET_API(StringPtrLen) || ONECARD_GET_API(OpenKey) ||
      ONECARD_GET_API(CloseKey) || ONECARD_GET_API(KeyType) || ONECARD_GET_API(ReplyWithArray) ||
      ONECARD_GET_API(ReplyWithLongLong) || ONECARD_GET_API(ReplyWithStringBuffer) ||
      ONECARD_GET_API(ReplyWithError) || ONECARD_GET_API(ReplyWithCallReply) || ONECARD_GET_API(Alloc) ||
      ONECARD_GET_API(Calloc) || ONECARD_GET_API(Realloc) || ONECARD_GET_API(Free))
    return REDISMODULE_ERR;
  if (RedisModule_IsModuleNameBusy(name)) return REDISMODULE_ERR;
  RedisModule_SetModuleAttribs(ctx, name, ver, apiver);
  return REDISMODULE_OK;
}
#endif

#endif
