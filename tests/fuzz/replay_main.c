/* replay_main.c - main() for a fuzz target in ordinary builds: feeds every
 * file of a corpus directory to LLVMFuzzerTestOneInput once, so the corpus is
 * exercised by ctest without libFuzzer. A crash or abort fails the test. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	DIR *d = opendir(argv[1]);
	if (!d) {
		perror(argv[1]);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	int passed = 0, failed = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", argv[1], e->d_name);
		FILE *f = fopen(path, "rb");
		if (!f) {
			failed++;
			continue;
		}
		uint8_t *buf = NULL;
		size_t len = 0, cap = 0;
		for (;;) {
			if (len == cap) {
				uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 4096);
				if (!nb)
					break;
				buf = nb;
			}
			size_t got = fread(buf + len, 1, cap - len, f);
			if (!got)
				break;
			len += got;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);   /* aborts on a failure */
		free(buf);
		passed++;
	}
	closedir(d);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed;
}
