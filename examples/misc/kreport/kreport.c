/*
 * kreport CONFIG: reads whole numbers from stdin and prints a JSON report:
 * the title from CONFIG ("title = ..."), statistics, and the CRC-32 and
 * run-length-encoded size of the input.
 */
#include <stdio.h>
#include <stdlib.h>

#include <kcfg.h>
#include <kerr.h>
#include <khash.h>
#include <kjson.h>
#include <krle.h>
#include <kstats.h>

static void milli(struct kjson *j, const char *key, long value)
{
	char text[40];

	snprintf(text, sizeof text, "%ld.%03ld", value / 1000, labs(value % 1000));
	kjson_key(j, key);
	kjson_number_text(j, text);
}

int main(int argc, char **argv)
{
	struct kbuf input, packed;
	struct kvec numbers;
	struct kjson j;
	struct kcfg *config;
	const char *title;
	char chunk[4096], crc[16], *text, *p, *end;
	size_t n;
	int bad_line;

	if (argc != 2) {
		fprintf(stderr, "usage: kreport CONFIG <numbers\n");
		return kerr_status(KERR_USAGE);
	}
	if ((config = kcfg_load(argv[1], &bad_line)) == NULL) {
		fprintf(stderr, "kreport: %s: %s\n", argv[1], kerr_message(bad_line ? KERR_SYNTAX : KERR_IO));
		return kerr_status(bad_line ? KERR_SYNTAX : KERR_IO);
	}
	title = kcfg_get(config, "title");
	kbuf_init(&input);
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		kbuf_append(&input, chunk, n);
	kbuf_terminate(&input);
	kvec_init(&numbers);
	for (p = (char *)input.data; p != NULL && *p != '\0'; p = end) {
		long value = strtol(p, &end, 10);

		if (end == p)
			break;
		kvec_push(&numbers, value);
	}
	kbuf_init(&packed);
	krle_encode(input.data, input.len, &packed);
	snprintf(crc, sizeof crc, "%08lx", (unsigned long)khash_crc32(input.data, input.len));

	kjson_init(&j);
	kjson_begin_object(&j);
	kjson_key(&j, "title");
	kjson_string(&j, title ? title : "untitled");
	kjson_key(&j, "count");
	kjson_int(&j, (long)numbers.len);
	milli(&j, "mean", kstats_mean_milli(&numbers));
	kjson_key(&j, "median");
	kjson_int(&j, kstats_median(&numbers));
	milli(&j, "stddev", kstats_stddev_milli(&numbers));
	kjson_key(&j, "crc32");
	kjson_string(&j, crc);
	kjson_key(&j, "input_bytes");
	kjson_int(&j, (long)input.len);
	kjson_key(&j, "rle_bytes");
	kjson_int(&j, (long)packed.len);
	kjson_end_object(&j);
	if ((text = kjson_finish(&j)) == NULL)
		return kerr_status(KERR_NOMEM);
	puts(text);
	free(text);
	kcfg_free(config);
	return 0;
}
