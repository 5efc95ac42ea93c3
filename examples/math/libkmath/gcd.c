#include "kmath.h"

long kmath_gcd(long a, long b)
{
	if (a < 0)
		a = -a;
	if (b < 0)
		b = -b;
	while (b != 0) {
		long t = a % b;

		a = b;
		b = t;
	}
	return a;
}

long kmath_lcm(long a, long b)
{
	long g = kmath_gcd(a, b);

	return g == 0 ? 0 : (a / g) * b;
}
