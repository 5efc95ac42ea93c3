#include "khash.h"

uint32_t khash_fnv1a32(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t h = 0x811c9dc5u;

	while (len-- > 0) {
		h ^= *p++;
		h *= 0x01000193u;
	}
	return h;
}

uint64_t khash_fnv1a64(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325u;

	while (len-- > 0) {
		h ^= *p++;
		h *= 0x100000001b3u;
	}
	return h;
}
