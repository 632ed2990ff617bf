/*
** codec.h -- schedule tokens: the printable, versioned form of one execution.
** A token lists the choices the explorer made (thread ids at scheduling
** points with more than one runnable thread, values at data choices), the
** execution's step count and, from version 2 on, the result the execution
** ended in (a small number the codec does not interpret), so that a replay
** can say when it ends differently. Decoding checks version and checksum;
** matching the choices against a scenario is the replayer's job.
*/
#ifndef WEFT_CODEC_H
#define WEFT_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define CODEC_VERSION   2    /* what encode writes when it has a result */
#define CODEC_NO_RESULT (-1) /* a version-1 token: no result recorded */
#define CODEC_MAX_RESULT 63

/* Write the token for choices[0..n), nsteps and result (0..CODEC_MAX_RESULT,
** or CODEC_NO_RESULT for a version-1 token) into out (NUL-terminated).
** Returns the token length, or the length it would need when outsz is too
** small (snprintf-style). */
size_t codec_encode(const uint32_t *choices, size_t n, uint32_t nsteps, int result,
                    char *out, size_t outsz);

/* Parse token (version 1 or 2) into choices (at most cap entries) and the
** recorded result (CODEC_NO_RESULT for version 1): 0, or -1 with a one-line
** reason in err ("unknown version 7", "checksum mismatch", ...). */
int codec_decode(const char *token, uint32_t *choices, size_t cap, size_t *n,
                 uint32_t *nsteps, int *result, char *err, size_t errsz);

#endif
