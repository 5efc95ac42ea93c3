#include <stdio.h>

#include "kimg.h"

int main(void)
{
	FILE *f = tmpfile();
	struct kimg *img;

	if (f == NULL)
		return 1;
	fputs("P5\n2 1\n255\n\x10\x20", f);
	rewind(f);
	if ((img = kimg_read_pgm(f)) == NULL || img->width != 2 || img->pixels[1] != 0x20)
		return 2;
	kimg_free(img);
	puts("libkimg: ok");
	return 0;
}
