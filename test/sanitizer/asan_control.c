/*
 * test/sanitizer/asan_control.c: the positive control of `test/run --sanitize`.
 *
 * A tiny server module, built with AddressSanitizer like pg_optimize in that run, whose one function writes one byte
 * past the end of a heap block. test/run calls it in a scratch cluster of the sanitized installation and requires a
 * heap-buffer-overflow report to appear where the suites' reports are collected: were the runtime not preloaded, the
 * report path not writable or the collection broken, the sanitizer checks would pass without looking, and this
 * control fails instead. Never installed; test-only.
 */
#include "postgres.h"

#include <stdlib.h>

#include "fmgr.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(pgo_asan_control);

Datum
pgo_asan_control(PG_FUNCTION_ARGS)
{
	int32		offset = PG_GETARG_INT32(0);
	volatile char *block = malloc(8); /* malloc, not palloc: ASan watches the C heap */
	char		value;

	if (block == NULL)
		PG_RETURN_NULL();
	block[offset] = 1; /* offset 8 is one past the end */
	value = block[offset];
	free((void *) block);
	PG_RETURN_INT32(value);
}
