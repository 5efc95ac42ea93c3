#include <door.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "kdoor.h"

int kdoor_call(const char *path, const char *request, char *reply, size_t size)
{
	door_arg_t arg;
	int fd = open(path, O_RDONLY), r;

	if (fd < 0)
		return -1;
	memset(&arg, 0, sizeof arg);
	arg.data_ptr = (char *)request;
	arg.data_size = strlen(request) + 1;
	arg.rbuf = reply;
	arg.rsize = size;
	r = door_call(fd, &arg);
	close(fd);
	return r;
}
