/*
 * The MessagePack the gateway writes for the store's calls (gateway/src/store/msgpack.ts): arrays,
 * strings (str or bin) and integers. Read in place: a string value points into the argument's
 * bytes, so nothing is copied. Every other type is read too (so a value of the wrong type is
 * found where it is, as Lua's cmsgpack would give it to the script): a float as V_FLOAT, a map as
 * V_MAP (its pairs follow), nil, booleans and extensions as V_OTHER. The callers refuse them.
 */
#ifndef ONECARD_MSGPACK_H
#define ONECARD_MSGPACK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { V_BAD = 0, V_INT, V_STR, V_ARR, V_MAP, V_FLOAT, V_OTHER };

typedef struct {
  int type;
  long long i;     /* V_INT */
  double d;        /* V_FLOAT */
  const char *s;   /* V_STR */
  size_t len;      /* V_STR: bytes; V_ARR: items, V_MAP: pairs (they follow in the input) */
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
  if ((c & 0xf0) == 0x80) {
    v->len = c & 0x0f;
    return v->type = V_MAP;
  }
  switch (c) {
    case 0xc0: case 0xc2: case 0xc3:
      return v->type = V_OTHER;
    case 0xca: case 0xcb: {
      int n = c == 0xca ? 4 : 8;
      if (r->end - r->p < n) return v->type = V_BAD;
      uint64_t u = 0;
      for (int k = 0; k < n; k++) u = (u << 8) | r->p[k];
      r->p += n;
      if (n == 4) {
        uint32_t u32 = (uint32_t)u;
        float f;
        memcpy(&f, &u32, 4);
        v->d = f;
      } else
        memcpy(&v->d, &u, 8);
      return v->type = V_FLOAT;
    }
    case 0xcf: case 0xd3: {
      /* 64-bit integers: exact when they fit a long long */
      if (r->end - r->p < 8) return v->type = V_BAD;
      uint64_t u = 0;
      for (int k = 0; k < 8; k++) u = (u << 8) | r->p[k];
      r->p += 8;
      if (c == 0xcf && u > (uint64_t)INT64_MAX) {
        v->d = (double)u;
        return v->type = V_FLOAT;
      }
      v->i = (long long)u;
      return v->type = V_INT;
    }
    case 0xde: case 0xdf: {
      int n = c == 0xde ? 2 : 4;
      if (r->end - r->p < n) return v->type = V_BAD;
      v->len = mp_be(r->p, n);
      r->p += n;
      return v->type = V_MAP;
    }
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: {
      size_t n = (size_t)1 + ((size_t)1 << (c - 0xd4));
      if ((size_t)(r->end - r->p) < n) return v->type = V_BAD;
      r->p += n;
      return v->type = V_OTHER;
    }
    case 0xc7: case 0xc8: case 0xc9: {
      int n = c == 0xc7 ? 1 : c == 0xc8 ? 2 : 4;
      if (r->end - r->p < n) return v->type = V_BAD;
      size_t len = mp_be(r->p, n) + (size_t)1;
      r->p += n;
      if ((size_t)(r->end - r->p) < len) return v->type = V_BAD;
      r->p += len;
      return v->type = V_OTHER;
    }
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
    default: /* 0xc1: never used */
      return v->type = V_BAD;
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

/* Skips the items of a value whose head was read (an array's or a map's, nested or not); 0 when
 * the bytes end early or are not MessagePack. */
static int mp_skip(MpReader *r, const MpVal *v) {
  if (v->type == V_BAD) return 0;
  if (v->type != V_ARR && v->type != V_MAP) return 1;
  size_t items = v->type == V_MAP ? v->len * 2 : v->len;
  for (size_t k = 0; k < items; k++) {
    MpVal x;
    mp_next(r, &x);
    if (!mp_skip(r, &x)) return 0;
  }
  return 1;
}

/* A value whole: its head, and its items skipped. */
static inline int mp_value(MpReader *r, MpVal *v) {
  mp_next(r, v);
  return mp_skip(r, v);
}

#endif
