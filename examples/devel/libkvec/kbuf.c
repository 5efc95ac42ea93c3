#include <stdlib.h>
#include <string.h>

#include "kvec.h"

void kbuf_init(struct kbuf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

static int reserve(struct kbuf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 64;
	unsigned char *data;

	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	data = realloc(b->data, cap);
	if (data == NULL)
		return -1;
	b->data = data;
	b->cap = cap;
	return 0;
}

int kbuf_append(struct kbuf *b, const void *data, size_t len)
{
	if (reserve(b, len) != 0)
		return -1;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

int kbuf_putc(struct kbuf *b, unsigned char c)
{
	return kbuf_append(b, &c, 1);
}

int kbuf_terminate(struct kbuf *b)
{
	if (reserve(b, 1) != 0)
		return -1;
	b->data[b->len] = '\0';
	return 0;
}

void kbuf_free(struct kbuf *b)
{
	free(b->data);
	kbuf_init(b);
}
