/*
 * ONECARD.CLAIM: lua/claimTaps-0.lua in C (docs/decisions/0232): the same keys, arguments,
 * checks, writes and reply; read that script's header for what a claim, a section, the marks and
 * the floor are.
 *
 *   ONECARD.CLAIM numkeys key... bucketTtl sections
 *
 * Every section is checked whole before the first read or write; each section's buckets are all
 * read before any is written, and the sections run one after another. Writes go through
 * RedisModule_Call with "!" (replicas and the AOF get the plain HSET and EXPIRE). A seq is a
 * decimal string of at most 18 digits here (the gateway's are below 2^53); the script would also
 * take what Lua's tonumber reads ("1e3", " 7"), which no gateway sends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "msgpack.h"
#include "replies.h"
#include "redismodule-api.h"

typedef struct {
  long long marks; /* key# */
  const char *field;
  size_t fieldLen;
  long long day;
  MpVal *runKey, *runCount, *seq, *digest;
  size_t nruns, nclaims;
  long long *seqNo; /* each seq as a number */
} Section;

/* A decimal seq (digits only, at most 18) as a number; 0 when it is not one. */
static int seq_number(const MpVal *v, long long *out) {
  if (v->type != V_STR || v->len == 0 || v->len > 18) return 0;
  long long n = 0;
  for (size_t k = 0; k < v->len; k++) {
    char ch = v->s[k];
    if (ch < '0' || ch > '9') return 0;
    n = n * 10 + (ch - '0');
  }
  *out = n;
  return 1;
}

/* A column of a section: an array whose values are read into a fresh list (NULL: not an array). */
static MpVal *read_list(MpReader *r, size_t *n, int *bad) {
  MpVal head;
  mp_next(r, &head);
  if (head.type != V_ARR) {
    *bad = !mp_skip(r, &head);
    return NULL;
  }
  MpVal *list = RedisModule_Alloc(sizeof(MpVal) * (head.len ? head.len : 1));
  for (size_t k = 0; k < head.len; k++)
    if (!mp_value(r, &list[k])) {
      *bad = 1;
      RedisModule_Free(list);
      return NULL;
    }
  *n = head.len;
  return list;
}

static long long parse_ll(const char *s, size_t len) {
  long long n = 0;
  size_t k = 0;
  int neg = len > 0 && s[0] == '-';
  for (k = neg ? 1 : 0; k < len && s[k] >= '0' && s[k] <= '9'; k++) n = n * 10 + (s[k] - '0');
  return neg ? -n : n;
}

/* Checks every section; 1 and `secs` filled, or 0 with the error replied. */
static int read_sections(RedisModuleCtx *ctx, const char *packed, size_t packedLen, long long numkeys, Section **out,
                         size_t *count) {
  MpReader r = {(const unsigned char *)packed, (const unsigned char *)packed + packedLen};
  MpVal top;
  mp_next(&r, &top);
  if (top.type != V_ARR) {
    reply_errorf(ctx, "claimTaps: malformed sections: not one array");
    return 0;
  }
  Section *secs = RedisModule_Calloc(top.len ? top.len : 1, sizeof(Section));
  *out = secs;
  *count = 0;
  for (size_t x = 0; x < top.len; x++) {
    Section *sec = &secs[x];
    *count = x + 1;
    MpVal head;
    mp_next(&r, &head);
    if (head.type != V_ARR || head.len != 7) {
      /* Lua reads every section before it checks one; a malformed later one is named first only
       * if the bytes are bad. Here the first bad section is named: the same one, for a call of
       * well-formed MessagePack. */
      reply_errorf(ctx, "claimTaps: malformed section %zu: not an array of 7", x + 1);
      return 0;
    }
    MpVal marks, field, day;
    int bad = !mp_value(&r, &marks) || !mp_value(&r, &field) || !mp_value(&r, &day);
    if (bad) {
      reply_errorf(ctx, "claimTaps: malformed sections: not one array");
      return 0;
    }
    if (marks.type != V_INT || marks.i < 1 || marks.i > numkeys || field.type != V_STR) {
      reply_errorf(ctx, "claimTaps: malformed section %zu: marks key# or field", x + 1);
      return 0;
    }
    if (day.type == V_FLOAT && day.d == (double)(long long)day.d) {
      day.type = V_INT;
      day.i = (long long)day.d;
    }
    if (day.type != V_INT) {
      reply_errorf(ctx, "claimTaps: malformed section %zu: day", x + 1);
      return 0;
    }
    sec->marks = marks.i;
    sec->field = field.s;
    sec->fieldLen = field.len;
    sec->day = day.i;
    size_t nRunKeys = 0, nRunCounts = 0, nSeqs = 0, nDigests = 0;
    MpVal **cols[4] = {&sec->runKey, &sec->runCount, &sec->seq, &sec->digest};
    size_t *lens[4] = {&nRunKeys, &nRunCounts, &nSeqs, &nDigests};
    for (int c = 0; c < 4; c++) {
      *cols[c] = read_list(&r, lens[c], &bad);
      if (bad) {
        reply_errorf(ctx, "claimTaps: malformed sections: not one array");
        return 0;
      }
      if (*cols[c] == NULL) {
        reply_errorf(ctx, "claimTaps: malformed section %zu: column %d is not an array", x + 1, c + 1);
        return 0;
      }
    }
    if (nRunCounts != nRunKeys || nDigests != nSeqs) {
      reply_errorf(ctx, "claimTaps: malformed section %zu: columns of different lengths", x + 1);
      return 0;
    }
    sec->nruns = nRunKeys;
    sec->nclaims = nSeqs;
    long long total = 0;
    for (size_t k = 0; k < sec->nruns; k++) {
      const MpVal *key = &sec->runKey[k], *n = &sec->runCount[k];
      if (key->type != V_INT || key->i == marks.i || key->i < 1 || key->i > numkeys || n->type != V_INT || n->i < 1) {
        reply_errorf(ctx, "claimTaps: malformed section %zu: run %zu", x + 1, k + 1);
        return 0;
      }
      total += n->i;
    }
    if (total != (long long)sec->nclaims) {
      reply_errorf(ctx, "claimTaps: malformed section %zu: %lld claims in runs, %zu sent", x + 1, total, sec->nclaims);
      return 0;
    }
    sec->seqNo = RedisModule_Alloc(sizeof(long long) * (sec->nclaims ? sec->nclaims : 1));
    for (size_t j = 0; j < sec->nclaims; j++)
      if (!seq_number(&sec->seq[j], &sec->seqNo[j]) || sec->digest[j].type != V_STR) {
        reply_errorf(ctx, "claimTaps: malformed section %zu: claim %zu", x + 1, j + 1);
        return 0;
      }
  }
  if (r.p != r.end) {
    reply_errorf(ctx, "claimTaps: malformed sections: not one array");
    return 0;
  }
  return 1;
}

/* One section: reads, then writes; refused claim numbers (counted from `n0` + 1) appended. */
static int run_section(RedisModuleCtx *ctx, RedisModuleString **keys, const Section *sec, long long lifetime,
                       RedisModuleString *ttl, long long n0, long long **refused, size_t *nrefused, size_t *caprefused) {
#define REFUSE(num)                                                           \
  do {                                                                        \
    if (*nrefused == *caprefused) {                                           \
      *caprefused = *caprefused ? *caprefused * 2 : 16;                       \
      *refused = RedisModule_Realloc(*refused, *caprefused * sizeof **refused); \
    }                                                                         \
    (*refused)[(*nrefused)++] = (num);                                        \
  } while (0)
  RedisModuleString *marksKey = keys[sec->marks];
  /* The epoch's fields: field, field|d (the days' marks), field|f (the floor). */
  char *fd = RedisModule_Alloc(sec->fieldLen + 2), *ff = RedisModule_Alloc(sec->fieldLen + 2);
  memcpy(fd, sec->field, sec->fieldLen);
  memcpy(fd + sec->fieldLen, "|d", 2);
  memcpy(ff, sec->field, sec->fieldLen);
  memcpy(ff + sec->fieldLen, "|f", 2);
  RedisModuleCallReply *m = RedisModule_Call(ctx, "HMGET", "sbbb", marksKey, sec->field, sec->fieldLen, fd,
                                             sec->fieldLen + 2, ff, sec->fieldLen + 2);
  if (call_failed(ctx, m, "claimTaps", "HMGET")) {
    RedisModule_Free(fd);
    RedisModule_Free(ff);
    return 0;
  }
  size_t len;
  const char *p;
  long long top = 0, floor = 0;
  p = RedisModule_CallReplyStringPtr(RedisModule_CallReplyArrayElement(m, 0), &len);
  if (p) top = parse_ll(p, len);
  p = RedisModule_CallReplyStringPtr(RedisModule_CallReplyArrayElement(m, 2), &len);
  if (p) floor = parse_ll(p, len);
  /* The days' marks still inside the lifetime (day, mark, ...); older ones raise the floor. */
  size_t ndays = 0, capdays = 16;
  long long *days = RedisModule_Alloc(sizeof(long long) * capdays);
  p = RedisModule_CallReplyStringPtr(RedisModule_CallReplyArrayElement(m, 1), &len);
  for (size_t k = 0; p && k < len;) {
    if (p[k] < '0' || p[k] > '9') {
      k++;
      continue;
    }
    size_t a = k;
    while (k < len && p[k] >= '0' && p[k] <= '9') k++;
    if (k + 1 < len && p[k] == ':' && p[k + 1] >= '0' && p[k + 1] <= '9') {
      long long d = parse_ll(p + a, k - a);
      size_t b = ++k;
      while (k < len && p[k] >= '0' && p[k] <= '9') k++;
      long long mk = parse_ll(p + b, k - b);
      if (d <= sec->day - lifetime) {
        if (mk > floor) floor = mk;
      } else {
        if (ndays + 2 > capdays) {
          capdays *= 2;
          days = RedisModule_Realloc(days, sizeof(long long) * capdays);
        }
        days[ndays++] = d;
        days[ndays++] = mk;
      }
    }
  }
  RedisModule_FreeCallReply(m);
  /* Per bucket key#, whether it was gone before this section: 0 not asked, 1 gone, 2 there. */
  int ok = 1;
  size_t at = 0;
  char *gone = NULL;
  size_t goneCap = 0;
  /* Per run, the claims it takes: claim indexes. */
  size_t *takes = RedisModule_Alloc(sizeof(size_t) * (sec->nclaims ? sec->nclaims : 1));
  char *take = RedisModule_Calloc(sec->nclaims ? sec->nclaims : 1, 1);
  for (size_t r = 0; r < sec->nruns && ok; r++) {
    long long keyNo = sec->runKey[r].i;
    size_t count = (size_t)sec->runCount[r].i;
    RedisModuleString **args = RedisModule_Alloc(sizeof(RedisModuleString *) * (count + 1));
    args[0] = keys[keyNo];
    for (size_t j = 0; j < count; j++) args[j + 1] = RedisModule_CreateString(NULL, sec->seq[at + j].s, sec->seq[at + j].len);
    RedisModuleCallReply *held = RedisModule_Call(ctx, "HMGET", "v", args, count + 1);
    for (size_t j = 0; j < count; j++) RedisModule_FreeString(NULL, args[j + 1]);
    RedisModule_Free(args);
    if (call_failed(ctx, held, "claimTaps", "HMGET")) {
      ok = 0;
      break;
    }
    for (size_t j = 0; j < count && ok; j++) {
      size_t i = at + j;
      size_t hl;
      const char *h = RedisModule_CallReplyStringPtr(RedisModule_CallReplyArrayElement(held, j), &hl);
      long long s = sec->seqNo[i];
      const MpVal *digest = &sec->digest[i];
      if (!h && s <= floor) {
        if ((size_t)keyNo >= goneCap) {
          size_t cap = (size_t)keyNo + 16;
          gone = RedisModule_Realloc(gone, cap);
          memset(gone + goneCap, 0, cap - goneCap);
          goneCap = cap;
        }
        if (gone[keyNo] == 0) {
          RedisModuleCallReply *e = RedisModule_Call(ctx, "EXISTS", "s", keys[keyNo]);
          if (call_failed(ctx, e, "claimTaps", "EXISTS")) {
            ok = 0;
            break;
          }
          gone[keyNo] = RedisModule_CallReplyInteger(e) == 0 ? 1 : 2;
          RedisModule_FreeCallReply(e);
        }
      }
      if (!h && s <= floor && gone[keyNo] == 1)
        REFUSE(n0 + (long long)i + 1);
      else if (!h)
        take[i] = 1;
      else if (hl != digest->len || memcmp(h, digest->s, hl) != 0)
        REFUSE(n0 + (long long)i + 1);
      if (s > top) top = s;
    }
    RedisModule_FreeCallReply(held);
    at += count;
  }
  /* The writes: each run's new claims in one HSET, then its EXPIRE. */
  at = 0;
  for (size_t r = 0; r < sec->nruns && ok; r++) {
    size_t count = (size_t)sec->runCount[r].i, nt = 0;
    for (size_t j = 0; j < count; j++)
      if (take[at + j]) takes[nt++] = at + j;
    if (nt > 0) {
      long long keyNo = sec->runKey[r].i;
      RedisModuleString **args = RedisModule_Alloc(sizeof(RedisModuleString *) * (2 * nt + 1));
      args[0] = keys[keyNo];
      for (size_t t = 0; t < nt; t++) {
        args[1 + 2 * t] = RedisModule_CreateString(NULL, sec->seq[takes[t]].s, sec->seq[takes[t]].len);
        args[2 + 2 * t] = RedisModule_CreateString(NULL, sec->digest[takes[t]].s, sec->digest[takes[t]].len);
      }
      RedisModuleCallReply *w = RedisModule_Call(ctx, "HSET", "!v", args, 2 * nt + 1);
      for (size_t t = 1; t <= 2 * nt; t++) RedisModule_FreeString(NULL, args[t]);
      RedisModule_Free(args);
      if (call_failed(ctx, w, "claimTaps", "HSET")) {
        ok = 0;
        break;
      }
      RedisModule_FreeCallReply(w);
      w = RedisModule_Call(ctx, "EXPIRE", "!ss", keys[keyNo], ttl);
      if (call_failed(ctx, w, "claimTaps", "EXPIRE")) {
        ok = 0;
        break;
      }
      RedisModule_FreeCallReply(w);
    }
    at += count;
  }
  if (ok && at > 0) {
    /* Today's mark is the mark after this section (marks only rise). */
    size_t cap = 64 + ndays * 24, used = 0;
    char *list = RedisModule_Alloc(cap);
    int found = 0;
    for (size_t k = 0; k < ndays; k += 2) {
      long long mk = days[k] == sec->day ? top : days[k + 1];
      if (days[k] == sec->day) found = 1;
      used += (size_t)snprintf(list + used, cap - used, "%s%lld:%lld", used ? "," : "", days[k], mk);
    }
    if (!found) used += (size_t)snprintf(list + used, cap - used, "%s%lld:%lld", used ? "," : "", sec->day, top);
    char topS[24], floorS[24];
    int tl = snprintf(topS, sizeof topS, "%lld", top), fl = snprintf(floorS, sizeof floorS, "%lld", floor);
    RedisModuleCallReply *w = RedisModule_Call(ctx, "HSET", "!sbbbbbb", marksKey, sec->field, sec->fieldLen, topS,
                                               (size_t)tl, fd, sec->fieldLen + 2, list, used, ff, sec->fieldLen + 2,
                                               floorS, (size_t)fl);
    RedisModule_Free(list);
    if (call_failed(ctx, w, "claimTaps", "HSET")) ok = 0;
    else RedisModule_FreeCallReply(w);
  }
  RedisModule_Free(fd);
  RedisModule_Free(ff);
  RedisModule_Free(days);
  RedisModule_Free(gone);
  RedisModule_Free(takes);
  RedisModule_Free(take);
  return ok;
#undef REFUSE
}

int OnecardClaim_Command(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
  if (keys_request(ctx, argv, argc)) return REDISMODULE_OK;
  long long numkeys = numkeys_of(argv, argc);
  if (numkeys < 0) return RedisModule_ReplyWithError(ctx, "ERR numkeys is not a key count");
  int nargs = argc - 2 - (int)numkeys;
  if (nargs != 2) {
    reply_errorf(ctx, "claimTaps: malformed call: %d arguments, not 2", nargs);
    return REDISMODULE_OK;
  }
  RedisModuleString **keys = argv + 1; /* keys[1] is argv[2] */
  RedisModuleString *ttl = argv[2 + numkeys];
  size_t ttlLen, packedLen;
  const char *ttlS = RedisModule_StringPtrLen(ttl, &ttlLen);
  const char *packed = RedisModule_StringPtrLen(argv[3 + numkeys], &packedLen);
  long long lifetime = parse_ll(ttlS, ttlLen) / 86400;
  Section *secs = NULL;
  size_t nsecs = 0;
  long long *refused = NULL;
  size_t nrefused = 0, caprefused = 0;
  int ok = read_sections(ctx, packed, packedLen, numkeys, &secs, &nsecs);
  long long n = 0;
  for (size_t x = 0; ok && x < nsecs; x++) {
    ok = run_section(ctx, keys, &secs[x], lifetime, ttl, n, &refused, &nrefused, &caprefused);
    n += (long long)secs[x].nclaims;
  }
  if (ok) {
    RedisModule_ReplyWithArray(ctx, (long)nrefused);
    for (size_t k = 0; k < nrefused; k++) RedisModule_ReplyWithLongLong(ctx, refused[k]);
  }
  for (size_t x = 0; x < nsecs; x++) {
    RedisModule_Free(secs[x].runKey);
    RedisModule_Free(secs[x].runCount);
    RedisModule_Free(secs[x].seq);
    RedisModule_Free(secs[x].digest);
    RedisModule_Free(secs[x].seqNo);
  }
  RedisModule_Free(secs);
  RedisModule_Free(refused);
  return REDISMODULE_OK;
}
