#include <stdio.h>
#include <string.h>

#include "ktok.h"

int main(void)
{
	struct ktok t;
	const char *want[] = { "6", "4", "gcd", "3", "mul" };
	const char *tok;
	size_t i = 0;

	ktok_init(&t, "  6 4\tgcd 3  mul \n");
	while ((tok = ktok_next(&t)) != NULL) {
		if (i >= 5 || strcmp(tok, want[i]) != 0)
			return 1;
		i++;
	}
	if (i != 5 || ktok_count("a b  c") != 3)
		return 2;
	puts("libktok: ok");
	return 0;
}
