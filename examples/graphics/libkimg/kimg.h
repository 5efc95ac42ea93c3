#ifndef KIMG_H
#define KIMG_H

#include <stdio.h>

/* An 8-bit greyscale image. (0.8 dropped the "depth" field: always 8 bits now.) */
struct kimg {
	int width;
	int height;
	unsigned char *pixels;
};

/* Reads a binary PGM (P5) with maxval 255; NULL on bad input. */
struct kimg *kimg_read_pgm(FILE *f);
int kimg_write_pgm(const struct kimg *img, FILE *f);
void kimg_free(struct kimg *img);

#endif
