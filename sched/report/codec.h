/*
** codec.h -- schedule tokens: the printable, versioned form of one execution.
** A token lists the choices the explorer made (thread ids at scheduling
** points with more than one runnable thread, values at data choices) and the
** execution's step count. Decoding checks version and checksum; matching the
** choices against a scenario is the replayer's job, not the codec's.
*/
#ifndef WEFT_CODEC_H
#define WEFT_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define CODEC_VERSION 1

/* Write the token for choices[0..n) and nsteps into out (NUL-terminated).
** Returns the token length, or the length it would need when outsz is too
** small (snprintf-style). */
size_t codec_encode(const uint32_t *choices, size_t n, uint32_t nsteps,
                    char *out, size_t outsz);

/* Parse token into choices (at most cap entries): 0, or -1 with a
** one-line reason in err ("unknown version 7", "checksum mismatch", ...). */
int codec_decode(const char *token, uint32_t *choices, size_t cap, size_t *n,
                 uint32_t *nsteps, char *err, size_t errsz);

#endif
