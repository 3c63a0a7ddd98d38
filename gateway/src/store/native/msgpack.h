/*
 * The MessagePack the gateway writes for the store's calls (gateway/src/store/msgpack.ts): arrays,
 * strings (str or bin) and integers. Read in place: a string value points into the argument's
 * bytes, so nothing is copied. A float, a map, nil, a boolean or an extension is not ours: the
 * reader answers it as V_OTHER and the caller refuses the call.
 */
#ifndef ONECARD_MSGPACK_H
#define ONECARD_MSGPACK_H

#include <stddef.h>
#include <stdint.h>

enum { V_BAD = 0, V_INT, V_STR, V_ARR, V_OTHER };

typedef struct {
  int type;
  long long i;     /* V_INT */
  const char *s;   /* V_STR */
  size_t len;      /* V_STR: bytes; V_ARR: items (they follow in the input) */
} MpVal;

typedef struct {
  const unsigned char *p, *end;
} MpReader;

static inline uint32_t mp_be(const unsigned char *p, int n) {
  uint32_t v = 0;
  for (int k = 0; k < n; k++) v = (v << 8) | p[k];
  return v;
}

/* The next value's head (an array's items are read next); V_BAD when the bytes end early. */
static inline int mp_next(MpReader *r, MpVal *v) {
  if (r->p >= r->end) return v->type = V_BAD;
  unsigned char c = *r->p++;
  size_t need = 0;
  int lenBytes = 0;
  if (c <= 0x7f) {
    v->i = c;
    return v->type = V_INT;
  }
  if (c >= 0xe0) {
    v->i = (signed char)c;
    return v->type = V_INT;
  }
  if ((c & 0xe0) == 0xa0) {
    need = c & 0x1f;
    goto str;
  }
  if ((c & 0xf0) == 0x90) {
    v->len = c & 0x0f;
    return v->type = V_ARR;
  }
  switch (c) {
    case 0xcc: case 0xcd: case 0xce: {
      int n = c == 0xcc ? 1 : c == 0xcd ? 2 : 4;
      if (r->end - r->p < n) return v->type = V_BAD;
      v->i = mp_be(r->p, n);
      r->p += n;
      return v->type = V_INT;
    }
    case 0xd0: case 0xd1: case 0xd2: {
      int n = c == 0xd0 ? 1 : c == 0xd1 ? 2 : 4;
      if (r->end - r->p < n) return v->type = V_BAD;
      uint32_t u = mp_be(r->p, n);
      r->p += n;
      v->i = n == 1 ? (long long)(int8_t)u : n == 2 ? (long long)(int16_t)u : (long long)(int32_t)u;
      return v->type = V_INT;
    }
    case 0xd9: case 0xc4: lenBytes = 1; break;
    case 0xda: case 0xc5: lenBytes = 2; break;
    case 0xdb: case 0xc6: lenBytes = 4; break;
    case 0xdc: case 0xdd: {
      int n = c == 0xdc ? 2 : 4;
      if (r->end - r->p < n) return v->type = V_BAD;
      v->len = mp_be(r->p, n);
      r->p += n;
      return v->type = V_ARR;
    }
    default:
      return v->type = V_OTHER;
  }
  if (r->end - r->p < lenBytes) return v->type = V_BAD;
  need = mp_be(r->p, lenBytes);
  r->p += lenBytes;
str:
  if ((size_t)(r->end - r->p) < need) return v->type = V_BAD;
  v->s = (const char *)r->p;
  v->len = need;
  r->p += need;
  return v->type = V_STR;
}

#endif
