#include <ctype.h>
#include <string.h>

#include "kstr.h"

char *kstr_trim(char *s)
{
	size_t len = strlen(s);
	size_t start = 0;

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	while (start < len && isspace((unsigned char)s[start]))
		start++;
	memmove(s, s + start, len - start + 1);
	return s;
}
