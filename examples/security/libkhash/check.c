#include <stdio.h>

#include "khash.h"

int main(void)
{
	if (khash_crc32("123456789", 9) != 0xcbf43926u)
		return 1;
	if (khash_fnv1a32("", 0) != 0x811c9dc5u || khash_fnv1a32("a", 1) != 0xe40c292cu)
		return 2;
	if (khash_fnv1a64("a", 1) != 0xaf63dc4c8601ec8cu)
		return 3;
	puts("libkhash: ok");
	return 0;
}
