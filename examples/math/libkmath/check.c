#include <stdio.h>

#include "kmath.h"

int main(void)
{
	if (kmath_gcd(84, -36) != 12 || kmath_lcm(4, 6) != 12)
		return 1;
	if (!kmath_is_prime(7919) || kmath_is_prime(7917) || kmath_is_prime(1))
		return 2;
	if (kmath_ipow(2, 10) != 1024 || kmath_ipow(7, 0) != 1)
		return 3;
	if (kmath_isqrt(99) != 9 || kmath_isqrt(100) != 10 || kmath_isqrt(0) != 0)
		return 4;
	puts("libkmath: ok");
	return 0;
}
