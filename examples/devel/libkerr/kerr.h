#ifndef KERR_H
#define KERR_H

#include "kerr_table.h"

/* The message of an error id (enum kerr_id), or "unknown error". */
const char *kerr_message(int id);
/* The exit status a program should end with for an error id. */
int kerr_status(int id);

#endif
