#ifndef KCFG_H
#define KCFG_H

#include <stddef.h>

struct kcfg;

/*
 * Parses "key = value" lines; blank lines and lines starting with '#'
 * are skipped; a key is one word. NULL on a bad line (its number is put
 * in *bad_line) or when out of memory (*bad_line is 0).
 */
struct kcfg *kcfg_parse(const char *text, int *bad_line);
/* Reads and parses a file; NULL with *bad_line 0 when it cannot be read. */
struct kcfg *kcfg_load(const char *path, int *bad_line);
const char *kcfg_get(const struct kcfg *c, const char *key);
size_t kcfg_len(const struct kcfg *c);
void kcfg_free(struct kcfg *c);

#endif
