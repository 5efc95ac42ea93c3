/* kwc: prints the lines, words and bytes of stdin or of each file. */
#include <stdio.h>
#include <string.h>

#include <ktok.h>

static int count(FILE *f, const char *name)
{
	char line[8192];
	unsigned long lines = 0, words = 0, bytes = 0;

	while (fgets(line, sizeof line, f) != NULL) {
		size_t len = strlen(line);

		bytes += len;
		if (len > 0 && line[len - 1] == '\n')
			lines++;
		words += ktok_count(line);
	}
	if (ferror(f)) {
		perror(name);
		return 1;
	}
	printf("%lu %lu %lu%s%s\n", lines, words, bytes, *name ? " " : "", name);
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0, i;

	if (argc == 1)
		return count(stdin, "");
	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");

		if (f == NULL) {
			perror(argv[i]);
			status = 1;
			continue;
		}
		status |= count(f, argv[i]);
		fclose(f);
	}
	return status;
}
