/* kdoorctl DOOR REQUEST: prints the door's reply. */
#include <stdio.h>

#include <kdoor.h>

int main(int argc, char **argv)
{
	char reply[4096];

	if (argc != 3) {
		fprintf(stderr, "usage: kdoorctl DOOR REQUEST\n");
		return 2;
	}
	if (kdoor_call(argv[1], argv[2], reply, sizeof reply) != 0) {
		perror(argv[1]);
		return 1;
	}
	puts(reply);
	return 0;
}
