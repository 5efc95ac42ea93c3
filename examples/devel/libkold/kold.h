#ifndef KOLD_H
#define KOLD_H

const char *kold_version(void);
/* The classic BSD sum(1) checksum of a string. */
unsigned kold_bsdsum(const char *s);

#endif
