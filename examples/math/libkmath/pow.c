#include "kmath.h"

long kmath_ipow(long base, long exp)
{
	unsigned long result = 1, b = (unsigned long)base;

	while (exp > 0) {
		if (exp & 1)
			result *= b;
		b *= b;
		exp >>= 1;
	}
	return (long)result;
}

long kmath_isqrt(long n)
{
	long lo = 0, hi = n < 2 ? n : n / 2 + 1;

	if (n < 0)
		return -1;
	while (lo < hi) {
		long mid = lo + (hi - lo + 1) / 2;

		if (mid <= n / mid)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}
