#ifndef KRLE_H
#define KRLE_H

#include <stddef.h>

#include <kvec.h>

/* Appends (count, byte) pairs, count 1..255, to out. 0, or -1 when out of memory. */
int krle_encode(const unsigned char *data, size_t len, struct kbuf *out);
/* Appends the decoded bytes to out. 0, -1 when out of memory, -2 on bad input. */
int krle_decode(const unsigned char *data, size_t len, struct kbuf *out);

#endif
