/* kfmt [-w WIDTH]: fills the paragraphs of stdin to WIDTH columns (default 72). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kstr.h>

static size_t width = 72, column;

static void word(const char *w)
{
	size_t len = strlen(w);

	if (column > 0 && column + 1 + len > width) {
		putchar('\n');
		column = 0;
	}
	if (column > 0) {
		putchar(' ');
		column++;
	}
	fputs(w, stdout);
	column += len;
}

int main(int argc, char **argv)
{
	char line[8192];
	int paragraphs = 0, in_paragraph = 0;

	if (argc == 3 && strcmp(argv[1], "-w") == 0 && atoi(argv[2]) > 0) {
		width = (size_t)atoi(argv[2]);
	} else if (argc != 1) {
		fprintf(stderr, "usage: kfmt [-w WIDTH]\n");
		return 2;
	}
	while (fgets(line, sizeof line, stdin) != NULL) {
		char *w;

		if (*kstr_trim(line) == '\0') {
			if (in_paragraph)
				putchar('\n');
			in_paragraph = 0;
			column = 0;
			continue;
		}
		if (!in_paragraph && paragraphs++ > 0)
			putchar('\n');
		in_paragraph = 1;
		for (w = strtok(line, " \t"); w != NULL; w = strtok(NULL, " \t"))
			word(w);
	}
	if (in_paragraph)
		putchar('\n');
	return 0;
}
