#ifndef KSTATS_H
#define KSTATS_H

#include <kvec.h>

long kstats_sum(const struct kvec *v);
/* The mean times 1000, rounded toward zero. */
long kstats_mean_milli(const struct kvec *v);
/* The lower median; sorts v. */
long kstats_median(struct kvec *v);
/* The population standard deviation times 1000. */
long kstats_stddev_milli(const struct kvec *v);
/* The greatest common divisor of every sample. */
long kstats_gcd(const struct kvec *v);

#endif
