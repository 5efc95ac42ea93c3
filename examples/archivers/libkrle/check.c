#include <stdio.h>
#include <string.h>

#include "krle.h"

int main(void)
{
	const char *text = "aaaaaaaaaabbbcdddddddddddddddddddd";
	struct kbuf packed, unpacked;

	kbuf_init(&packed);
	kbuf_init(&unpacked);
	if (krle_encode((const unsigned char *)text, strlen(text), &packed) != 0 || packed.len != 8)
		return 1;
	if (krle_decode(packed.data, packed.len, &unpacked) != 0)
		return 2;
	if (unpacked.len != strlen(text) || memcmp(unpacked.data, text, unpacked.len) != 0)
		return 3;
	if (krle_decode(packed.data, 3, &unpacked) != -2)
		return 4;
	puts("libkrle: ok");
	return 0;
}
