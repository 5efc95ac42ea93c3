#include <stdio.h>

#include "kdoor.h"

int main(void)
{
	char reply[64];

	if (kdoor_call("/nonexistent/door", "ping", reply, sizeof reply) != -1)
		return 1;
	puts("libkdoor: ok");
	return 0;
}
