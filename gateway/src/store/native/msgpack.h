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

/* n (1, 2, 4 or 8) big-endian bytes as an unsigned number, the reader moved past them; 0 when
 * fewer are left. */
static inline int mp_take(MpReader *r, int n, uint64_t *u) {
  if (r->end - r->p < n) return 0;
  uint64_t v = 0;
  for (int k = 0; k < n; k++) v = (v << 8) | r->p[k];
  r->p += n;
  *u = v;
  return 1;
}

/* Bytes a length of 1, 2 or 4 bytes says (str, bin, array, map, ext), or skipped; 0 when short. */
static inline int mp_skip_bytes(MpReader *r, size_t n) {
  if ((size_t)(r->end - r->p) < n) return 0;
  r->p += n;
  return 1;
}

/* The next value's head (an array's items are read next); V_BAD when the bytes end early. */
static inline int mp_next(MpReader *r, MpVal *v) {
  if (r->p >= r->end) return v->type = V_BAD;
  unsigned char c = *r->p++;
  uint64_t u;
  if (c <= 0x7f || c >= 0xe0) { /* fixint, negative fixint */
    v->i = c <= 0x7f ? (long long)c : (long long)(signed char)c;
    return v->type = V_INT;
  }
  if ((c & 0xe0) == 0xa0) { /* fixstr */
    u = c & 0x1f;
    goto str;
  }
  if ((c & 0xe0) == 0x80) { /* fixmap 0x80-0x8f, fixarray 0x90-0x9f */
    v->len = c & 0x0f;
    return v->type = (c & 0xf0) == 0x90 ? V_ARR : V_MAP;
  }
  switch (c) {
    case 0xc0: case 0xc2: case 0xc3: /* nil, false, true */
      return v->type = V_OTHER;
    case 0xca: { /* float 32 */
      if (!mp_take(r, 4, &u)) return v->type = V_BAD;
      uint32_t u32 = (uint32_t)u;
      float f;
      memcpy(&f, &u32, 4);
      v->d = f;
      return v->type = V_FLOAT;
    }
    case 0xcb: /* float 64 */
      if (!mp_take(r, 8, &u)) return v->type = V_BAD;
      memcpy(&v->d, &u, 8);
      return v->type = V_FLOAT;
    case 0xcc: case 0xcd: case 0xce: case 0xcf: /* uint 8, 16, 32, 64 */
      if (!mp_take(r, 1 << (c - 0xcc), &u)) return v->type = V_BAD;
      if (u > (uint64_t)INT64_MAX) {
        v->d = (double)u;
        return v->type = V_FLOAT;
      }
      v->i = (long long)u;
      return v->type = V_INT;
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: { /* int 8, 16, 32, 64 */
      int n = 1 << (c - 0xd0);
      if (!mp_take(r, n, &u)) return v->type = V_BAD;
      v->i = n == 1 ? (int8_t)u : n == 2 ? (int16_t)u : n == 4 ? (int32_t)u : (int64_t)u;
      return v->type = V_INT;
    }
    case 0xd9: case 0xda: case 0xdb: /* str 8, 16, 32 */
    case 0xc4: case 0xc5: case 0xc6: /* bin 8, 16, 32 */
      if (!mp_take(r, 1 << (c >= 0xd9 ? c - 0xd9 : c - 0xc4), &u)) return v->type = V_BAD;
      goto str;
    case 0xdc: case 0xdd: case 0xde: case 0xdf: /* array 16, 32, map 16, 32 */
      if (!mp_take(r, c == 0xdc || c == 0xde ? 2 : 4, &u)) return v->type = V_BAD;
      v->len = (size_t)u;
      return v->type = c <= 0xdd ? V_ARR : V_MAP;
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: /* fixext: a type byte and 2^k bytes */
      return v->type = mp_skip_bytes(r, (size_t)1 + ((size_t)1 << (c - 0xd4))) ? V_OTHER : V_BAD;
    case 0xc7: case 0xc8: case 0xc9: /* ext 8, 16, 32: a length, a type byte, the bytes */
      if (!mp_take(r, 1 << (c - 0xc7), &u)) return v->type = V_BAD;
      return v->type = mp_skip_bytes(r, (size_t)u + 1) ? V_OTHER : V_BAD;
    default: /* 0xc1: never used */
      return v->type = V_BAD;
  }
str:
  if ((size_t)(r->end - r->p) < u) return v->type = V_BAD;
  v->s = (const char *)r->p;
  v->len = (size_t)u;
  r->p += u;
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
