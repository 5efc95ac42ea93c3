#include "kold.h"
#include "kold_version.h"

const char *kold_version(void)
{
	return KOLD_VERSION;
}

unsigned kold_bsdsum(const char *s)
{
	unsigned sum = 0;

	for (; *s != '\0'; s++) {
		sum = (sum >> 1) + ((sum & 1) << 15);
		sum = (sum + (unsigned char)*s) & 0xffff;
	}
	return sum;
}
