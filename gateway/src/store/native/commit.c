/*
 * ONECARD.COMMIT: lua/commitEffects-0.lua in C, for a store whose history lives in PostgreSQL
 * (no records in Redis, docs/decisions/0204): the same keys, arguments, checks, writes and reply,
 * read that script's header for them. Why it exists (docs/decisions/0232): the script's Lua
 * itself, not the commands it issues, was ~6 µs of Redis CPU a tap (the effects loop, strings
 * interned and compared, cmsgpack's tables); here a tap's fields are read in place from the
 * argument and compared as bytes.
 *
 *   ONECARD.COMMIT numkeys key... bucketTtl keepRecords frames effects [oldFields]
 *
 * keepRecords must be '0': with records kept the store runs the script (records, indexes and
 * ride counters are not written here). Writes go through RedisModule_Call with "!", so replicas
 * and the AOF receive the same plain commands the script's effects replication sends them
 * (wrapped in MULTI/EXEC), and need no module to replay them.
 *
 * Everything the call names is checked before the first write, as in the script; the errors
 * have the script's words, so a caller sees one contract whichever ran.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "msgpack.h"
#include "replies.h"
#include "redismodule-api.h"

enum { DUPLICATE = 2, CONFLICT = 3 }; /* gateway/src/store/redis-codes.ts */
enum { DEDUPE, CARD, EXPECT, HEAD, USES, OPEN, OPENAT, TOKEN, SEEN, RESULT, OUTBOX, LEN, WIDTH };

typedef struct {
  const char *s;
  size_t len;
} Str;

/* Growable arrays of RedisModuleString* (one command's arguments). */
typedef struct {
  RedisModuleString **v;
  size_t n, cap;
} Args;

static void args_push(Args *a, RedisModuleString *s) {
  if (a->n == a->cap) {
    a->cap = a->cap ? a->cap * 2 : 16;
    a->v = RedisModule_Realloc(a->v, a->cap * sizeof *a->v);
  }
  a->v[a->n++] = s;
}

static void args_free(Args *a, int owned_from) {
  for (size_t k = (size_t)owned_from; k < a->n; k++) RedisModule_FreeString(NULL, a->v[k]);
  RedisModule_Free(a->v);
  a->v = NULL;
  a->n = a->cap = 0;
}

/* Dedupe keys decided in this call: open addressing over (bytes) -> result. */
typedef struct {
  Str key, result;
  int used;
} Slot;

static size_t hash_bytes(const char *s, size_t n) {
  size_t h = 1469598103934665603ULL;
  for (size_t k = 0; k < n; k++) h = (h ^ (unsigned char)s[k]) * 1099511628211ULL;
  return h;
}

static Slot *decided_find(Slot *t, size_t mask, Str key) {
  size_t at = hash_bytes(key.s, key.len) & mask;
  while (t[at].used && !(t[at].key.len == key.len && memcmp(t[at].key.s, key.s, key.len) == 0))
    at = (at + 1) & mask;
  return &t[at];
}

static const char *find_nl(const char *s, size_t len, size_t from) {
  if (from >= len) return NULL;
  return memchr(s + from, '\n', len - from);
}

static RedisModuleString *str_of(Str s) {
  return RedisModule_CreateString(NULL, s.s, s.len);
}

/* Per key number (KEYS position), what the call keeps about the card, bucket or stream there. */
typedef struct {
  /* a card */
  Str raw;            /* as read; raw.s NULL: no card */
  char *converted;    /* a hash card rewritten as a string (ours to free) */
  Str head, uses;     /* head.s NULL: not written; uses.s NULL: the stored uses stay */
  size_t cut3, cut4;  /* offsets of its third and fourth separators */
  int last;           /* the last applied effect (1-based) */
  char broken, hadOpen, cardListed;
  /* a dedupe hash: the applied effects' (field, result) pairs, in order */
  Args seenArgs;
  char seenListed;
  /* an outbox */
  size_t segAt, segLen;
  long long applied;
  char missed, segListed;
  /* an open-entry index */
  Args opens, closes;
  char openListed;
} KeyState;

typedef struct {
  RedisModuleCtx *ctx;
  RedisModuleString **keys; /* keys[1..numkeys] */
  int numkeys;
  KeyState *ks;             /* ks[1..numkeys] */
  MpVal *col[WIDTH];        /* col[c][0..n-1] */
  long n;
  Str *originals;           /* per effect, .s NULL: none */
  RedisModuleCallReply **held; /* replies whose strings `originals` and cards point into */
  size_t nheld, capHeld;
} Commit;

static void hold(Commit *c, RedisModuleCallReply *r) {
  if (c->nheld == c->capHeld) {
    c->capHeld = c->capHeld ? c->capHeld * 2 : 8;
    c->held = RedisModule_Realloc(c->held, c->capHeld * sizeof *c->held);
  }
  c->held[c->nheld++] = r;
}

static inline int is_key(const Commit *c, const MpVal *v) {
  return v->type == V_INT && v->i >= 1 && v->i <= c->numkeys;
}

static inline Str str(const MpVal *v) {
  Str s = {v->s, v->len};
  return s;
}

/* A card stored as a hash before docs/decisions/0214, rewritten as its string (lib/card.lua's
 * cardRead). 1: done (raw set or left NULL: no card); 0: an error was replied. */
static int card_from_hash(Commit *c, int k) {
  RedisModuleKey *key = RedisModule_OpenKey(c->ctx, c->keys[k], REDISMODULE_READ);
  int type = RedisModule_KeyType(key);
  RedisModule_CloseKey(key);
  if (type != REDISMODULE_KEYTYPE_HASH) return 1;
  RedisModuleCallReply *h =
      RedisModule_Call(c->ctx, "HMGET", "scccccccc", c->keys[k], "v", "b", "fs", "u", "s", "f", "m", "r");
  if (call_failed(c->ctx, h, "commitEffects", "HMGET")) return 0;
  if (RedisModule_CallReplyType(RedisModule_CallReplyArrayElement(h, 0)) != REDISMODULE_REPLY_STRING) {
    RedisModule_FreeCallReply(h);
    return 1;
  }
  size_t total = 0;
  for (size_t f = 0; f < 8; f++) {
    size_t len = 0;
    RedisModule_CallReplyStringPtr(RedisModule_CallReplyArrayElement(h, f), &len);
    total += len + 1;
  }
  char *s = RedisModule_Alloc(total);
  size_t at = 0;
  for (size_t f = 0; f < 8; f++) {
    size_t len = 0;
    const char *p = RedisModule_CallReplyStringPtr(RedisModule_CallReplyArrayElement(h, f), &len);
    if (p && len) memcpy(s + at, p, len);
    at += len;
    if (f < 7) s[at++] = '\n';
  }
  RedisModule_FreeCallReply(h);
  RedisModuleCallReply *r = RedisModule_Call(c->ctx, "DEL", "!s", c->keys[k]);
  if (call_failed(c->ctx, r, "commitEffects", "DEL")) {
    RedisModule_Free(s);
    return 0;
  }
  RedisModule_FreeCallReply(r);
  r = RedisModule_Call(c->ctx, "SET", "!sb", c->keys[k], s, at);
  if (call_failed(c->ctx, r, "commitEffects", "SET")) {
    RedisModule_Free(s);
    return 0;
  }
  RedisModule_FreeCallReply(r);
  c->ks[k].converted = s;
  c->ks[k].raw.s = s;
  c->ks[k].raw.len = at;
  return 1;
}

/* HMGET of the given effects' names in one hash: what each holds goes to originals (a name not
 * there leaves the effect's original as it was). */
static int read_fields(Commit *c, int k, const long *effects, const Str *names, size_t count) {
  Args a = {0};
  args_push(&a, c->keys[k]);
  for (size_t j = 0; j < count; j++) args_push(&a, str_of(names[j]));
  RedisModuleCallReply *r = RedisModule_Call(c->ctx, "HMGET", "v", a.v, a.n);
  args_free(&a, 1);
  if (call_failed(c->ctx, r, "commitEffects", "HMGET")) return 0;
  hold(c, r);
  for (size_t j = 0; j < count; j++) {
    RedisModuleCallReply *e = RedisModule_CallReplyArrayElement(r, j);
    if (RedisModule_CallReplyType(e) != REDISMODULE_REPLY_STRING) continue;
    Str *o = &c->originals[effects[j]];
    o->s = RedisModule_CallReplyStringPtr(e, &o->len);
  }
  return 1;
}

static int run(Commit *c, RedisModuleString **argv, int argc);

int OnecardCommit_Command(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
  if (keys_request(ctx, argv, argc)) return REDISMODULE_OK;
  long long numkeys = numkeys_of(argv, argc);
  if (numkeys < 0) return RedisModule_ReplyWithError(ctx, "ERR numkeys is not a key count");
  int nargs = argc - 2 - (int)numkeys;
  if (nargs != 4 && nargs != 5) return RedisModule_WrongArity(ctx);
  Commit c = {0};
  c.ctx = ctx;
  c.numkeys = (int)numkeys;
  c.keys = argv + 1; /* keys[1] is argv[2] */
  c.ks = RedisModule_Calloc((size_t)numkeys + 1, sizeof *c.ks);
  run(&c, argv + 2 + numkeys, nargs);
  for (int k = 1; k <= c.numkeys; k++) {
    KeyState *s = &c.ks[k];
    if (s->converted) RedisModule_Free(s->converted);
    args_free(&s->seenArgs, 0);
    args_free(&s->opens, 0);
    args_free(&s->closes, 0);
  }
  for (size_t h = 0; h < c.nheld; h++) RedisModule_FreeCallReply(c.held[h]);
  RedisModule_Free(c.held);
  for (int col = 0; col < WIDTH; col++) RedisModule_Free(c.col[col]);
  RedisModule_Free(c.originals);
  RedisModule_Free(c.ks);
  return REDISMODULE_OK;
}

/* The call itself, once the keys are known; replies exactly once. ARGV[1..] is argv[0..]. */
static int run(Commit *c, RedisModuleString **argv, int nargs) {
  RedisModuleCtx *ctx = c->ctx;
  size_t ttlLen, keepLen, framesLen, packedLen, oldLen = 0;
  const char *ttl = RedisModule_StringPtrLen(argv[0], &ttlLen);
  const char *keep = RedisModule_StringPtrLen(argv[1], &keepLen);
  const char *frames = RedisModule_StringPtrLen(argv[2], &framesLen);
  const char *packed = RedisModule_StringPtrLen(argv[3], &packedLen);
  const char *old = nargs == 5 ? RedisModule_StringPtrLen(argv[4], &oldLen) : "";
  if (keepLen == 1 && keep[0] == '1')
    return RedisModule_ReplyWithError(ctx, "commitEffects: records kept: the store runs the script for them");

  /* The columns: one array of twelve arrays, all as long as the first. */
  long n = 0;
  if (packedLen > 0) {
    MpReader r = {(const unsigned char *)packed, (const unsigned char *)packed + packedLen};
    MpVal top;
    mp_next(&r, &top);
    if (top.type != V_ARR || top.len != WIDTH)
      return RedisModule_ReplyWithError(ctx, "commitEffects: malformed effects: not one array of 12 columns");
    for (int col = 0; col < WIDTH; col++) {
      MpVal head;
      mp_next(&r, &head);
      if (head.type == V_BAD)
        return RedisModule_ReplyWithError(ctx, "commitEffects: malformed effects: not one array of 12 columns");
      if (col == 0) n = head.type == V_ARR ? (long)head.len : -1;
      if (head.type != V_ARR || (long)head.len != n) {
        char msg[120];
        snprintf(msg, sizeof msg, "commitEffects: malformed effects: column %d is not %ld long", col + 1, n);
        return RedisModule_ReplyWithError(ctx, msg);
      }
      c->col[col] = RedisModule_Alloc(sizeof(MpVal) * (size_t)(n > 0 ? n : 1));
      for (long i = 0; i < n; i++) {
        if (!mp_value(&r, &c->col[col][i]))
          return RedisModule_ReplyWithError(ctx, "commitEffects: malformed effects: not one array of 12 columns");
      }
    }
    if (r.p != r.end)
      return RedisModule_ReplyWithError(ctx, "commitEffects: malformed effects: not one array of 12 columns");
  }
  MpVal **C = c->col;
  c->n = n;
  c->originals = RedisModule_Calloc((size_t)(n > 0 ? n : 1), sizeof *c->originals);

  /* Every effect checked before anything is read or written: key numbers that are KEYS, a
   * frame length that is a whole number of bytes, the text fields strings. Outboxes, dedupe
   * hashes and cards listed in first-use order. */
  int *segOrder = RedisModule_Alloc(sizeof(int) * (size_t)(c->numkeys + 1));
  int *readOrder = RedisModule_Alloc(sizeof(int) * (size_t)(c->numkeys + 1));
  int *cardKeys = RedisModule_Alloc(sizeof(int) * (size_t)(c->numkeys + 1));
  int *cardOrder = RedisModule_Alloc(sizeof(int) * (size_t)(c->numkeys + 1));
  int *seenOrder = RedisModule_Alloc(sizeof(int) * (size_t)(c->numkeys + 1));
  int *openOrder = RedisModule_Alloc(sizeof(int) * (size_t)(c->numkeys + 1));
  /* Per dedupe hash (by |seen#|, sign kept apart): its effects, chained. */
  long *nextRead = RedisModule_Alloc(sizeof(long) * (size_t)(n > 0 ? n : 1));
  long *firstRead = RedisModule_Calloc((size_t)c->numkeys + 1, sizeof(long));
  long *lastRead = RedisModule_Calloc((size_t)c->numkeys + 1, sizeof(long));
  char *skipped = RedisModule_Calloc((size_t)(n > 0 ? n : 1), 1);
  /* Decided in this call: dedupe key -> result (open addressing, at most half full); the
   * effects that did not apply, for the reply. */
  size_t mask = 16;
  while (mask < (size_t)n * 2) mask <<= 1;
  Slot *decided = RedisModule_Calloc(mask, sizeof(Slot));
  mask -= 1;
  long nout = 0;
  long *outAt = RedisModule_Alloc(sizeof(long) * (size_t)(n > 0 ? n : 1));
  Str *outOriginal = RedisModule_Alloc(sizeof(Str) * (size_t)(n > 0 ? n : 1));
  int *outCode = RedisModule_Alloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
  int nseg = 0, nread = 0, ncards = 0, ncardOrder = 0, nseen = 0, nopen = 0;
  int ok = 1;
#define FAIL(...)                     \
  do {                                \
    reply_errorf(ctx, __VA_ARGS__);   \
    ok = 0;                           \
    goto done;                        \
  } while (0)
  for (long i = 0; i < n; i++) {
    const MpVal *card = &C[CARD][i], *seen = &C[SEEN][i], *outbox = &C[OUTBOX][i], *len = &C[LEN][i];
    int textOk = C[DEDUPE][i].type == V_STR && C[RESULT][i].type == V_STR;
    if (card->type == V_INT && card->i != 0)
      for (int col = EXPECT; col <= TOKEN; col++)
        if (col != OPEN && C[col][i].type != V_STR) textOk = 0;
    if (!textOk || len->type != V_INT || len->i < 0 || card->type != V_INT ||
        (card->i != 0 && (!is_key(c, card) || !is_key(c, &C[OPEN][i]))) || !is_key(c, outbox) ||
        seen->type != V_INT || seen->i == 0 || seen->i < -c->numkeys || seen->i > c->numkeys)
      FAIL("commitEffects: malformed effect %lld", (long long)(i + 1));
    KeyState *o = &c->ks[outbox->i];
    if (!o->segListed) {
      o->segListed = 1;
      segOrder[nseg++] = (int)outbox->i;
    }
    o->segLen += (size_t)len->i;
    /* A dedupe hash is read once whatever sign names it (the script reads per seen# value, so
     * a key named both ways is read twice: the same fields, the same answers). */
    int k = (int)(seen->i < 0 ? -seen->i : seen->i);
    if (firstRead[k] == 0) {
      firstRead[k] = i + 1;
      readOrder[nread++] = k;
    } else
      nextRead[lastRead[k] - 1] = i + 1;
    lastRead[k] = i + 1;
    nextRead[i] = 0;
    if (card->i != 0 && !c->ks[card->i].cardListed) {
      c->ks[card->i].cardListed = 1;
      cardKeys[ncards++] = (int)card->i;
    }
  }
  {
    size_t total = 0;
    for (int j = 0; j < nseg; j++) {
      c->ks[segOrder[j]].segAt = total;
      total += c->ks[segOrder[j]].segLen;
    }
    if (total != framesLen) {
      char msg[120];
      snprintf(msg, sizeof msg, "commitEffects: frame lengths add up to %zu bytes, not %zu", total, framesLen);
      RedisModule_ReplyWithError(ctx, msg);
      ok = 0;
      goto done;
    }
  }

  /* What each effect's dedupe key holds: one HMGET per hash. */
  for (int r = 0; r < nread; r++) {
    int k = readOrder[r];
    size_t count = 0;
    for (long i = firstRead[k]; i; i = nextRead[i - 1]) count++;
    long *effects = RedisModule_Alloc(sizeof(long) * count);
    Str *names = RedisModule_Alloc(sizeof(Str) * count);
    size_t j = 0;
    for (long i = firstRead[k]; i; i = nextRead[i - 1], j++) {
      effects[j] = i - 1;
      names[j] = str(&C[DEDUPE][i - 1]);
    }
    int got = read_fields(c, k, effects, names, count);
    RedisModule_Free(effects);
    RedisModule_Free(names);
    if (!got) {
      ok = 0;
      goto done;
    }
  }

  /* Entries written before 0222, under the tap's dedupe key (ARGV[5]), for effects whose own
   * field is not there. */
  if (oldLen > 0) {
    MpReader r = {(const unsigned char *)old, (const unsigned char *)old + oldLen};
    MpVal top;
    mp_next(&r, &top);
    if (top.type != V_ARR || top.len % 2 != 0) FAIL("commitEffects: malformed old fields");
    size_t pairs = top.len / 2;
    long *effects = RedisModule_Alloc(sizeof(long) * (pairs ? pairs : 1));
    Str *names = RedisModule_Alloc(sizeof(Str) * (pairs ? pairs : 1));
    int *bucket = RedisModule_Alloc(sizeof(int) * (pairs ? pairs : 1));
    size_t m = 0;
    int bad = 0;
    for (size_t x = 0; x < pairs; x++) {
      MpVal i, name;
      mp_value(&r, &i);
      mp_value(&r, &name);
      if (i.type != V_INT || i.i < 1 || i.i > n || name.type != V_STR || C[SEEN][i.i - 1].i < 1) {
        bad = 1;
        break;
      }
      if (c->originals[i.i - 1].s == NULL) {
        effects[m] = (long)i.i - 1;
        names[m] = str(&name);
        bucket[m] = (int)C[SEEN][i.i - 1].i;
        m++;
      }
    }
    if (!bad && r.p != r.end) bad = 1;
    /* One HMGET per bucket, buckets in first-use order. */
    char *done_ = RedisModule_Calloc(m ? m : 1, 1);
    long *ge = RedisModule_Alloc(sizeof(long) * (m ? m : 1));
    Str *gn = RedisModule_Alloc(sizeof(Str) * (m ? m : 1));
    for (size_t x = 0; !bad && x < m; x++) {
      if (done_[x]) continue;
      size_t g = 0;
      for (size_t y = x; y < m; y++)
        if (!done_[y] && bucket[y] == bucket[x]) {
          done_[y] = 1;
          ge[g] = effects[y];
          gn[g++] = names[y];
        }
      if (!read_fields(c, bucket[x], ge, gn, g)) {
        bad = 2;
        break;
      }
    }
    RedisModule_Free(done_);
    RedisModule_Free(ge);
    RedisModule_Free(gn);
    RedisModule_Free(effects);
    RedisModule_Free(names);
    RedisModule_Free(bucket);
    if (bad == 1) FAIL("commitEffects: malformed old fields");
    if (bad == 2) {
      ok = 0;
      goto done;
    }
  }

  /* The cards, one MGET; a missing one may be a card still stored as a hash. */
  if (ncards > 0) {
    Args a = {0};
    for (int j = 0; j < ncards; j++) args_push(&a, c->keys[cardKeys[j]]);
    RedisModuleCallReply *r = RedisModule_Call(ctx, "MGET", "v", a.v, a.n);
    args_free(&a, ncards);
    if (call_failed(ctx, r, "commitEffects", "MGET")) {
      ok = 0;
      goto done;
    }
    hold(c, r);
    for (int j = 0; j < ncards; j++) {
      RedisModuleCallReply *e = RedisModule_CallReplyArrayElement(r, (size_t)j);
      KeyState *s = &c->ks[cardKeys[j]];
      if (RedisModule_CallReplyType(e) == REDISMODULE_REPLY_STRING)
        s->raw.s = RedisModule_CallReplyStringPtr(e, &s->raw.len);
      else if (!card_from_hash(c, cardKeys[j])) {
        ok = 0;
        goto done;
      }
    }
  }

  /* The effects in order (the script's main loop); nothing is written until it is done. */
  for (long i = 0; i < n; i++) {
    Str dedupeKey = str(&C[DEDUPE][i]);
    int card = (int)C[CARD][i].i;
    KeyState *k = card ? &c->ks[card] : NULL;
    Str expect = card ? str(&C[EXPECT][i]) : (Str){NULL, 0};
    Slot *slot = decided_find(decided, mask, dedupeKey);
    Str original = slot->used ? slot->result : c->originals[i];
    Str version = {NULL, 0};
    int haveVersion = 0;
    if (card && !original.s && !k->broken) {
      if (k->head.s) {
        const char *a = memchr(k->head.s, '\n', k->head.len);
        version.s = k->head.s;
        version.len = a ? (size_t)(a - k->head.s) : k->head.len;
        haveVersion = 1;
      } else if (k->raw.s) {
        const char *raw = k->raw.s;
        const char *a = memchr(raw, '\n', k->raw.len);
        if (a) {
          version.s = raw;
          version.len = (size_t)(a - raw);
          haveVersion = 1;
          if (version.len == expect.len && memcmp(version.s, expect.s, expect.len) == 0) {
            const char *b = find_nl(raw, k->raw.len, (size_t)(a - raw) + 1);
            const char *c3 = b ? find_nl(raw, k->raw.len, (size_t)(b - raw) + 1) : NULL;
            if (!c3) {
              FAIL("commitEffects: card of effect %lld is not a card string", (long long)(i + 1));
            }
            k->cut3 = (size_t)(c3 - raw);
            /* Whether its stored fare state has an open entry ("open": between the 2nd and 3rd
             * separators; the pattern holds no newline, so it cannot straddle one). */
            size_t from = (size_t)(b - raw) + 1;
            k->hadOpen = 0;
            for (size_t p = from; p + 7 <= k->cut3; p++)
              if (raw[p] == '"' && memcmp(raw + p, "\"open\":", 7) == 0) {
                k->hadOpen = 1;
                break;
              }
          }
        }
      }
    }
    int conflict = card && (k->broken || !haveVersion || version.len != expect.len ||
                            memcmp(version.s, expect.s, expect.len) != 0);
    if (original.s) {
      if (card) k->broken = 1;
      outAt[nout] = i + 1;
      outCode[nout] = DUPLICATE;
      outOriginal[nout++] = original;
      skipped[i] = 1;
      c->ks[C[OUTBOX][i].i].missed = 1;
    } else if (card && conflict) {
      k->broken = 1;
      c->ks[C[OUTBOX][i].i].missed = 1;
      outAt[nout] = i + 1;
      outCode[nout] = CONFLICT;
      outOriginal[nout++] = (Str){"", 0};
      skipped[i] = 1;
    } else {
      if (card) {
        if (!k->head.s) cardOrder[ncardOrder++] = card;
        k->head = str(&C[HEAD][i]);
        k->last = (int)i + 1;
        Str u = str(&C[USES][i]);
        if (u.len > 0) {
          k->uses = u;
          if (!k->cut4) {
            const char *d = find_nl(k->raw.s, k->raw.len, k->cut3 + 1);
            if (!d) {
              FAIL("commitEffects: card of effect %lld is not a card string", (long long)(i + 1));
            }
            k->cut4 = (size_t)(d - k->raw.s);
          }
        }
      }
      Str result = str(&C[RESULT][i]);
      slot->used = 1;
      slot->key = dedupeKey;
      slot->result = result;
      int seen = (int)C[SEEN][i].i;
      KeyState *sk = &c->ks[seen < 0 ? -seen : seen];
      /* The kept hash (negative) and a day bucket (positive) are different keys in practice;
       * if one key were named both ways, its writes would share one HSET and get the EXPIRE. */
      if (!sk->seenListed) {
        sk->seenListed = seen > 0 ? 2 : 1;
        seenOrder[nseen++] = seen < 0 ? -seen : seen;
      } else if (seen > 0)
        sk->seenListed = 2;
      args_push(&sk->seenArgs, str_of(dedupeKey));
      args_push(&sk->seenArgs, str_of(result));
      c->ks[C[OUTBOX][i].i].applied++;
    }
  }

  /* The writes, in the script's order: dedupe entries, outbox entries, cards, open entries. */
  for (int j = 0; j < nseen && ok; j++) {
    int key = seenOrder[j];
    KeyState *s = &c->ks[key];
    Args a = {0};
    args_push(&a, c->keys[key]);
    for (size_t x = 0; x < s->seenArgs.n; x++) args_push(&a, s->seenArgs.v[x]);
    RedisModuleCallReply *r = RedisModule_Call(ctx, "HSET", "!v", a.v, a.n);
    RedisModule_Free(a.v);
    if (call_failed(ctx, r, "commitEffects", "HSET")) ok = 0;
    else RedisModule_FreeCallReply(r);
    if (ok && s->seenListed == 2) {
      r = RedisModule_Call(ctx, "EXPIRE", "!sb", c->keys[key], ttl, ttlLen);
      if (call_failed(ctx, r, "commitEffects", "EXPIRE")) ok = 0;
      else RedisModule_FreeCallReply(r);
    }
  }
  int partial = 0; /* an outbox some of whose effects did not apply */
  for (int j = 0; j < nseg && ok; j++) {
    KeyState *o = &c->ks[segOrder[j]];
    if (o->applied && !o->missed) {
      RedisModuleCallReply *r = RedisModule_Call(ctx, "XADD", "!sccbcl", c->keys[segOrder[j]], "*", "b",
                                                 frames + o->segAt, o->segLen, "n", o->applied);
      if (call_failed(ctx, r, "commitEffects", "XADD")) ok = 0;
      else RedisModule_FreeCallReply(r);
    } else if (o->applied)
      partial = 1;
  }
  if (partial && ok) {
    /* An outbox some of whose effects did not apply: its applied frames, cut out in effect
     * order. */
    for (int j = 0; j < nseg && ok; j++) {
      int key = segOrder[j];
      KeyState *o = &c->ks[key];
      if (!o->applied || !o->missed) continue;
      char *buf = RedisModule_Alloc(o->segLen ? o->segLen : 1);
      size_t at = o->segAt, used = 0;
      long count = 0;
      for (long i = 0; i < n; i++) {
        if (C[OUTBOX][i].i != key) continue;
        size_t len = (size_t)C[LEN][i].i;
        if (!skipped[i]) {
          memcpy(buf + used, frames + at, len);
          used += len;
          count++;
        }
        at += len;
      }
      RedisModuleCallReply *r =
          RedisModule_Call(ctx, "XADD", "!sccbcl", c->keys[key], "*", "b", buf, used, "n", (long long)count);
      RedisModule_Free(buf);
      if (call_failed(ctx, r, "commitEffects", "XADD")) ok = 0;
      else RedisModule_FreeCallReply(r);
    }
  }
  if (ncardOrder > 0 && ok) {
    Args a = {0};
    for (int j = 0; j < ncardOrder; j++) {
      KeyState *k = &c->ks[cardOrder[j]];
      args_push(&a, c->keys[cardOrder[j]]);
      /* head, then (uses new) \n uses and the rest from the 4th separator, or the rest from the
       * 3rd: status, flags, masked number and region as read. */
      size_t from = k->uses.s ? k->cut4 : k->cut3;
      size_t len = k->head.len + (k->uses.s ? 1 + k->uses.len : 0) + (k->raw.len - from);
      char *v = RedisModule_Alloc(len);
      size_t at = 0;
      memcpy(v, k->head.s, k->head.len);
      at += k->head.len;
      if (k->uses.s) {
        v[at++] = '\n';
        memcpy(v + at, k->uses.s, k->uses.len);
        at += k->uses.len;
      }
      memcpy(v + at, k->raw.s + from, k->raw.len - from);
      args_push(&a, RedisModule_CreateString(NULL, v, len));
      RedisModule_Free(v);
    }
    RedisModuleCallReply *r = RedisModule_Call(ctx, "MSET", "!v", a.v, a.n);
    for (size_t x = 1; x < a.n; x += 2) RedisModule_FreeString(NULL, a.v[x]);
    RedisModule_Free(a.v);
    if (call_failed(ctx, r, "commitEffects", "MSET")) ok = 0;
    else RedisModule_FreeCallReply(r);
  }
  /* The open-entry index follows each card's last state. */
  for (int j = 0; j < ncardOrder && ok; j++) {
    KeyState *k = &c->ks[cardOrder[j]];
    long i = k->last - 1;
    int openKey = (int)C[OPEN][i].i;
    KeyState *z = &c->ks[openKey];
    Str openAt = str(&C[OPENAT][i]);
    if (openAt.len > 0) {
      args_push(&z->opens, str_of(openAt));
      args_push(&z->opens, str_of(str(&C[TOKEN][i])));
    } else if (k->hadOpen)
      args_push(&z->closes, str_of(str(&C[TOKEN][i])));
    else
      continue;
    if (!z->openListed) {
      z->openListed = 1;
      openOrder[nopen++] = openKey;
    }
  }
  for (int pass = 0; pass < 2 && ok; pass++)
    for (int j = 0; j < nopen && ok; j++) {
      KeyState *z = &c->ks[openOrder[j]];
      Args *list = pass == 0 ? &z->opens : &z->closes;
      if (list->n == 0) continue;
      Args a = {0};
      args_push(&a, c->keys[openOrder[j]]);
      for (size_t x = 0; x < list->n; x++) args_push(&a, list->v[x]);
      RedisModuleCallReply *r = RedisModule_Call(ctx, pass == 0 ? "ZADD" : "ZREM", "!v", a.v, a.n);
      RedisModule_Free(a.v);
      if (call_failed(ctx, r, "commitEffects", pass == 0 ? "ZADD" : "ZREM")) ok = 0;
      else RedisModule_FreeCallReply(r);
    }
  if (ok) {
    RedisModule_ReplyWithArray(ctx, nout * 3);
    for (long x = 0; x < nout; x++) {
      RedisModule_ReplyWithLongLong(ctx, outAt[x]);
      RedisModule_ReplyWithLongLong(ctx, outCode[x]);
      RedisModule_ReplyWithStringBuffer(ctx, outOriginal[x].s, outOriginal[x].len);
    }
  }
done:
  RedisModule_Free(decided);
  RedisModule_Free(outAt);
  RedisModule_Free(outOriginal);
  RedisModule_Free(outCode);
  RedisModule_Free(segOrder);
  RedisModule_Free(readOrder);
  RedisModule_Free(cardKeys);
  RedisModule_Free(cardOrder);
  RedisModule_Free(seenOrder);
  RedisModule_Free(openOrder);
  RedisModule_Free(nextRead);
  RedisModule_Free(firstRead);
  RedisModule_Free(lastRead);
  RedisModule_Free(skipped);
#undef FAIL
  return ok ? REDISMODULE_OK : REDISMODULE_ERR;
}
