#include <stdlib.h>

#include "kimg.h"

struct kimg *kimg_read_pgm(FILE *f)
{
	struct kimg *img = calloc(1, sizeof *img);
	int maxval;
	size_t size;

	if (img == NULL)
		return NULL;
	if (fscanf(f, "P5 %d %d %d", &img->width, &img->height, &maxval) != 3 || maxval != 255 || fgetc(f) == EOF) {
		free(img);
		return NULL;
	}
	img->depth = 8;
	size = (size_t)img->width * (size_t)img->height;
	img->pixels = malloc(size);
	if (img->pixels == NULL || fread(img->pixels, 1, size, f) != size) {
		kimg_free(img);
		return NULL;
	}
	return img;
}

int kimg_write_pgm(const struct kimg *img, FILE *f)
{
	size_t size = (size_t)img->width * (size_t)img->height;

	fprintf(f, "P5\n%d %d\n255\n", img->width, img->height);
	return fwrite(img->pixels, 1, size, f) == size ? 0 : -1;
}

void kimg_free(struct kimg *img)
{
	if (img != NULL)
		free(img->pixels);
	free(img);
}
