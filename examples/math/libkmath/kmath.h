#ifndef KMATH_H
#define KMATH_H

long kmath_gcd(long a, long b);
long kmath_lcm(long a, long b);
int kmath_is_prime(long n);
/* base to the power exp (exp >= 0), wrapping on overflow. */
long kmath_ipow(long base, long exp);
/* The largest r with r * r <= n (n >= 0). */
long kmath_isqrt(long n);

#endif
