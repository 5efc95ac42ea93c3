#include <stdio.h>

#include "kstats.h"

int main(void)
{
	long samples[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct kvec v;
	size_t i;

	kvec_init(&v);
	for (i = 0; i < sizeof samples / sizeof samples[0]; i++)
		kvec_push(&v, samples[i]);
	if (kstats_sum(&v) != 40 || kstats_mean_milli(&v) != 5000)
		return 1;
	if (kstats_stddev_milli(&v) != 2000)
		return 2;
	if (kstats_median(&v) != 4 || kstats_gcd(&v) != 1)
		return 3;
	kvec_free(&v);
	puts("libkstats: ok");
	return 0;
}
