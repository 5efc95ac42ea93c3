#include <stdio.h>
#include <string.h>

#include "kmap.h"

int main(void)
{
	struct kmap *m = kmap_new();
	char key[32], value[32];
	int i;

	if (m == NULL)
		return 1;
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "key%d", i);
		snprintf(value, sizeof value, "value%d", i * i);
		if (kmap_set(m, key, value) != 0)
			return 2;
	}
	kmap_set(m, "key7", "seven");
	if (kmap_len(m) != 1000 || strcmp(kmap_get(m, "key999"), "value998001") != 0)
		return 3;
	if (strcmp(kmap_get(m, "key7"), "seven") != 0 || kmap_get(m, "nokey") != NULL)
		return 4;
	kmap_free(m);
	puts("libkmap: ok");
	return 0;
}
