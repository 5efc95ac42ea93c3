#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmap.h>
#include <kstr.h>
#include <ktok.h>

#include "kcfg.h"

struct kcfg {
	struct kmap *map;
};

static int parse_line(struct kcfg *c, char *line)
{
	char *eq, *key, *value;

	kstr_trim(line);
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	if ((eq = strchr(line, '=')) == NULL)
		return -1;
	*eq = '\0';
	key = kstr_trim(line);
	value = kstr_trim(eq + 1);
	if (ktok_count(key) != 1)
		return -1;
	return kmap_set(c->map, key, value) == 0 ? 0 : -2;
}

struct kcfg *kcfg_parse(const char *text, int *bad_line)
{
	struct kcfg *c = malloc(sizeof *c);
	char *copy = kstr_dup(text), *line, *next;
	int lineno = 0;

	*bad_line = 0;
	if (c == NULL || copy == NULL || (c->map = kmap_new()) == NULL) {
		free(c);
		free(copy);
		return NULL;
	}
	for (line = copy; line != NULL; line = next) {
		int r;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		if ((r = parse_line(c, line)) != 0) {
			*bad_line = r == -1 ? lineno : 0;
			kcfg_free(c);
			free(copy);
			return NULL;
		}
	}
	free(copy);
	return c;
}

struct kcfg *kcfg_load(const char *path, int *bad_line)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	struct kcfg *c = NULL;

	*bad_line = 0;
	if (f == NULL)
		return NULL;
	do {
		if (len + 1024 > cap) {
			char *bigger = realloc(text, cap = cap * 2 + 1024);

			if (bigger == NULL)
				goto out;
			text = bigger;
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (!ferror(f)) {
		text[len] = '\0';
		c = kcfg_parse(text, bad_line);
	}
out:
	free(text);
	fclose(f);
	return c;
}

const char *kcfg_get(const struct kcfg *c, const char *key)
{
	return kmap_get(c->map, key);
}

size_t kcfg_len(const struct kcfg *c)
{
	return kmap_len(c->map);
}

void kcfg_free(struct kcfg *c)
{
	if (c == NULL)
		return;
	kmap_free(c->map);
	free(c);
}
