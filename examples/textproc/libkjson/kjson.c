#include <stdio.h>
#include <string.h>

#include <kstr.h>

#include "kjson.h"

void kjson_init(struct kjson *j)
{
	memset(j, 0, sizeof *j);
	kbuf_init(&j->out);
	j->first[0] = 1;
}

static void put(struct kjson *j, const char *s)
{
	if (kbuf_append(&j->out, s, strlen(s)) != 0)
		j->failed = 1;
}

/* The comma before a value or key, unless it is the first or follows a key. */
static void separate(struct kjson *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (!j->first[j->depth])
		put(j, ",");
	j->first[j->depth] = 0;
}

static void open(struct kjson *j, const char *bracket)
{
	separate(j);
	put(j, bracket);
	if (j->depth + 1 >= KJSON_DEPTH) {
		j->failed = 1;
		return;
	}
	j->first[++j->depth] = 1;
}

static void close_(struct kjson *j, const char *bracket)
{
	put(j, bracket);
	if (j->depth > 0)
		j->depth--;
}

void kjson_begin_object(struct kjson *j) { open(j, "{"); }
void kjson_end_object(struct kjson *j) { close_(j, "}"); }
void kjson_begin_array(struct kjson *j) { open(j, "["); }
void kjson_end_array(struct kjson *j) { close_(j, "]"); }

static void string(struct kjson *j, const char *s)
{
	char escape[8];

	put(j, "\"");
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			snprintf(escape, sizeof escape, "\\%c", c);
			put(j, escape);
		} else if (c < 0x20) {
			snprintf(escape, sizeof escape, "\\u%04x", c);
			put(j, escape);
		} else if (kbuf_putc(&j->out, c) != 0) {
			j->failed = 1;
		}
	}
	put(j, "\"");
}

void kjson_key(struct kjson *j, const char *key)
{
	separate(j);
	string(j, key);
	put(j, ":");
	j->after_key = 1;
}

void kjson_string(struct kjson *j, const char *s)
{
	separate(j);
	string(j, s);
}

void kjson_int(struct kjson *j, long n)
{
	char text[32];

	snprintf(text, sizeof text, "%ld", n);
	kjson_number_text(j, text);
}

void kjson_number_text(struct kjson *j, const char *text)
{
	separate(j);
	put(j, text);
}

char *kjson_finish(struct kjson *j)
{
	char *text = NULL;

	if (!j->failed && kbuf_terminate(&j->out) == 0)
		text = kstr_dup((const char *)j->out.data);
	kbuf_free(&j->out);
	return text;
}
