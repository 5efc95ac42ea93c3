#ifndef KDOOR_H
#define KDOOR_H

#include <stddef.h>

/* Calls the door at path with a request; the reply goes into reply. -1 on error. */
int kdoor_call(const char *path, const char *request, char *reply, size_t size);

#endif
