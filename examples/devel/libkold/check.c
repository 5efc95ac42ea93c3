#include <stdio.h>
#include <string.h>

#include "kold.h"

int main(void)
{
	if (strcmp(kold_version(), "0.1") != 0 || kold_bsdsum("") != 0 || kold_bsdsum("a") != 97)
		return 1;
	puts("libkold: ok");
	return 0;
}
