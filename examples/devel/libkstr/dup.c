#include <stdlib.h>
#include <string.h>

#include "kstr.h"

char *kstr_dup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *copy = malloc(len);

	if (copy != NULL)
		memcpy(copy, s, len);
	return copy;
}
