/*
** codec.c -- schedule tokens: "w2." + base64url (no padding) of a payload of
** LEB128 varints (nsteps, result, run count, then value/repeat pairs) and a
** big-endian CRC-16/GENIBUS of the prefix and those bytes; "w1." tokens
** have no result, and their CRC covers the payload only. Checking choices against a scenario is
** the replayer's job. Invariant: decode accepts only what encode writes, so
** decoding a token and encoding the result gives back the same token.
*/
#include "report/codec.h"

#include <stdarg.h>
#include <stdio.h>

#define PREFIX_LEN 3              /* "w1." or "w2." */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#define CRC_BYTES  2
#define CRC_INIT   0xFFFFu
#define CRC_XOROUT 0xFFFFu

/*
** CRC-16/GENIBUS (poly 0x1021, init and final xor 0xFFFF, MSB first; check
** value 0xD64E). Base64 maps each character to 6 consecutive bits of the same
** MSB-first bit stream, and a 16-bit CRC detects every error burst of up to
** 16 bits, so changing any one character of a token's body, or swapping two
** neighbours, always breaks the check. The final xor keeps a valid token with
** zero bytes ("AAA") appended from passing it.
*/
static uint16_t crc16_byte(uint16_t crc, uint8_t b)
{
    crc ^= (uint16_t)(b << 8);
    for (int i = 0; i < 8; i++)
        crc = (uint16_t)(((unsigned)crc << 1) ^ ((crc & 0x8000u) ? 0x1021u : 0u));
    return crc;
}

/* The CRC before the payload: version 2 and later check their prefix too,
** so that a changed version digit does not reinterpret the payload. */
static uint16_t crc_start(int version)
{
    uint16_t crc = CRC_INIT;
    if (version >= 2) {
        crc = crc16_byte(crc, 'w');
        crc = crc16_byte(crc, (uint8_t)('0' + version));
        crc = crc16_byte(crc, '.');
    }
    return crc;
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

/* Characters needed for nbytes bytes of unpadded base64. */
static size_t b64_len(size_t nbytes)
{
    static const size_t tail[3] = { 0, 2, 3 };
    return nbytes / 3 * 4 + tail[nbytes % 3];
}

/* ---------------------------------------------------------------- encode */

/* Where payload bytes go: counted always, CRC'd always, written as base64
** when out is set. */
struct sink {
    char *out;
    size_t pos;          /* characters written to out */
    size_t nbytes;       /* payload bytes seen */
    uint16_t crc;
    uint32_t acc;        /* bits not yet written, low `bits` bits valid */
    int bits;
};

static void b64_put(struct sink *s, uint8_t b)
{
    s->acc = (s->acc << 8) | b;
    s->bits += 8;
    while (s->bits >= 6) {
        s->bits -= 6;
        s->out[s->pos++] = b64_alphabet[(s->acc >> s->bits) & 63u];
    }
    s->acc &= (1u << s->bits) - 1u;
}

static void b64_flush(struct sink *s)
{
    if (s->bits > 0)
        s->out[s->pos++] = b64_alphabet[(s->acc << (6 - s->bits)) & 63u];
    s->bits = 0;
    s->acc = 0;
}

static void sink_byte(struct sink *s, uint8_t b)
{
    s->nbytes++;
    s->crc = crc16_byte(s->crc, b);
    if (s->out)
        b64_put(s, b);
}

static void sink_varint(struct sink *s, uint64_t v)
{
    while (v >= 0x80) {
        sink_byte(s, (uint8_t)(v | 0x80u));
        v >>= 7;
    }
    sink_byte(s, (uint8_t)v);
}

static uint64_t count_runs(const uint32_t *choices, size_t n)
{
    uint64_t runs = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || choices[i] != choices[i - 1])
            runs++;
    return runs;
}

/* The payload without its CRC: nsteps, the result (version 2), run count,
** (value, repeat) pairs. */
static void emit_payload(struct sink *s, const uint32_t *choices, size_t n,
                         uint32_t nsteps, int result, uint64_t nruns)
{
    sink_varint(s, nsteps);
    if (result != CODEC_NO_RESULT)
        sink_varint(s, (uint64_t)result);
    sink_varint(s, nruns);
    for (size_t i = 0; i < n; ) {
        size_t j = i + 1;
        while (j < n && choices[j] == choices[i])
            j++;
        sink_varint(s, choices[i]);
        sink_varint(s, (uint64_t)(j - i));
        i = j;
    }
}

size_t codec_encode(const uint32_t *choices, size_t n, uint32_t nsteps, int result,
                    char *out, size_t outsz)
{
    if (result < CODEC_NO_RESULT || result > CODEC_MAX_RESULT)
        result = CODEC_NO_RESULT;

    /* A run costs at most 6 payload bytes per choice it holds, so this bound
    ** keeps every length below far from overflow; no real array is that
    ** long on a 64-bit host. */
    if (n > SIZE_MAX / 16) {
        if (out && outsz > 0)
            out[0] = '\0';
        return SIZE_MAX;
    }
    uint64_t nruns = count_runs(choices, n);

    int version = result == CODEC_NO_RESULT ? 1 : 2;
    struct sink s = { .crc = crc_start(version) };
    emit_payload(&s, choices, n, nsteps, result, nruns);
    size_t need = PREFIX_LEN + b64_len(s.nbytes + CRC_BYTES);

    /* Too small: an empty string rather than a cut-off token that could
    ** later be pasted as if it were whole. */
    if (!out || outsz <= need) {
        if (out && outsz > 0)
            out[0] = '\0';
        return need;
    }

    out[0] = 'w';
    out[1] = (char)('0' + version);
    out[2] = '.';
    s = (struct sink){ .out = out + PREFIX_LEN, .crc = crc_start(version) };
    emit_payload(&s, choices, n, nsteps, result, nruns);
    uint16_t crc = (uint16_t)(s.crc ^ CRC_XOROUT);
    b64_put(&s, (uint8_t)(crc >> 8));
    b64_put(&s, (uint8_t)(crc & 0xFFu));
    b64_flush(&s);
    out[PREFIX_LEN + s.pos] = '\0';
    return PREFIX_LEN + s.pos;
}

/* ---------------------------------------------------------------- decode */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(char *err, size_t errsz, const char *fmt, ...)
{
    if (err && errsz > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsz, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Bytes of a body whose characters have already been checked. */
struct reader {
    const char *body;
    size_t pos;          /* next character */
    size_t nread;        /* bytes returned so far */
    size_t limit;        /* payload bytes, CRC excluded */
    uint32_t acc;
    int bits;
};

static uint8_t read_byte(struct reader *r)
{
    while (r->bits < 8) {
        r->acc = (r->acc << 6) | (uint32_t)b64_value((unsigned char)r->body[r->pos++]);
        r->bits += 6;
    }
    r->bits -= 8;
    uint8_t b = (uint8_t)(r->acc >> r->bits);
    r->acc &= (1u << r->bits) - 1u;
    r->nread++;
    return b;
}

/* One minimal LEB128 varint of at most max: 0, or -1 with err set. */
static int read_varint(struct reader *r, uint64_t max, const char *what,
                       uint64_t *v, char *err, size_t errsz)
{
    size_t start = r->nread;
    uint64_t x = 0;
    for (int shift = 0;; shift += 7) {
        if (r->nread >= r->limit)
            return fail(err, errsz, "schedule token ends inside the %s "
                        "(truncated varint at payload byte %zu)", what, start);
        uint8_t b = read_byte(r);
        uint64_t low = b & 0x7Fu;
        if (shift > 63 || (shift > 0 && (low << shift) >> shift != low))
            return fail(err, errsz, "the %s at payload byte %zu does not fit "
                        "in 64 bits", what, start);
        x |= low << shift;
        if (!(b & 0x80u)) {
            if (b == 0 && shift > 0)
                return fail(err, errsz, "the %s at payload byte %zu has "
                            "needless trailing zero bytes (not canonical)",
                            what, start);
            break;
        }
    }
    if (x > max)
        return fail(err, errsz, "the %s at payload byte %zu is %llu, more "
                    "than %llu", what, start, (unsigned long long)x,
                    (unsigned long long)max);
    *v = x;
    return 0;
}

/* Parse a CRC-checked payload. With choices NULL only validate (and count);
** otherwise store, which cannot fail after a successful validation. */
static int parse_payload(struct reader *r, unsigned long version, uint32_t *choices,
                         size_t cap, size_t *n, uint32_t *nsteps, int *result,
                         char *err, size_t errsz)
{
    uint64_t steps, nruns, value, count, prev = 0, res = 0;
    size_t total = 0;

    if (read_varint(r, UINT32_MAX, "step count", &steps, err, errsz) < 0 ||
        (version >= 2 &&
         read_varint(r, CODEC_MAX_RESULT, "result", &res, err, errsz) < 0) ||
        read_varint(r, UINT64_MAX, "run count", &nruns, err, errsz) < 0)
        return -1;
    for (uint64_t i = 0; i < nruns; i++) {
        if (read_varint(r, UINT32_MAX, "choice value", &value, err, errsz) < 0 ||
            read_varint(r, UINT64_MAX, "repeat count", &count, err, errsz) < 0)
            return -1;
        if (count == 0)
            return fail(err, errsz, "run %llu of the schedule token repeats "
                        "its value zero times (not canonical)",
                        (unsigned long long)i + 1);
        if (i > 0 && value == prev)
            return fail(err, errsz, "runs %llu and %llu of the schedule token "
                        "hold the same value (not canonical)",
                        (unsigned long long)i, (unsigned long long)i + 1);
        if (count > cap - total)
            return fail(err, errsz, "schedule token holds more than %zu "
                        "choices, the most this run accepts", cap);
        if (choices)
            for (uint64_t k = 0; k < count; k++)
                choices[total + k] = (uint32_t)value;
        total += (size_t)count;
        prev = value;
    }
    if (r->nread < r->limit)
        return fail(err, errsz, "schedule token has %zu unexpected byte%s after "
                    "its last run (trailing garbage)", r->limit - r->nread,
                    r->limit - r->nread == 1 ? "" : "s");
    *n = total;
    *nsteps = (uint32_t)steps;
    *result = version >= 2 ? (int)res : CODEC_NO_RESULT;
    return 0;
}

int codec_decode(const char *token, uint32_t *choices, size_t cap, size_t *n,
                 uint32_t *nsteps, int *result, char *err, size_t errsz)
{
    static const char not_token[] = "not a weft schedule token";

    if (err && errsz > 0)
        err[0] = '\0';
    if (!token || token[0] != 'w' || token[1] < '0' || token[1] > '9')
        return fail(err, errsz, "%s", not_token);

    /* "w<version>." with a decimal version, no leading zeros. */
    size_t nd = 0;
    unsigned long version = 0;
    while (token[1 + nd] >= '0' && token[1 + nd] <= '9') {
        if (nd == 9)
            return fail(err, errsz, "%s", not_token);
        version = version * 10 + (unsigned long)(token[1 + nd] - '0');
        nd++;
    }
    if (token[1 + nd] != '.' || (token[1] == '0' && nd > 1))
        return fail(err, errsz, "%s", not_token);
    if (version < 1 || version > CODEC_VERSION)
        return fail(err, errsz, "schedule token version %lu is not supported "
                    "by this weft (it reads versions 1 to %d)", version, CODEC_VERSION);

    const char *body = token + 2 + nd;
    size_t len = 0;
    for (; body[len] != '\0'; len++) {
        unsigned char c = (unsigned char)body[len];
        if (b64_value(c) < 0) {
            char shown[8];
            if (c >= 0x21 && c <= 0x7E)
                snprintf(shown, sizeof shown, "'%c'", c);
            else if (c == ' ')
                snprintf(shown, sizeof shown, "space");
            else
                snprintf(shown, sizeof shown, "\\x%02X", c);
            return fail(err, errsz, "invalid character %s at position %zu of "
                        "the schedule token (only A-Z a-z 0-9 - _ may follow "
                        "\"w%lu.\")", shown, 2 + nd + len + 1, version);
        }
    }
    if (len % 4 == 1 || len < 3)
        return fail(err, errsz, "schedule token is %s: the token is damaged "
                    "or incomplete", len % 4 == 1 ? "an impossible length" : "too short");
    /* 4 characters carry 3 bytes; a tail of 2 or 3 carries 1 or 2 and
    ** leaves 4 or 2 bits over, which encode always writes as zero. */
    size_t nbytes = len / 4 * 3 + (len % 4 == 3 ? 2 : len % 4 == 2 ? 1 : 0);
    int spare = len % 4 == 2 ? 4 : len % 4 == 3 ? 2 : 0;
    if (spare > 0 && (b64_value((unsigned char)body[len - 1]) & ((1 << spare) - 1)))
        return fail(err, errsz, "last character of the schedule token is "
                    "wrong: the token is damaged or incomplete");

    struct reader r = { .body = body, .limit = nbytes };
    uint16_t crc = crc_start((int)version);
    for (size_t i = 0; i < nbytes - CRC_BYTES; i++)
        crc = crc16_byte(crc, read_byte(&r));
    crc ^= CRC_XOROUT;
    uint16_t stored = (uint16_t)(read_byte(&r) << 8);
    stored |= read_byte(&r);
    if (crc != stored)
        return fail(err, errsz, "checksum mismatch: the token is damaged or incomplete");

    size_t count;
    uint32_t steps;
    int res;
    r = (struct reader){ .body = body, .limit = nbytes - CRC_BYTES };
    if (parse_payload(&r, version, NULL, cap, &count, &steps, &res, err, errsz) < 0)
        return -1;
    if (choices && count > 0) {
        r = (struct reader){ .body = body, .limit = nbytes - CRC_BYTES };
        parse_payload(&r, version, choices, cap, &count, &steps, &res, NULL, 0);
    }
    if (n)
        *n = count;
    if (nsteps)
        *nsteps = steps;
    if (result)
        *result = res;
    return 0;
}
