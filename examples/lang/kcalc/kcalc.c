/*
 * kcalc: a Reverse Polish calculator. Each input line is evaluated on
 * its own and its top number printed. The words are those of ops.kgen,
 * made into op_table.[ch] by kgen when kcalc is built.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmath.h>
#include <ktok.h>

#include "op_table.h"

#define STACK_MAX 64

static long stack[STACK_MAX];
static int depth;

static int apply(int op)
{
	long b = depth > 0 ? stack[depth - 1] : 0;
	long a = depth > 1 ? stack[depth - 2] : 0;

	if (depth < op_table[op].number)
		return -1;
	depth -= (int)op_table[op].number;
	switch (op) {
	case OP_ADD: stack[depth++] = a + b; break;
	case OP_SUB: stack[depth++] = a - b; break;
	case OP_MUL: stack[depth++] = a * b; break;
	case OP_DIV: if (b == 0) return -1; stack[depth++] = a / b; break;
	case OP_MOD: if (b == 0) return -1; stack[depth++] = a % b; break;
	case OP_GCD: stack[depth++] = kmath_gcd(a, b); break;
	case OP_LCM: stack[depth++] = kmath_lcm(a, b); break;
	case OP_POW: stack[depth++] = kmath_ipow(a, b); break;
	case OP_SQRT: stack[depth++] = kmath_isqrt(b); break;
	case OP_NEG: stack[depth++] = -b; break;
	case OP_DUP:
		if (depth + 2 > STACK_MAX)
			return -1;
		stack[depth++] = b;
		stack[depth++] = b;
		break;
	case OP_PRIME: stack[depth++] = kmath_is_prime(b); break;
	default: return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char line[4096];
	int lineno = 0, status = 0, i;

	if (argc == 2 && strcmp(argv[1], "-l") == 0) {
		for (i = 0; i < OP_COUNT; i++)
			printf("%-6s %ld  %s\n", op_table[i].name, op_table[i].number, op_table[i].text);
		return 0;
	}
	while (fgets(line, sizeof line, stdin) != NULL) {
		struct ktok t;
		const char *word;

		lineno++;
		depth = 0;
		ktok_init(&t, line);
		while ((word = ktok_next(&t)) != NULL) {
			char *end;
			long n;

			errno = 0;
			n = strtol(word, &end, 10);
			if (*end == '\0' && errno == 0) {
				if (depth == STACK_MAX)
					break;
				stack[depth++] = n;
			} else if (op_lookup(word) < 0) {
				fprintf(stderr, "kcalc: line %d: unknown word '%s' (kcalc -l lists them)\n", lineno, word);
				status = 1;
				break;
			} else if (apply(op_lookup(word)) != 0) {
				fprintf(stderr, "kcalc: line %d: cannot apply '%s' here\n", lineno, word);
				status = 1;
				break;
			}
		}
		if (depth > 0 && word == NULL)
			printf("%ld\n", stack[depth - 1]);
	}
	return status;
}
