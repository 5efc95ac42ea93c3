/*
 * krle: "krle -c" packs stdin to stdout, "krle -d" unpacks. A packed
 * stream is "KRLE", the CRC-32 of the original (4 bytes, big-endian),
 * then libkrle's (count, byte) pairs. Unpacking checks the CRC.
 */
#include <stdio.h>
#include <string.h>

#include <khash.h>
#include <krle.h>

static int slurp(struct kbuf *b)
{
	unsigned char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		if (kbuf_append(b, chunk, n) != 0)
			return -1;
	return ferror(stdin) ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct kbuf in, out;
	uint32_t crc;

	if (argc != 2 || (strcmp(argv[1], "-c") != 0 && strcmp(argv[1], "-d") != 0)) {
		fprintf(stderr, "usage: krle -c | -d  (stdin to stdout)\n");
		return 2;
	}
	kbuf_init(&in);
	kbuf_init(&out);
	if (slurp(&in) != 0) {
		fprintf(stderr, "krle: cannot read its input\n");
		return 1;
	}
	if (argv[1][1] == 'c') {
		crc = khash_crc32(in.data, in.len);
		unsigned char head[8] = { 'K', 'R', 'L', 'E', crc >> 24, crc >> 16, crc >> 8, crc };

		if (kbuf_append(&out, head, sizeof head) != 0 || krle_encode(in.data, in.len, &out) != 0)
			return 1;
	} else {
		if (in.len < 8 || memcmp(in.data, "KRLE", 4) != 0 || krle_decode(in.data + 8, in.len - 8, &out) != 0) {
			fprintf(stderr, "krle: not a krle stream\n");
			return 1;
		}
		crc = (uint32_t)in.data[4] << 24 | (uint32_t)in.data[5] << 16 | (uint32_t)in.data[6] << 8 | in.data[7];
		if (khash_crc32(out.data, out.len) != crc) {
			fprintf(stderr, "krle: CRC mismatch: the stream is damaged\n");
			return 1;
		}
	}
	fwrite(out.data, 1, out.len, stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}
