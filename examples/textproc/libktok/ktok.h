#ifndef KTOK_H
#define KTOK_H

#include <stddef.h>

#define KTOK_MAX 256

struct ktok {
	const char *next;
	char token[KTOK_MAX];
};

void ktok_init(struct ktok *t, const char *text);
/* The next token (cut at KTOK_MAX - 1 bytes), or NULL at the end. */
const char *ktok_next(struct ktok *t);
/* How many tokens text holds. */
size_t ktok_count(const char *text);

#endif
