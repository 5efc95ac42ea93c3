#include "kerr.h"

const char *kerr_message(int id)
{
	if (id < 0 || id >= KERR_COUNT)
		return "unknown error";
	return kerr_table[id].text;
}

int kerr_status(int id)
{
	if (id < 0 || id >= KERR_COUNT)
		return 1;
	return (int)kerr_table[id].number;
}
