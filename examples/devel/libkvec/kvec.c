#include <stdlib.h>

#include "kvec.h"

void kvec_init(struct kvec *v)
{
	v->items = NULL;
	v->len = v->cap = 0;
}

int kvec_push(struct kvec *v, long item)
{
	if (v->len == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		long *items = realloc(v->items, cap * sizeof *items);

		if (items == NULL)
			return -1;
		v->items = items;
		v->cap = cap;
	}
	v->items[v->len++] = item;
	return 0;
}

static int compare(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

void kvec_sort(struct kvec *v)
{
	if (v->len > 1)
		qsort(v->items, v->len, sizeof *v->items, compare);
}

void kvec_free(struct kvec *v)
{
	free(v->items);
	kvec_init(v);
}
