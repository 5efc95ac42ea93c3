#ifndef KJSON_H
#define KJSON_H

#include <kvec.h>

#define KJSON_DEPTH 32

struct kjson {
	struct kbuf out;
	int depth;
	int after_key;
	int first[KJSON_DEPTH];
	int failed;
};

void kjson_init(struct kjson *j);
void kjson_begin_object(struct kjson *j);
void kjson_end_object(struct kjson *j);
void kjson_begin_array(struct kjson *j);
void kjson_end_array(struct kjson *j);
void kjson_key(struct kjson *j, const char *key);
void kjson_string(struct kjson *j, const char *s);
void kjson_int(struct kjson *j, long n);
/* A number given as text, such as a fixed-point "2.500". */
void kjson_number_text(struct kjson *j, const char *text);
/* The text, malloc'd (the caller frees it), or NULL when anything failed. */
char *kjson_finish(struct kjson *j);

#endif
