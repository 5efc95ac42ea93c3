#include "krle.h"

int krle_encode(const unsigned char *data, size_t len, struct kbuf *out)
{
	size_t i = 0;

	while (i < len) {
		unsigned char byte = data[i];
		size_t run = 1;

		while (i + run < len && data[i + run] == byte && run < 255)
			run++;
		if (kbuf_putc(out, (unsigned char)run) != 0 || kbuf_putc(out, byte) != 0)
			return -1;
		i += run;
	}
	return 0;
}
