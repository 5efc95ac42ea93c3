#include <stdio.h>
#include <string.h>

#include "kerr.h"

int main(void)
{
	if (strcmp(kerr_message(KERR_NOTFOUND), "no such key") != 0 || kerr_status(KERR_IO) != 6)
		return 1;
	if (kerr_lookup("syntax") != KERR_SYNTAX || strcmp(kerr_message(99), "unknown error") != 0)
		return 2;
	puts("libkerr: ok");
	return 0;
}
