#include "krle.h"

int krle_decode(const unsigned char *data, size_t len, struct kbuf *out)
{
	size_t i;

	if (len % 2 != 0)
		return -2;
	for (i = 0; i < len; i += 2) {
		unsigned char run = data[i];

		if (run == 0)
			return -2;
		while (run-- > 0)
			if (kbuf_putc(out, data[i + 1]) != 0)
				return -1;
	}
	return 0;
}
