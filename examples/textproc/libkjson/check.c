#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kjson.h"

int main(void)
{
	struct kjson j;
	char *text;

	kjson_init(&j);
	kjson_begin_object(&j);
	kjson_key(&j, "name");
	kjson_string(&j, "say \"hi\"\n");
	kjson_key(&j, "list");
	kjson_begin_array(&j);
	kjson_int(&j, 1);
	kjson_int(&j, -2);
	kjson_begin_object(&j);
	kjson_end_object(&j);
	kjson_end_array(&j);
	kjson_key(&j, "mean");
	kjson_number_text(&j, "2.500");
	kjson_end_object(&j);
	text = kjson_finish(&j);
	if (text == NULL || strcmp(text, "{\"name\":\"say \\\"hi\\\"\\u000a\",\"list\":[1,-2,{}],\"mean\":2.500}") != 0) {
		fprintf(stderr, "got %s\n", text ? text : "(null)");
		return 1;
	}
	free(text);
	puts("libkjson: ok");
	return 0;
}
