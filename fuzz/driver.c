/* fuzz/driver.c: a plain main for any fuzz target (no fuzzer): runs LLVMFuzzerTestOneInput on
 * every file named, or every file in a folder named, once. ctest runs fuzz/regress/<target>/
 * through it, so every input a fuzzer ever crashed on stays a test. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz/fuzz.h"

static int run_file(const char *path)
{
	pvm_errbuf e;
	uint8_t *buf;
	size_t len;
	if (pvm_read_file(path, &buf, &len, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 2;
	}
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	size_t n = 0;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-') continue; /* fuzzer flags */
		struct stat st;
		if (stat(argv[i], &st)) {
			fprintf(stderr, "%s: cannot open\n", argv[i]);
			return 2;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i])) return 2;
			n++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		if (!d) return 2;
		for (struct dirent *de; (de = readdir(d));) {
			if (de->d_name[0] == '.') continue;
			char path[4096];
			snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
			if (run_file(path)) {
				closedir(d);
				return 2;
			}
			n++;
		}
		closedir(d);
	}
	printf("%s: %zu inputs ran\n", argv[0], n);
	return 0;
}
