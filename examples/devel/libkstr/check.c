#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kstr.h"

int main(void)
{
	char text[] = "  Hello, kiln  ";
	char *copy;

	if (strcmp(kstr_trim(text), "Hello, kiln") != 0)
		return 1;
	kstr_upper(text);
	if (strcmp(text, "HELLO, KILN") != 0)
		return 2;
	if (kstr_count_words(" one two\tthree\n") != 3)
		return 3;
	copy = kstr_dup(text);
	if (copy == NULL || !kstr_starts_with(copy, "HELLO"))
		return 4;
	free(copy);
	puts("libkstr: ok");
	return 0;
}
