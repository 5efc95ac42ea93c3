#include <ctype.h>
#include <string.h>

#include "kstr.h"

size_t kstr_count_words(const char *s)
{
	size_t words = 0;
	int in_word = 0;

	for (; *s != '\0'; s++) {
		if (isspace((unsigned char)*s)) {
			in_word = 0;
		} else if (!in_word) {
			in_word = 1;
			words++;
		}
	}
	return words;
}

int kstr_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}
