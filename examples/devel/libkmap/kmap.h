#ifndef KMAP_H
#define KMAP_H

#include <stddef.h>

struct kmap;

struct kmap *kmap_new(void);
/* Copies key and value. 0, or -1 when out of memory. */
int kmap_set(struct kmap *m, const char *key, const char *value);
/* The value, or NULL. */
const char *kmap_get(const struct kmap *m, const char *key);
size_t kmap_len(const struct kmap *m);
void kmap_free(struct kmap *m);

#endif
