// The gateway's Node addon (N-API, docs/decisions/0247): SHA-256 of a short piece, a tap's
// content or its dedupe key, without node:crypto's per-call cost. crypto.hash() spends ~200 ns a
// call on a 100-byte piece (the algorithm looked up and checked, a Hash made, 64 hex digits
// written and then cut); the digest itself, with the CPU's SHA extensions, is ~50 ns. Two a tap
// were ~8 % of the gateway's CPU at the city's rate.
//
// The hashing is OpenSSL's (SHA256_Init/Update/Final, which use the SHA extensions where the CPU
// has them), as linked into the node binary that loads this file: nothing is linked here. Node
// exports OpenSSL's symbols for addons; a node without them fails to load this file, and
// sha256.ts then uses node:crypto, which gives the same digests.
//
// Every argument is checked here as well as by the caller: a wrong type is a TypeError, a range
// outside the buffer a RangeError, never a read or write out of bounds.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <node_api.h>
#include <openssl/sha.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static const char HEX[] = "0123456789abcdef";

/** Room for the text `into` hashes from its own stack buffer; a longer one is left to the caller. */
#define TEXT_ROOM 1024

/** The call's four arguments into argv; false, with a TypeError thrown, for any other count. */
static bool four_args(napi_env env, napi_callback_info info, napi_value argv[4], const char *usage) {
  size_t argc = 4;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 4) {
    napi_throw_type_error(env, NULL, usage);
    return false;
  }
  return true;
}

static bool buffer_arg(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool is = false;
  if (napi_is_buffer(env, v, &is) != napi_ok || !is) {
    napi_throw_type_error(env, NULL, "expected a Buffer");
    return false;
  }
  if (napi_get_buffer_info(env, v, (void **)data, len) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a Buffer");
    return false;
  }
  return true;
}

static bool index_arg(napi_env env, napi_value v, uint32_t *out) {
  napi_valuetype t;
  double d;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number || napi_get_value_double(env, v, &d) != napi_ok ||
      !(d >= 0 && d <= 4294967295.0) || d != (double)(uint32_t)d) {
    napi_throw_range_error(env, NULL, "expected a whole number from 0 to 2^32 - 1");
    return false;
  }
  *out = (uint32_t)d;
  return true;
}

static void digest(const uint8_t *data, size_t len, unsigned char md[SHA256_DIGEST_LENGTH]) {
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, data, len);
  SHA256_Final(md, &c);
}

/** hex(buffer, from, to, chars): the first `chars` (1 to 64) lowercase hex digits of SHA-256 of buffer[from, to). */
static napi_value hex(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!four_args(env, info, argv, "hex(buffer, from, to, chars)")) return NULL;
  uint8_t *data;
  size_t len;
  uint32_t from, to, chars;
  if (!buffer_arg(env, argv[0], &data, &len) || !index_arg(env, argv[1], &from) || !index_arg(env, argv[2], &to) ||
      !index_arg(env, argv[3], &chars))
    return NULL;
  if (from > to || to > len || chars < 1 || chars > 2 * SHA256_DIGEST_LENGTH) {
    napi_throw_range_error(env, NULL, "hex: from <= to <= length and 1 <= chars <= 64");
    return NULL;
  }
  unsigned char md[SHA256_DIGEST_LENGTH];
  digest(data + from, to - from, md);
  char out[2 * SHA256_DIGEST_LENGTH];
  for (uint32_t k = 0; k < chars; k++) out[k] = HEX[(md[k >> 1] >> ((k & 1) ? 0 : 4)) & 15];
  napi_value s;
  if (napi_create_string_latin1(env, out, chars, &s) != napi_ok) return NULL;
  return s;
}

/**
 * into(text, out, at, n): writes the first n (1 to 32) bytes of SHA-256 of the text's UTF-8 into
 * out[at, at + n); true. False, with nothing written, for a text of TEXT_ROOM - 4 bytes or more.
 */
static napi_value into(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!four_args(env, info, argv, "into(text, out, at, n)")) return NULL;
  napi_valuetype t;
  if (napi_typeof(env, argv[0], &t) != napi_ok || t != napi_string) {
    napi_throw_type_error(env, NULL, "expected a string");
    return NULL;
  }
  uint8_t *out;
  size_t len;
  uint32_t at, n;
  if (!buffer_arg(env, argv[1], &out, &len) || !index_arg(env, argv[2], &at) || !index_arg(env, argv[3], &n))
    return NULL;
  if (n < 1 || n > SHA256_DIGEST_LENGTH || (size_t)at + n > len) {
    napi_throw_range_error(env, NULL, "into: 1 <= n <= 32 and at + n <= length");
    return NULL;
  }
  char text[TEXT_ROOM];
  size_t bytes = 0;
  if (napi_get_value_string_utf8(env, argv[0], text, sizeof text, &bytes) != napi_ok) return NULL;
  napi_value result;
  // N-API cuts a longer text to fit the room with its terminating NUL, and never inside a
  // character (up to 4 bytes): whatever comes within 4 bytes of the room may have been cut, and
  // is left to the caller.
  if (bytes + 4 >= sizeof text) {
    napi_get_boolean(env, false, &result);
    return result;
  }
  unsigned char md[SHA256_DIGEST_LENGTH];
  digest((const uint8_t *)text, bytes, md);
  for (uint32_t k = 0; k < n; k++) out[at + k] = md[k];
  napi_get_boolean(env, true, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value f;
  if (napi_create_function(env, "hex", NAPI_AUTO_LENGTH, hex, NULL, &f) != napi_ok ||
      napi_set_named_property(env, exports, "hex", f) != napi_ok)
    return NULL;
  if (napi_create_function(env, "into", NAPI_AUTO_LENGTH, into, NULL, &f) != napi_ok ||
      napi_set_named_property(env, exports, "into", f) != napi_ok)
    return NULL;
  return exports;
}
