#include <stdio.h>
#include <string.h>

#include "demo_table.h"

int main(void)
{
	if (DEMO_COUNT != 3 || demo_lookup("beta") != DEMO_BETA || demo_lookup("delta") != -1)
		return 1;
	if (demo_table[DEMO_GAMMA].number != 3 || strcmp(demo_table[DEMO_BETA].text, "says \"two\"") != 0)
		return 2;
	if (demo_lookup("alpha") != DEMO_ALPHA || demo_lookup("gamma") != DEMO_GAMMA)
		return 3;
	puts("kgen: ok");
	return 0;
}
