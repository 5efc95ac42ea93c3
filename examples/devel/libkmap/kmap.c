#include <stdlib.h>
#include <string.h>

#include <khash.h>
#include <kstr.h>

#include "kmap.h"

struct slot {
	char *key;
	char *value;
};

struct kmap {
	struct slot *slots;
	size_t cap;
	size_t len;
};

struct kmap *kmap_new(void)
{
	struct kmap *m = calloc(1, sizeof *m);

	if (m == NULL)
		return NULL;
	m->cap = 16;
	m->slots = calloc(m->cap, sizeof *m->slots);
	if (m->slots == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

static struct slot *find(const struct kmap *m, const char *key)
{
	size_t i = khash_fnv1a32(key, strlen(key)) & (m->cap - 1);

	while (m->slots[i].key != NULL && strcmp(m->slots[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

static int grow(struct kmap *m)
{
	struct kmap bigger = { NULL, m->cap * 2, 0 };
	size_t i;

	bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
	if (bigger.slots == NULL)
		return -1;
	for (i = 0; i < m->cap; i++) {
		if (m->slots[i].key != NULL) {
			*find(&bigger, m->slots[i].key) = m->slots[i];
			bigger.len++;
		}
	}
	free(m->slots);
	*m = bigger;
	return 0;
}

int kmap_set(struct kmap *m, const char *key, const char *value)
{
	struct slot *s;
	char *copy;

	if ((m->len + 1) * 2 > m->cap && grow(m) != 0)
		return -1;
	s = find(m, key);
	if ((copy = kstr_dup(value)) == NULL)
		return -1;
	if (s->key == NULL) {
		if ((s->key = kstr_dup(key)) == NULL) {
			free(copy);
			return -1;
		}
		m->len++;
	} else {
		free(s->value);
	}
	s->value = copy;
	return 0;
}

const char *kmap_get(const struct kmap *m, const char *key)
{
	return find(m, key)->value;
}

size_t kmap_len(const struct kmap *m)
{
	return m->len;
}

void kmap_free(struct kmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->cap; i++) {
		free(m->slots[i].key);
		free(m->slots[i].value);
	}
	free(m->slots);
	free(m);
}
