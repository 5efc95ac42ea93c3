#include "kmath.h"

int kmath_is_prime(long n)
{
	long d;

	if (n < 2)
		return 0;
	if (n % 2 == 0)
		return n == 2;
	for (d = 3; d <= n / d; d += 2)
		if (n % d == 0)
			return 0;
	return 1;
}
