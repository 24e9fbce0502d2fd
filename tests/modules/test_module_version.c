/*
 * test_module_version.c - unit test of module_file_api_version
 * (core/modules/module_version.c), which reads the API version a module
 * declares from its ELF file before the loader dlopens it: the version of
 * real modules (one linked with -z now), "unknown" for files that are not
 * modules, and no crash and no invented version for truncated or damaged
 * copies of a module.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dblite_module.h"
#include "modules/module_version.h"

/* Paths of built test modules, from tests/modules/modules.cmake. */
#ifndef APIV5_MODULE
#error "APIV5_MODULE must name apiv5.so"
#endif

typedef struct file_bytes {
    unsigned char *bytes;
    size_t length;
} file_bytes;

static file_bytes read_whole(const char *path)
{
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    file_bytes out = {NULL, 0};
    assert_int_equal(fseek(file, 0, SEEK_END), 0);
    long size = ftell(file);
    assert_true(size > 0);
    rewind(file);
    out.bytes = malloc((size_t)size);
    assert_non_null(out.bytes);
    out.length = fread(out.bytes, 1, (size_t)size, file);
    assert_int_equal(out.length, (size_t)size);
    fclose(file);
    return out;
}

/* Writes length bytes to a fresh temporary file whose path goes to path. */
static void write_temporary(char *path, size_t size, const unsigned char *bytes, size_t length)
{
    snprintf(path, size, "/tmp/dblite-version-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes, length), (ssize_t)length);
    close(fd);
}

/* The answer for bytes as a file: -1, or 0 with the version. */
static int version_of_bytes(const unsigned char *bytes, size_t length, int *version)
{
    char path[64];
    write_temporary(path, sizeof(path), bytes, length);
    int status = module_file_api_version(path, version);
    unlink(path);
    return status;
}

static void real_modules_give_their_version(void **state)
{
    (void)state;
    int version = -1;
    assert_int_equal(module_file_api_version(APIV5_MODULE, &version), 0);
    assert_int_equal(version, DBLITE_API_VERSION);
    version = -1;
    assert_int_equal(module_file_api_version(FUTURE_NOW_MODULE, &version), 0);
    assert_int_equal(version, 99);
}

static void other_files_are_unknown(void **state)
{
    (void)state;
    int version = 12345;
    assert_int_equal(module_file_api_version(NOT_A_MODULE, &version),
                     -1); /* ELF without the symbol */
    assert_int_equal(module_file_api_version("/nonexistent/dblite/module.so", &version), -1);
    assert_int_equal(module_file_api_version("/tmp", &version), -1);
    static const unsigned char text[] = "this is not an ELF file\n";
    assert_int_equal(version_of_bytes(text, sizeof(text) - 1, &version), -1);
    assert_int_equal(version_of_bytes(text, 0, &version), -1);
    assert_int_equal(version, 12345); /* never written on failure */
}

/* Every prefix length at a coarse step, and the last bytes one by one: a
 * truncated module is unknown or, when everything needed is still there,
 * gives the real version. */
static void truncated_modules_never_invent_a_version(void **state)
{
    (void)state;
    file_bytes module = read_whole(APIV5_MODULE);
    for (size_t length = 0; length < module.length; length += length < 4096 ? 7 : 997) {
        int version = -7;
        if (version_of_bytes(module.bytes, length, &version) == 0)
            assert_int_equal(version, DBLITE_API_VERSION);
        else
            assert_int_equal(version, -7);
    }
    free(module.bytes);
}

/* Random damage in the ELF header, the section headers and the dynamic
 * tables: the reader must stay inside the file whatever sizes and offsets
 * it finds (run under the sanitizer build, an out-of-bounds read fails). */
static void damaged_modules_are_read_safely(void **state)
{
    (void)state;
    file_bytes module = read_whole(APIV5_MODULE);
    unsigned char *copy = malloc(module.length);
    assert_non_null(copy);
    srand(11);
    int known = 0;
    for (int round = 0; round < 300; round++) {
        memcpy(copy, module.bytes, module.length);
        for (int hit = 0; hit < 1 + round % 8; hit++) {
            /* Half the damage in the first 64 bytes (the ELF header). */
            size_t at = hit % 2 ? (size_t)rand() % 64 : (size_t)rand() % module.length;
            copy[at] = (unsigned char)rand();
        }
        int version;
        if (version_of_bytes(copy, module.length, &version) == 0)
            known++;
    }
    /* Some damage misses everything the reader looks at. */
    assert_true(known > 0);
    free(copy);
    free(module.bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_modules_give_their_version),
        cmocka_unit_test(other_files_are_unknown),
        cmocka_unit_test(truncated_modules_never_invent_a_version),
        cmocka_unit_test(damaged_modules_are_read_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
