/*
** test_codec.c -- Check tests for the schedule-token codec (sched/report).
** Hand-built payloads go through the test's own base64url and CRC-16, so the
** format is pinned by a second implementation and by literal tokens, not only
** by codec.c agreeing with itself. Replaying tokens is tested elsewhere.
** Invariant checked throughout: any token decode accepts re-encodes to itself.
*/
#include "report/codec.h"

#include <check.h>
#include "suites.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ck_assert records every passing check through the fork pipe, a system
** call each; the loops below run millions of checks, so they use this. */
#define REQUIRE(expr, ...) do { if (!(expr)) ck_abort_msg(__VA_ARGS__); } while (0)

#define TOKMAX 20000    /* enough for RANDMAX choices, 6 payload bytes each */
#define RANDMAX 1024
#define SMALLCAP 64

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* ------------------------------------------------------------ helpers */

/* splitmix64: deterministic, seeded per test. */
static uint64_t rng_state;
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static uint32_t rng_below(uint32_t n) { return (uint32_t)(rng_next() % n); }

static char *dup_exact(const char *s)
{
    size_t len = strlen(s) + 1;
    char *p = malloc(len);
    REQUIRE(p != NULL, "out of memory");
    memcpy(p, s, len);
    return p;
}

/* The test's own CRC-16/GENIBUS and base64url, written independently. */
static uint16_t t_crc16(const uint8_t *p, size_t len)
{
    uint32_t crc = 0xFFFF;
    for (size_t i = 0; i < len; i++)
        for (int bit = 7; bit >= 0; bit--) {
            uint32_t in = (uint32_t)(p[i] >> bit) & 1u;
            uint32_t top = (crc >> 15) & 1u;
            crc = (crc << 1) & 0xFFFFu;
            if (top ^ in)
                crc ^= 0x1021u;
        }
    return (uint16_t)(crc ^ 0xFFFFu);
}

struct bytes { uint8_t b[512]; size_t len; };

static void put_byte(struct bytes *b, uint8_t v)
{
    REQUIRE(b->len < sizeof b->b, "test payload buffer full");
    b->b[b->len++] = v;
}

static void put_varint(struct bytes *b, uint64_t v)
{
    do {
        uint8_t byte = (uint8_t)(v & 0x7F);
        v >>= 7;
        put_byte(b, (uint8_t)(byte | (v ? 0x80 : 0)));
    } while (v);
}

/* "wV." + base64url(payload ++ CRC big-endian), no padding; version 2's
** CRC covers the prefix too. */
static void raw_token_version(char *out, const struct bytes *payload, int version)
{
    uint8_t all[sizeof payload->b + 5];
    size_t len = payload->len, o = 0, crc_from = version >= 2 ? 0 : 3;
    memcpy(all, "w0.", 3);
    all[1] = (uint8_t)('0' + version);
    memcpy(all + 3, payload->b, len);
    len += 3;
    uint16_t crc = t_crc16(all + crc_from, len - crc_from);
    all[len++] = (uint8_t)(crc >> 8);
    all[len++] = (uint8_t)crc;
    memcpy(out, all, 3);
    memmove(all, all + 3, len - 3);
    len -= 3;
    o = 3;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t g = (uint32_t)all[i] << 16;
        if (i + 1 < len) g |= (uint32_t)all[i + 1] << 8;
        if (i + 2 < len) g |= all[i + 2];
        size_t chars = len - i >= 3 ? 4 : len - i + 1;
        for (size_t k = 0; k < chars; k++)
            out[o++] = alphabet[(g >> (18 - 6 * k)) & 63];
    }
    out[o] = '\0';
}

static void raw_token(char *out, const struct bytes *payload)
{
    raw_token_version(out, payload, 1);
}

/* The test's own run-length payload for choices. */
static void ref_token(char *out, const uint32_t *c, size_t n, uint32_t nsteps)
{
    static struct bytes b;   /* payload up to 512 bytes: keep n small */
    size_t runs = 0;
    for (size_t i = 0; i < n; i++)
        runs += (i == 0 || c[i] != c[i - 1]);
    b.len = 0;
    put_varint(&b, nsteps);
    put_varint(&b, runs);
    for (size_t i = 0; i < n; ) {
        size_t j = i;
        while (j < n && c[j] == c[i]) j++;
        put_varint(&b, c[i]);
        put_varint(&b, j - i);
        i = j;
    }
    raw_token(out, &b);
}

static int shell_safe(const char *s)
{
    for (; *s; s++)
        if (!strchr(alphabet, *s) && *s != '.')
            return 0;
    return 1;
}

/* Encode (with result, or as version 1 without), check the token's shape
** and determinism, decode, compare, and re-encode. Returns the token length. */
static size_t roundtrip_buf(const uint32_t *c, size_t n, uint32_t nsteps, int result,
                            char *tok, size_t toksz, uint32_t *back)
{
    static char again[TOKMAX];
    char err[256];
    size_t need = codec_encode(c, n, nsteps, result, NULL, 0);
    REQUIRE(need < toksz, "token of %zu characters does not fit the test buffer", need);
    size_t len = codec_encode(c, n, nsteps, result, tok, toksz);
    REQUIRE(len == need, "encode wrote %zu, length query said %zu", len, need);
    REQUIRE(strlen(tok) == len, "encode returned %zu for \"%s\"", len, tok);
    REQUIRE(strncmp(tok, result == CODEC_NO_RESULT ? "w1." : "w2.", 3) == 0,
            "prefix of %s", tok);
    REQUIRE(shell_safe(tok), "not shell-safe: %s", tok);

    size_t n2 = 12345;
    uint32_t s2 = 54321;
    int r2 = 777;
    int rc = codec_decode(tok, back, n, &n2, &s2, &r2, err, sizeof err);
    REQUIRE(rc == 0, "decode of %s: %s", tok, err);
    REQUIRE(n2 == n, "%s: %zu choices back, %zu in", tok, n2, n);
    REQUIRE(s2 == nsteps, "%s: nsteps %u back, %u in", tok, (unsigned)s2, (unsigned)nsteps);
    REQUIRE(r2 == result, "%s: result %d back, %d in", tok, r2, result);
    REQUIRE(n == 0 || memcmp(back, c, n * sizeof *c) == 0, "choices differ");

    if (len < sizeof again) {   /* byte-identical on a second encode */
        size_t len2 = codec_encode(back, n2, s2, r2, again, sizeof again);
        REQUIRE(len2 == len, "re-encode is %zu long, not %zu", len2, len);
        REQUIRE(strcmp(again, tok) == 0, "line %d: \"%s\" != \"%s\"", __LINE__, again, tok);
    }
    return len;
}

/* Both versions round-trip; tok is left holding the version-1 token. */
static size_t roundtrip(const uint32_t *c, size_t n, uint32_t nsteps, char *tok)
{
    static uint32_t back[RANDMAX + 1];
    REQUIRE(n <= RANDMAX, "test case too long");
    roundtrip_buf(c, n, nsteps, (int)(n % (CODEC_MAX_RESULT + 1)), tok, TOKMAX, back);
    return roundtrip_buf(c, n, nsteps, CODEC_NO_RESULT, tok, TOKMAX, back);
}

/* Decode must refuse token with a one-line message containing want (or equal
** to it) and leave choices, n and nsteps untouched. */
static void expect_refused_at(const char *token, size_t cap, const char *want,
                              int exact, int line)
{
    uint32_t ch[SMALLCAP];
    char err[512];
    size_t n = 777;
    uint32_t ns = 888;
    char *copy = token ? dup_exact(token) : NULL;   /* ASan sees overreads */
    for (size_t i = 0; i < SMALLCAP; i++) ch[i] = 0xA5A5A5A5u;
    memset(err, 'x', sizeof err);

    int rc = codec_decode(copy, ch, cap < SMALLCAP ? cap : SMALLCAP, &n, &ns, NULL,
                          err, sizeof err);
    REQUIRE(rc == -1, "line %d: accepted \"%s\"", line, token);
    REQUIRE(n == 777 && ns == 888, "line %d: outputs written on failure", line);
    for (size_t i = 0; i < SMALLCAP; i++)
        REQUIRE(ch[i] == 0xA5A5A5A5u, "line %d: choices written on failure", line);
    REQUIRE(memchr(err, '\0', sizeof err) != NULL, "line %d: err not terminated", line);
    REQUIRE(err[0] != '\0' && !strchr(err, '\n'), "line %d: bad message \"%s\"", line, err);
    if (exact)
        REQUIRE(strcmp(err, want) == 0, "line %d: \"%s\" != \"%s\"", line, err, want);
    else
        REQUIRE(strstr(err, want) != NULL, "line %d: \"%s\" lacks \"%s\"", line, err, want);
    free(copy);
}
#define expect_refused(tok, want)       expect_refused_at((tok), SMALLCAP, (want), 0, __LINE__)
#define expect_refused_exact(tok, want) expect_refused_at((tok), SMALLCAP, (want), 1, __LINE__)

static const char MSG_NOT_TOKEN[] = "not a weft schedule token";
static const char MSG_CHECKSUM[] = "checksum mismatch: the token is damaged or incomplete";

/* A random execution: mostly short, thread-id-like and repetitive. */
static size_t random_case(uint32_t *c, uint32_t *nsteps)
{
    static const uint32_t edges[] = { 0, 1, 2, 127, 128, 255, 16383, 16384,
                                      2097151, 2097152, 268435455, 268435456,
                                      UINT32_MAX - 1, UINT32_MAX };
    size_t n;
    switch (rng_below(16)) {
    case 0:  n = 0; break;
    case 1:  n = 1; break;
    case 2:  n = rng_below(RANDMAX + 1); break;
    default: n = rng_below(48); break;
    }
    uint32_t mode = rng_below(4), ids = 2 + rng_below(7), stick = rng_below(4);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && rng_below(4) < stick) { c[i] = c[i - 1]; continue; }
        uint32_t m = mode == 3 ? rng_below(3) : mode;
        if (m == 0)      c[i] = rng_below(ids);
        else if (m == 1) c[i] = (uint32_t)rng_next();
        else             c[i] = edges[rng_below(sizeof edges / sizeof *edges)];
    }
    switch (rng_below(4)) {
    case 0:  *nsteps = UINT32_MAX; break;
    case 1:  *nsteps = (uint32_t)rng_next(); break;
    default: *nsteps = (uint32_t)n + rng_below(1000); break;
    }
    return n;
}

/* ---------------------------------------------------------- round trips */

START_TEST(test_empty)
{
    char tok[TOKMAX];
    roundtrip(NULL, 0, 0, tok);
    ck_assert_str_eq(tok, "w1.AADi8A");
    roundtrip(NULL, 0, 17, tok);

    /* choices may be NULL when the caller only wants the count */
    size_t n = 99;
    uint32_t ns = 99;
    ck_assert_int_eq(codec_decode("w1.AADi8A", NULL, 0, &n, &ns, NULL, NULL, 0), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_uint_eq(ns, 0);
    /* n and nsteps may be NULL too */
    ck_assert_int_eq(codec_decode("w1.AADi8A", NULL, 0, NULL, NULL, NULL, NULL, 0), 0);
}
END_TEST

START_TEST(test_single)
{
    char tok[TOKMAX];
    uint32_t one = 1;
    roundtrip(&one, 1, 3, tok);
    ck_assert_str_eq(tok, "w1.AwEBAfTD");
    for (uint32_t v = 0; v < 300; v++)
        roundtrip(&v, 1, v, tok);
}
END_TEST

START_TEST(test_golden)
{
    /* Literal tokens from a separate Python implementation of the format:
    ** changing these means changing the format, which needs a new version. */
    char tok[TOKMAX];
    const uint32_t mixed[] = { 0, 0, 0, 1, 1, 2, 0, 0, 0, 0 };
    const uint32_t ext[] = { UINT32_MAX, 0, UINT32_MAX, UINT32_MAX };
    roundtrip(mixed, 10, 42, tok);
    ck_assert_str_eq(tok, "w1.KgQAAwECAgEABGyY");
    roundtrip(ext, 4, UINT32_MAX, tok);
    ck_assert_str_eq(tok, "w1._____w8D_____w8BAAH_____DwKypw");

    static uint32_t two[100000];
    static uint32_t back[100000];
    for (size_t i = 0; i < 100000; i++) two[i] = 2;
    roundtrip_buf(two, 100000, 250000, CODEC_NO_RESULT, tok, sizeof tok, back);
    ck_assert_str_eq(tok, "w1.kKEPAQKgjQZBPg");

    /* Version 2: the result after the step count. */
    roundtrip_buf(mixed, 10, 42, 3, tok, sizeof tok, back);
    ck_assert_str_eq(tok, "w2.KgMEAAMBAgIBAARfIg");
    roundtrip_buf(NULL, 0, 0, 0, tok, sizeof tok, back);
    ck_assert_str_eq(tok, "w2.AAAAoUs");
    roundtrip_buf(ext, 4, UINT32_MAX, CODEC_MAX_RESULT, tok, sizeof tok, back);
    ck_assert_str_eq(tok, "w2._____w8_A_____8PAQAB_____w8Cinw");
}
END_TEST

START_TEST(test_long_runs)
{
    enum { N = 200000 };
    static uint32_t c[N], back[N];
    char tok[TOKMAX];

    /* one long run: run-length coding keeps the token tiny */
    for (size_t i = 0; i < N; i++) c[i] = 3;
    ck_assert_uint_le(roundtrip_buf(c, N, N, CODEC_NO_RESULT, tok, sizeof tok, back), 20);

    /* runs of 1000 alternating between two threads */
    for (size_t i = 0; i < N; i++) c[i] = (uint32_t)(i / 1000 % 2);
    ck_assert_uint_le(roundtrip_buf(c, N, UINT32_MAX, CODEC_NO_RESULT, tok, sizeof tok, back), 1200);

    /* runs of every length 1..600, values near UINT32_MAX */
    size_t n = 0;
    for (uint32_t len = 1; n < N && len <= 600; len++)
        for (uint32_t k = 0; k < len && n < N; k++)
            c[n++] = UINT32_MAX - (len % 3);
    roundtrip_buf(c, n, 7, CODEC_NO_RESULT, tok, sizeof tok, back);

    /* no runs at all: every choice differs from the last, full-width
    ** values; the token is long, so size it with the length query */
    for (size_t i = 0; i < N; i++) c[i] = UINT32_MAX - (uint32_t)(i % 2);
    size_t need = codec_encode(c, N, 1, CODEC_NO_RESULT, NULL, 0);
    char *big = malloc(need + 1);
    ck_assert_ptr_nonnull(big);
    roundtrip_buf(c, N, 1, CODEC_NO_RESULT, big, need + 1, back);
    free(big);
}
END_TEST

START_TEST(test_extremes)
{
    const uint32_t edges[] = { 0, 1, 127, 128, 16383, 16384, 2097151, 2097152,
                               268435455, 268435456, 0x7FFFFFFFu, 0x80000000u,
                               UINT32_MAX - 1, UINT32_MAX };
    const size_t ne = sizeof edges / sizeof *edges;
    char tok[TOKMAX];
    uint32_t c[3];
    for (size_t i = 0; i < ne; i++)
        for (size_t j = 0; j < ne; j++) {
            c[0] = edges[i]; c[1] = edges[j]; c[2] = edges[j];
            roundtrip(c, 3, edges[(i + j) % ne], tok);
            roundtrip(c, 1, edges[j], tok);
        }
}
END_TEST

START_TEST(test_random_100k)
{
    static uint32_t c[RANDMAX];
    static char tok[TOKMAX];
    rng_state = 0x5EEDC0DEC0FFEEull;
    size_t total = 0;
    for (int i = 0; i < 100000; i++) {
        uint32_t nsteps;
        size_t n = random_case(c, &nsteps);
        roundtrip(c, n, nsteps, tok);
        total += n;
    }
    ck_assert_uint_gt(total, 1000000);   /* the generator is not degenerate */
}
END_TEST

START_TEST(test_matches_reference)
{
    /* codec_encode agrees with the test's own encoder byte for byte */
    static uint32_t c[RANDMAX];
    static char a[TOKMAX], b[TOKMAX];
    rng_state = 0xFEEDFACEull;
    for (int i = 0; i < 20000; i++) {
        uint32_t nsteps;
        size_t n = random_case(c, &nsteps);
        if (n > 40) n = 40;            /* ref_token's payload buffer is small */
        size_t len = codec_encode(c, n, nsteps, CODEC_NO_RESULT, a, sizeof a);
        REQUIRE(len == strlen(a), "encode returned %zu for \"%s\"", len, a);
        ref_token(b, c, n, nsteps);
        REQUIRE(strcmp(a, b) == 0, "line %d: \"%s\" != \"%s\"", __LINE__, a, b);
    }
    /* the reference CRC is CRC-16/GENIBUS: check value 0xD64E */
    ck_assert_uint_eq(t_crc16((const uint8_t *)"123456789", 9), 0xD64E);
}
END_TEST

/* -------------------------------------------------------------- refusals */

START_TEST(test_bad_prefix)
{
    const char *bad[] = { "", "w", "w1", "w1AwEBAfTD", "x1.AwEBAfTD", "W1.AwEBAfTD",
                          "AwEBAfTD", ".AwEBAfTD", "w.AwEBAfTD", "wx.AwEBAfTD",
                          "w01.AwEBAfTD", "w1,AwEBAfTD", " w1.AwEBAfTD",
                          "w1234567890.AwEBAfTD", "weft:AwEBAfTD" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        expect_refused_exact(bad[i], MSG_NOT_TOKEN);
    expect_refused_exact(NULL, MSG_NOT_TOKEN);
}
END_TEST

START_TEST(test_bad_version)
{
    expect_refused_exact("w7.AwEBAfTD", "schedule token version 7 is not supported "
                         "by this weft (it reads versions 1 to 2)");
    expect_refused_exact("w0.AwEBAfTD", "schedule token version 0 is not supported "
                         "by this weft (it reads versions 1 to 2)");
    expect_refused_exact("w123.", "schedule token version 123 is not supported "
                         "by this weft (it reads versions 1 to 2)");
    expect_refused_exact("w3.!!!", "schedule token version 3 is not supported "
                         "by this weft (it reads versions 1 to 2)");
}
END_TEST

START_TEST(test_bad_characters)
{
    expect_refused_exact("w1.AB!C", "invalid character '!' at position 6 of the "
                         "schedule token (only A-Z a-z 0-9 - _ may follow \"w1.\")");
    expect_refused("w1.AwEBAfTD=", "invalid character '=' at position 12");
    expect_refused("w1.AwEBAfTD==", "'=' at position 12");
    expect_refused("w1.AwEB+fTD", "'+' at position 8");     /* standard base64 */
    expect_refused("w1.AwEB/fTD", "'/' at position 8");
    expect_refused("w1.AwEBAfTD ", "space at position 12");
    expect_refused("w1.AwEBAfTD\n", "\\x0A at position 12");
    expect_refused("w1.\x01wEBAfTD", "\\x01 at position 4");
    expect_refused("w1.AwE\xC3\xA9" "fTD", "\\xC3 at position 7");
    expect_refused("w1..AwEBAfTD", "'.' at position 4");
    expect_refused("w1.AwEBAfTD\"", "'\"' at position 12");
}
END_TEST

START_TEST(test_bad_length)
{
    expect_refused("w1.", "too short");
    expect_refused("w1.AA", "too short");
    expect_refused("w1.A", "impossible length");
    expect_refused("w1.AwEBA", "impossible length");       /* 5 characters */
    expect_refused("w1.AwEBAfTDA", "impossible length");   /* one extra */
    /* "w1.AADi8A" is valid; the same bytes with non-zero spare bits are not */
    expect_refused("w1.AADi8B", "last character of the schedule token is wrong");
    expect_refused("w1._____w8D_____w8BAAH_____DwKypx", "last character of the "
                   "schedule token is wrong");
}
END_TEST

START_TEST(test_checksum)
{
    expect_refused_exact("w1.AADi8B", "last character of the schedule token "
                         "is wrong: the token is damaged or incomplete");
    expect_refused_exact("w1.AwEBBfTD", MSG_CHECKSUM);   /* the value changed */
    expect_refused_exact("w1.BwEBAfTD", MSG_CHECKSUM);   /* nsteps changed */
    expect_refused_exact("w1.AwEBAfTE", MSG_CHECKSUM);   /* the CRC changed */
    expect_refused_exact("w1.AwEBAfDT", MSG_CHECKSUM);   /* two swapped */
    expect_refused_exact("w1.KgQAAwECAgEA", MSG_CHECKSUM); /* cut at a group */
    expect_refused_exact("w1.AADi8AAADi8A", MSG_CHECKSUM); /* two tokens glued */
}
END_TEST

START_TEST(test_truncated_varints)
{
    char tok[64];
    struct bytes b;

    b = (struct bytes){ .len = 0 };
    raw_token(tok, &b);
    expect_refused(tok, "ends inside the step count (truncated varint at payload byte 0)");

    b = (struct bytes){ .len = 0 };
    put_byte(&b, 0x80);
    raw_token(tok, &b);
    expect_refused(tok, "ends inside the step count (truncated varint");

    b = (struct bytes){ .len = 0 };
    put_varint(&b, 300);
    raw_token(tok, &b);
    expect_refused(tok, "ends inside the run count (truncated varint at payload byte 2)");

    b = (struct bytes){ .len = 0 };
    put_varint(&b, 5); put_varint(&b, 2); put_varint(&b, 1); put_varint(&b, 3);
    put_byte(&b, 0x81);
    raw_token(tok, &b);
    expect_refused(tok, "ends inside the choice value (truncated varint at payload byte 4)");

    b = (struct bytes){ .len = 0 };
    put_varint(&b, 5); put_varint(&b, 1); put_varint(&b, 7);
    raw_token(tok, &b);
    expect_refused(tok, "ends inside the repeat count (truncated varint");

    /* more runs announced than present */
    b = (struct bytes){ .len = 0 };
    put_varint(&b, 5); put_varint(&b, 3);
    put_varint(&b, 1); put_varint(&b, 1); put_varint(&b, 2); put_varint(&b, 1);
    raw_token(tok, &b);
    expect_refused(tok, "ends inside the choice value");

    /* a huge run count with nothing behind it */
    b = (struct bytes){ .len = 0 };
    put_varint(&b, 5); put_varint(&b, UINT64_MAX);
    raw_token(tok, &b);
    expect_refused(tok, "ends inside the choice value");
}
END_TEST

START_TEST(test_bad_numbers)
{
    char tok[64];
    struct bytes b;

    b = (struct bytes){ .len = 0 };
    put_varint(&b, (uint64_t)UINT32_MAX + 1); put_varint(&b, 0);
    raw_token(tok, &b);
    expect_refused(tok, "the step count at payload byte 0 is 4294967296, more than 4294967295");

    b = (struct bytes){ .len = 0 };
    put_varint(&b, 1); put_varint(&b, 1); put_varint(&b, (uint64_t)UINT32_MAX + 1);
    put_varint(&b, 1);
    raw_token(tok, &b);
    expect_refused(tok, "the choice value at payload byte 2 is 4294967296");

    /* version 2: a result beyond the largest, or none at all */
    b = (struct bytes){ .len = 0 };
    put_varint(&b, 1); put_varint(&b, CODEC_MAX_RESULT + 1); put_varint(&b, 0);
    raw_token_version(tok, &b, 2);
    expect_refused(tok, "the result at payload byte 1 is 64, more than 63");
    b = (struct bytes){ .len = 0 };
    put_varint(&b, 1);
    raw_token_version(tok, &b, 2);
    expect_refused(tok, "schedule token ends inside the result");

    /* 64-bit overflow: ten bytes with too many bits, or an eleventh byte */
    b = (struct bytes){ .len = 0 };
    put_varint(&b, 1);
    for (int i = 0; i < 9; i++) put_byte(&b, 0xFF);
    put_byte(&b, 0x02);
    raw_token(tok, &b);
    expect_refused(tok, "the run count at payload byte 1 does not fit in 64 bits");

    b = (struct bytes){ .len = 0 };
    put_varint(&b, 1);
    for (int i = 0; i < 10; i++) put_byte(&b, 0x80);
    put_byte(&b, 0x00);
    raw_token(tok, &b);
    expect_refused(tok, "does not fit in 64 bits");

    /* overlong encodings are refused so each execution has one token */
    b = (struct bytes){ .len = 0 };
    put_byte(&b, 0x85); put_byte(&b, 0x00); put_varint(&b, 0);
    raw_token(tok, &b);
    expect_refused(tok, "the step count at payload byte 0 has needless trailing zero bytes");

    b = (struct bytes){ .len = 0 };
    put_varint(&b, 1); put_varint(&b, 1); put_byte(&b, 0x80); put_byte(&b, 0x00);
    put_varint(&b, 1);
    raw_token(tok, &b);
    expect_refused(tok, "the choice value at payload byte 2 has needless trailing zero");

    b = (struct bytes){ .len = 0 };
    put_varint(&b, 1); put_varint(&b, 1); put_varint(&b, 4); put_varint(&b, 0);
    raw_token(tok, &b);
    expect_refused(tok, "run 1 of the schedule token repeats its value zero times");

    b = (struct bytes){ .len = 0 };
    put_varint(&b, 1); put_varint(&b, 2);
    put_varint(&b, 4); put_varint(&b, 2); put_varint(&b, 4); put_varint(&b, 1);
    raw_token(tok, &b);
    expect_refused(tok, "runs 1 and 2 of the schedule token hold the same value");
}
END_TEST

START_TEST(test_trailing_garbage)
{
    char tok[64];
    struct bytes b = { .len = 0 };
    put_varint(&b, 0); put_varint(&b, 0); put_byte(&b, 0);
    raw_token(tok, &b);
    expect_refused(tok, "1 unexpected byte after its last run (trailing garbage)");

    b = (struct bytes){ .len = 0 };
    put_varint(&b, 3); put_varint(&b, 1); put_varint(&b, 1); put_varint(&b, 1);
    put_byte(&b, 0x41); put_byte(&b, 0x42); put_byte(&b, 0x43);
    raw_token(tok, &b);
    expect_refused(tok, "3 unexpected bytes after its last run");

    /* garbage after a valid token in the text itself */
    expect_refused("w1.AwEBAfTD rm -rf", "space at position 12");
    expect_refused("w1.AwEBAfTD;", "';' at position 12");
    expect_refused("w1.AwEBAfTDAAA", MSG_CHECKSUM);
}
END_TEST

START_TEST(test_cap)
{
    uint32_t c[10], back[10];
    char tok[TOKMAX], err[256];
    size_t n;
    uint32_t ns;
    for (uint32_t i = 0; i < 10; i++) c[i] = i / 3;
    ck_assert_uint_gt(codec_encode(c, 10, 10, CODEC_NO_RESULT, tok, sizeof tok), 0);

    ck_assert_int_eq(codec_decode(tok, back, 10, &n, &ns, NULL, err, sizeof err), 0);
    ck_assert_uint_eq(n, 10);
    expect_refused_at(tok, 9, "schedule token holds more than 9 choices", 0, __LINE__);
    expect_refused_at(tok, 0, "more than 0 choices", 0, __LINE__);

    /* counts are summed without overflow even with an unlimited cap */
    struct bytes b = { .len = 0 };
    put_varint(&b, 1); put_varint(&b, 2);
    put_varint(&b, 0); put_varint(&b, (uint64_t)1 << 63);
    put_varint(&b, 1); put_varint(&b, (uint64_t)1 << 63);
    raw_token(tok, &b);
    ck_assert_int_eq(codec_decode(tok, NULL, SIZE_MAX, &n, &ns, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "more than") != NULL, "%s", err);
}
END_TEST

START_TEST(test_err_buffer)
{
    char err[16];
    memset(err, '#', sizeof err);
    ck_assert_int_eq(codec_decode("nope", NULL, 0, NULL, NULL, NULL, err, 0), -1);
    ck_assert_int_eq(err[0], '#');                   /* errsz 0: untouched */
    ck_assert_int_eq(codec_decode("nope", NULL, 0, NULL, NULL, NULL, NULL, 99), -1);
    ck_assert_int_eq(codec_decode("nope", NULL, 0, NULL, NULL, NULL, err, 1), -1);
    ck_assert_int_eq(err[0], '\0');
    memset(err, '#', sizeof err);
    ck_assert_int_eq(codec_decode("nope", NULL, 0, NULL, NULL, NULL, err, 8), -1);
    ck_assert_str_eq(err, "not a w");                /* cut, terminated */
    ck_assert_int_eq(err[8], '#');
    /* success clears a stale message */
    strcpy(err, "stale");
    ck_assert_int_eq(codec_decode("w1.AADi8A", NULL, 0, NULL, NULL, NULL, err, sizeof err), 0);
    ck_assert_str_eq(err, "");
}
END_TEST

/* --------------------------------------------------------------- damage */

static size_t decode_or_fail(const char *tok, uint32_t *c, size_t cap, uint32_t *ns)
{
    size_t n;
    char err[256];
    int rc = codec_decode(tok, c, cap, &n, ns, NULL, err, sizeof err);
    return rc == 0 ? n : SIZE_MAX;
}

/* Sample tokens: the goldens plus random ones of assorted lengths. */
static size_t sample_tokens(char toks[][512], size_t max)
{
    static uint32_t c[RANDMAX];
    const uint32_t mixed[] = { 0, 0, 0, 1, 1, 2, 0, 0, 0, 0 };
    size_t k = 0;
    codec_encode(NULL, 0, 0, CODEC_NO_RESULT, toks[k++], 512);
    codec_encode(mixed, 1, 3, CODEC_NO_RESULT, toks[k++], 512);
    codec_encode(mixed, 10, 42, CODEC_NO_RESULT, toks[k++], 512);
    codec_encode(mixed, 10, 42, 3, toks[k++], 512);
    rng_state = 0xDA4A6Eull;
    while (k < max) {
        uint32_t nsteps;
        size_t n = random_case(c, &nsteps);
        int result = k % 2 ? CODEC_NO_RESULT : (int)(k % (CODEC_MAX_RESULT + 1));
        if (codec_encode(c, n, nsteps, result, NULL, 0) < 512)
            codec_encode(c, n, nsteps, result, toks[k++], 512);
    }
    return k;
}

START_TEST(test_single_substitution)
{
    /* Every one-character change is refused outright: CRC-16 catches every
    ** burst of up to 16 bits and one base64 character is a 6-bit burst (or
    ** sets spare bits of the last character, refused on their own). */
    static char toks[40][512];
    size_t ntok = sample_tokens(toks, 40), tried = 0, by_crc = 0;
    for (size_t t = 0; t < ntok; t++) {
        size_t len = strlen(toks[t]);
        char *m = malloc(len + 1);
        REQUIRE(m != NULL, "out of memory");
        for (size_t pos = 0; pos < len; pos++)
            for (int v = 1; v < 256; v++) {
                if ((char)v == toks[t][pos])
                    continue;
                memcpy(m, toks[t], len + 1);
                m[pos] = (char)v;
                const char *want;
                if (pos == 1 && (v == '1' || v == '2'))
                    want = MSG_CHECKSUM;       /* the other version's CRC */
                else if (pos == 1 && v >= '0' && v <= '9')
                    want = "is not supported by this weft";
                else if (pos < 3)
                    want = MSG_NOT_TOKEN;
                else if (!strchr(alphabet, v))
                    want = "invalid character";
                else
                    want = "damaged or incomplete";   /* checksum / last char */
                expect_refused_at(m, SMALLCAP, want, 0, __LINE__);
                if (pos >= 3 && strchr(alphabet, v)) {
                    char err[256];
                    codec_decode(m, NULL, SIZE_MAX, NULL, NULL, NULL, err, sizeof err);
                    by_crc += strcmp(err, MSG_CHECKSUM) == 0;
                }
                tried++;
            }
        free(m);
    }
    ck_assert_uint_gt(tried, 100000);
    ck_assert_uint_gt(by_crc, 10000);
}
END_TEST

START_TEST(test_other_edits)
{
    /* Truncations and appends are always refused (the payload delimits
    ** itself), swaps too (a 12-bit burst for the CRC). Middle deletions and
    ** insertions pass the CRC by chance at most; whatever decode accepts must
    ** re-encode to the edited text, hence differ from the original. */
    static char toks[40][512];
    static uint32_t orig[RANDMAX], got[RANDMAX];
    static char m[520], again[TOKMAX];
    size_t ntok = sample_tokens(toks, 40), edits = 0, accepted = 0;
    const char extra[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

    for (size_t t = 0; t < ntok; t++) {
        uint32_t ons, gns;
        size_t on = decode_or_fail(toks[t], orig, RANDMAX, &ons);
        ck_assert_uint_ne(on, SIZE_MAX);
        size_t len = strlen(toks[t]);
        for (size_t pos = 0; pos <= len; pos++) {
            for (int kind = 0; kind < 3 + (int)sizeof extra - 1; kind++) {
                memcpy(m, toks[t], len + 1);
                if (kind == 0) {                       /* delete */
                    if (pos == len) continue;
                    memmove(m + pos, m + pos + 1, len - pos);
                } else if (kind == 1) {                /* truncate */
                    m[pos] = '\0';
                    if (pos == len) continue;
                } else if (kind == 2) {                /* swap */
                    if (pos + 1 >= len || m[pos] == m[pos + 1]) continue;
                    char x = m[pos]; m[pos] = m[pos + 1]; m[pos + 1] = x;
                } else {                               /* insert */
                    memmove(m + pos + 1, m + pos, len - pos + 1);
                    m[pos] = extra[kind - 3];
                }
                edits++;
                size_t gn = decode_or_fail(m, got, RANDMAX, &gns);
                int must_refuse = kind == 1 || kind == 2 || pos == len ||
                                  (kind == 0 && pos + 1 == len);
                REQUIRE(gn == SIZE_MAX || !must_refuse,
                        "edit of %s accepted: %s", toks[t], m);
                if (gn == SIZE_MAX)
                    continue;
                accepted++;
                REQUIRE(gn != on || gns != ons ||
                        memcmp(got, orig, on * sizeof *orig) != 0,
                        "edit of %s decodes to the same execution: %s", toks[t], m);
                codec_encode(got, gn, gns, CODEC_NO_RESULT, again, sizeof again);
                REQUIRE(strcmp(again, m) == 0, "line %d: \"%s\" != \"%s\"", __LINE__, again, m);
            }
        }
    }
    ck_assert_uint_gt(edits, 100000);
    ck_assert_uint_lt(accepted, edits / 1000);   /* a near miss is rare */
}
END_TEST

START_TEST(test_random_payloads)
{
    /* Random bytes under a valid CRC reach the parser; whatever it accepts
    ** must be exactly what encode writes. ASan watches the reads. */
    static uint32_t got[4096];
    static char tok[1024], again[TOKMAX];
    size_t accepted = 0;
    rng_state = 0xB16B00B5ull;
    for (int i = 0; i < 200000; i++) {
        struct bytes b = { .len = 0 };
        if (i % 2 == 0) {                  /* bytes, mostly small */
            size_t len = rng_below(24);
            for (size_t k = 0; k < len; k++) {
                uint32_t r = rng_below(8);
                put_byte(&b, r < 5 ? (uint8_t)rng_below(4)
                             : r < 6 ? (uint8_t)(0x80 | rng_below(128))
                                     : (uint8_t)rng_next());
            }
        } else {                           /* near-valid structure */
            uint32_t nruns = rng_below(5);
            put_varint(&b, rng_below(3) ? rng_below(300) : rng_next() >> rng_below(64));
            put_varint(&b, nruns + (rng_below(8) == 0));
            for (uint32_t k = 0; k < nruns; k++) {
                put_varint(&b, rng_below(4) ? rng_below(3) : rng_next() >> rng_below(64));
                put_varint(&b, rng_below(6) ? 1 + rng_below(200) : rng_next() >> rng_below(64));
            }
            switch (rng_below(6)) {
            case 0: if (b.len) b.b[rng_below((uint32_t)b.len)] = (uint8_t)rng_next(); break;
            case 1: if (b.len) b.len--; break;
            case 2: put_byte(&b, (uint8_t)rng_below(3)); break;
            default: break;
            }
        }
        raw_token(tok, &b);
        char *copy = dup_exact(tok);
        uint32_t ns;
        size_t n = decode_or_fail(copy, got, 4096, &ns);
        if (n != SIZE_MAX) {
            accepted++;
            codec_encode(got, n, ns, CODEC_NO_RESULT, again, sizeof again);
            REQUIRE(strcmp(again, tok) == 0, "line %d: \"%s\" != \"%s\"", __LINE__, again, tok);
        }
        free(copy);
    }
    ck_assert_uint_gt(accepted, 20000);
}
END_TEST

/* ----------------------------------------------------------- buffer size */

START_TEST(test_outsz_too_small)
{
    const uint32_t mixed[] = { 0, 0, 0, 1, 1, 2, 0, 0, 0, 0 };
    const uint32_t ext[] = { UINT32_MAX, 0, UINT32_MAX, UINT32_MAX };
    struct { const uint32_t *c; size_t n; uint32_t ns; } in[] = {
        { NULL, 0, 0 }, { mixed, 1, 3 }, { mixed, 10, 42 }, { ext, 4, UINT32_MAX },
    };
    char buf[128], full[128];
    for (size_t t = 0; t < sizeof in / sizeof *in; t++) {
        size_t need = codec_encode(in[t].c, in[t].n, in[t].ns, CODEC_NO_RESULT, NULL, 0);
        ck_assert_uint_eq(codec_encode(in[t].c, in[t].n, in[t].ns, CODEC_NO_RESULT, full, sizeof full), need);
        ck_assert_uint_eq(strlen(full), need);
        ck_assert_uint_eq(codec_encode(in[t].c, in[t].n, in[t].ns, CODEC_NO_RESULT, NULL, 50), need);
        for (size_t outsz = 0; outsz <= need + 1; outsz++) {
            memset(buf, '#', sizeof buf);
            size_t r = codec_encode(in[t].c, in[t].n, in[t].ns, CODEC_NO_RESULT, buf, outsz);
            ck_assert_uint_eq(r, need);
            if (outsz <= need) {
                /* no cut-off token: an empty string, nothing else written */
                size_t from = 0;
                if (outsz > 0) { ck_assert_int_eq(buf[0], '\0'); from = 1; }
                for (size_t k = from; k < sizeof buf; k++)
                    ck_assert_msg(buf[k] == '#', "outsz %zu: byte %zu written", outsz, k);
            } else {
                ck_assert_str_eq(buf, full);
                for (size_t k = need + 1; k < sizeof buf; k++)
                    ck_assert_int_eq(buf[k], '#');
            }
        }
    }
}
END_TEST

Suite *codec_suite(void)
{
    Suite *s = suite_create("codec");

    TCase *rt = test_case("roundtrip");
    tcase_set_timeout(rt, 300);
    tcase_add_test(rt, test_empty);
    tcase_add_test(rt, test_single);
    tcase_add_test(rt, test_golden);
    tcase_add_test(rt, test_long_runs);
    tcase_add_test(rt, test_extremes);
    tcase_add_test(rt, test_random_100k);
    tcase_add_test(rt, test_matches_reference);
    suite_add_tcase(s, rt);

    TCase *bad = test_case("refusals");
    tcase_add_test(bad, test_bad_prefix);
    tcase_add_test(bad, test_bad_version);
    tcase_add_test(bad, test_bad_characters);
    tcase_add_test(bad, test_bad_length);
    tcase_add_test(bad, test_checksum);
    tcase_add_test(bad, test_truncated_varints);
    tcase_add_test(bad, test_bad_numbers);
    tcase_add_test(bad, test_trailing_garbage);
    tcase_add_test(bad, test_cap);
    tcase_add_test(bad, test_err_buffer);
    suite_add_tcase(s, bad);

    TCase *dmg = test_case("damage");
    tcase_set_timeout(dmg, 300);
    tcase_add_test(dmg, test_single_substitution);
    tcase_add_test(dmg, test_other_edits);
    tcase_add_test(dmg, test_random_payloads);
    suite_add_tcase(s, dmg);

    TCase *sz = test_case("outsz");
    tcase_add_test(sz, test_outsz_too_small);
    suite_add_tcase(s, sz);
    return s;
}

#ifdef TEST_CODEC_MAIN
int main(void)
{
    SRunner *sr = srunner_create(codec_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
#endif
