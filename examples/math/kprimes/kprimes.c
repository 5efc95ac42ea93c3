/* kprimes: "kprimes N" lists the primes up to N, "kprimes -c N" counts them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmath.h>

int main(int argc, char **argv)
{
	int only_count = argc == 3 && strcmp(argv[1], "-c") == 0;
	long n, i, found = 0;
	char *end;

	if (argc != 2 + only_count) {
		fprintf(stderr, "usage: kprimes [-c] N\n");
		return 2;
	}
	n = strtol(argv[argc - 1], &end, 10);
	if (*end != '\0' || n < 0) {
		fprintf(stderr, "kprimes: not a number: %s\n", argv[argc - 1]);
		return 2;
	}
	for (i = 2; i <= n; i++) {
		if (kmath_is_prime(i)) {
			found++;
			if (!only_count)
				printf("%ld\n", i);
		}
	}
	if (only_count)
		printf("%ld\n", found);
	return 0;
}
