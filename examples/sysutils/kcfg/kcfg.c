/* kcfg FILE KEY: prints the value of KEY in FILE; exit status from libkerr. */
#include <stdio.h>

#include <kcfg.h>
#include <kerr.h>

static int fail(int id, const char *what)
{
	fprintf(stderr, "kcfg: %s: %s\n", what, kerr_message(id));
	return kerr_status(id);
}

int main(int argc, char **argv)
{
	struct kcfg *c;
	const char *value;
	int bad_line;

	if (argc != 3) {
		fprintf(stderr, "usage: kcfg FILE KEY\n");
		return kerr_status(KERR_USAGE);
	}
	if ((c = kcfg_load(argv[1], &bad_line)) == NULL) {
		char where[64];

		if (bad_line == 0)
			return fail(KERR_IO, argv[1]);
		snprintf(where, sizeof where, "line %d", bad_line);
		return fail(KERR_SYNTAX, where);
	}
	if ((value = kcfg_get(c, argv[2])) == NULL)
		return fail(KERR_NOTFOUND, argv[2]);
	puts(value);
	kcfg_free(c);
	return 0;
}
