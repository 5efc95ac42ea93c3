#include "khash.h"

static uint32_t table[256];
static int ready;

static void make_table(void)
{
	uint32_t n, c;
	int k;

	for (n = 0; n < 256; n++) {
		c = n;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[n] = c;
	}
	ready = 1;
}

uint32_t khash_crc32(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t c = 0xffffffffu;

	if (!ready)
		make_table();
	while (len-- > 0)
		c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}
