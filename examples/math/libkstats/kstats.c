#include <kmath.h>

#include "kstats.h"

long kstats_sum(const struct kvec *v)
{
	long sum = 0;
	size_t i;

	for (i = 0; i < v->len; i++)
		sum += v->items[i];
	return sum;
}

long kstats_mean_milli(const struct kvec *v)
{
	return v->len == 0 ? 0 : kstats_sum(v) * 1000 / (long)v->len;
}

long kstats_median(struct kvec *v)
{
	if (v->len == 0)
		return 0;
	kvec_sort(v);
	return v->items[(v->len - 1) / 2];
}

long kstats_stddev_milli(const struct kvec *v)
{
	long mean = kstats_mean_milli(v), acc = 0;
	size_t i;

	if (v->len == 0)
		return 0;
	for (i = 0; i < v->len; i++) {
		long d = v->items[i] * 1000 - mean;

		acc += d * d / (long)v->len;
	}
	return kmath_isqrt(acc);
}

long kstats_gcd(const struct kvec *v)
{
	long g = 0;
	size_t i;

	for (i = 0; i < v->len; i++)
		g = kmath_gcd(g, v->items[i]);
	return g;
}
