#include <stdio.h>
#include <string.h>

#include "kcfg.h"

int main(void)
{
	int bad;
	struct kcfg *c = kcfg_parse("# kiln\n title = Weekly report \n\nscale=1000\n", &bad);

	if (c == NULL || kcfg_len(c) != 2)
		return 1;
	if (strcmp(kcfg_get(c, "title"), "Weekly report") != 0 || strcmp(kcfg_get(c, "scale"), "1000") != 0)
		return 2;
	kcfg_free(c);
	if (kcfg_parse("a = 1\nno equals sign\n", &bad) != NULL || bad != 2)
		return 3;
	if (kcfg_parse("two words = 1\n", &bad) != NULL || bad != 1)
		return 4;
	puts("libkcfg: ok");
	return 0;
}
