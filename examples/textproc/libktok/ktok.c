#include <ctype.h>
#include <string.h>

#include <kstr.h>

#include "ktok.h"

void ktok_init(struct ktok *t, const char *text)
{
	t->next = text;
	t->token[0] = '\0';
}

const char *ktok_next(struct ktok *t)
{
	const char *p = t->next;
	size_t len = 0;

	while (*p != '\0' && isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return NULL;
	while (*p != '\0' && !isspace((unsigned char)*p)) {
		if (len < KTOK_MAX - 1)
			t->token[len++] = *p;
		p++;
	}
	t->token[len] = '\0';
	t->next = p;
	return t->token;
}

size_t ktok_count(const char *text)
{
	return kstr_count_words(text);
}
