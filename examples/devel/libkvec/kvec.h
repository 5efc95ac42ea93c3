#ifndef KVEC_H
#define KVEC_H

#include <stddef.h>

struct kvec {
	long *items;
	size_t len;
	size_t cap;
};

void kvec_init(struct kvec *v);
/* 0 on success, -1 when out of memory. */
int kvec_push(struct kvec *v, long item);
void kvec_sort(struct kvec *v);
void kvec_free(struct kvec *v);

struct kbuf {
	unsigned char *data;
	size_t len;
	size_t cap;
};

void kbuf_init(struct kbuf *b);
int kbuf_append(struct kbuf *b, const void *data, size_t len);
int kbuf_putc(struct kbuf *b, unsigned char c);
/* Appends a NUL that len does not count, so data reads as a string. */
int kbuf_terminate(struct kbuf *b);
void kbuf_free(struct kbuf *b);

#endif
