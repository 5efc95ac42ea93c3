#include <stdio.h>
#include <string.h>

#include "kvec.h"

int main(void)
{
	struct kvec v;
	struct kbuf b;
	long i;

	kvec_init(&v);
	for (i = 100; i > 0; i--)
		if (kvec_push(&v, i) != 0)
			return 1;
	kvec_sort(&v);
	if (v.len != 100 || v.items[0] != 1 || v.items[99] != 100)
		return 2;
	kvec_free(&v);
	kbuf_init(&b);
	for (i = 0; i < 1000; i++)
		kbuf_putc(&b, 'k');
	kbuf_append(&b, "iln", 3);
	kbuf_terminate(&b);
	if (b.len != 1003 || strcmp((char *)b.data + 999, "kiln") != 0)
		return 3;
	kbuf_free(&b);
	puts("libkvec: ok");
	return 0;
}
