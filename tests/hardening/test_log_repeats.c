/*
 * test_log_repeats.c - unit test of the log's collapsing of repeated lines
 * (core/util/log.c, issue 19 item 11): a storm of one message writes it
 * once, then "last message repeated N times" before the next different
 * line, instead of one line per call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "server.h"

/* Copies the log file's first max lines (cut to 255 bytes); returns the count. */
static int read_lines(const char *path, char lines[][256], int max)
{
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    int count = 0;
    char line[4096];
    while (fgets(line, sizeof line, file) != NULL) {
        if (count < max)
            snprintf(lines[count], 256, "%.255s", line);
        count++;
    }
    fclose(file);
    return count;
}

static void test_identical_lines_collapse(void **state)
{
    (void)state;
    char path[] = "/tmp/dblite-log-repeats-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    server.settings.logfile = path;
    server.settings.log_level = LOG_NOTICE;
    for (int i = 0; i < 100000; i++)
        server_log(LOG_WARNING, "out of memory for client %d output; closing it", 7);
    server_log(LOG_NOTICE, "a different line");
    server_log(LOG_NOTICE, "a different line");
    server_log(LOG_WARNING, "out of memory for client %d output; closing it", 8);
    char lines[8][256];
    int count = read_lines(path, lines, 8);
    /* storm line, "repeated 99999", different line, "repeated 1", client 8 */
    assert_int_equal(count, 5);
    assert_non_null(strstr(lines[0], "out of memory for client 7 output"));
    assert_non_null(strstr(lines[1], "last message repeated 99999 times"));
    assert_non_null(strstr(lines[2], "a different line"));
    assert_non_null(strstr(lines[3], "last message repeated 1 times"));
    assert_non_null(strstr(lines[4], "out of memory for client 8 output"));
    /* Nothing pending: the cron's flush writes nothing. */
    log_flush_repeats();
    assert_int_equal(read_lines(path, lines, 8), 5);
    server.settings.logfile = NULL;
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_lines_collapse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
