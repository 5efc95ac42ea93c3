/* kimgconv: reads a PGM image on stdin and prints it as ASCII art. */
#include <stdio.h>

#include <kimg.h>

static const char ramp[] = " .:-=+*#%@";

int main(void)
{
	struct kimg *img = kimg_read_pgm(stdin);
	int x, y;

	if (img == NULL) {
		fprintf(stderr, "kimgconv: stdin is not an 8-bit binary PGM\n");
		return 1;
	}
	for (y = 0; y < img->height; y++) {
		for (x = 0; x < img->width; x++)
			putchar(ramp[img->pixels[y * img->width + x] * (sizeof ramp - 2) / 255]);
		putchar('\n');
	}
	kimg_free(img);
	return 0;
}
