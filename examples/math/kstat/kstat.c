/* kstat: reads whole numbers from stdin and prints their statistics as JSON. */
#include <stdio.h>
#include <stdlib.h>

#include <kjson.h>
#include <kstats.h>

static void milli(struct kjson *j, const char *key, long value)
{
	char text[40];

	snprintf(text, sizeof text, "%s%ld.%03ld", value < 0 ? "-" : "", labs(value) / 1000, labs(value) % 1000);
	kjson_key(j, key);
	kjson_number_text(j, text);
}

int main(void)
{
	struct kvec v;
	struct kjson j;
	long n;
	char *text;

	kvec_init(&v);
	while (scanf("%ld", &n) == 1)
		if (kvec_push(&v, n) != 0)
			return 1;
	if (!feof(stdin)) {
		fprintf(stderr, "kstat: the input holds something that is not a whole number\n");
		return 1;
	}
	kjson_init(&j);
	kjson_begin_object(&j);
	kjson_key(&j, "count");
	kjson_int(&j, (long)v.len);
	kjson_key(&j, "sum");
	kjson_int(&j, kstats_sum(&v));
	milli(&j, "mean", kstats_mean_milli(&v));
	kjson_key(&j, "median");
	kjson_int(&j, kstats_median(&v));
	milli(&j, "stddev", kstats_stddev_milli(&v));
	kjson_end_object(&j);
	if ((text = kjson_finish(&j)) == NULL)
		return 1;
	puts(text);
	free(text);
	kvec_free(&v);
	return 0;
}
