#ifndef KSTR_H
#define KSTR_H

#include <stddef.h>

/* Removes leading and trailing blanks in place; returns s. */
char *kstr_trim(char *s);
void kstr_upper(char *s);
void kstr_lower(char *s);
/* Blank-separated words in s. */
size_t kstr_count_words(const char *s);
/* A malloc'd copy of s, or NULL. */
char *kstr_dup(const char *s);
int kstr_starts_with(const char *s, const char *prefix);

#endif
