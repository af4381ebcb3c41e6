/*
 * rawgdbm: the raw GDBM floor for compare.sh. Does the shelf workloads of swift-shelve-compare and
 * compare/cpython.py straight on libgdbm, with the same keys ("key%06d") and the same value bytes (CPython's
 * protocol 5 pickle of DICT, read from the golden corpus), and prints the median nanoseconds per record as JSON.
 *
 *     cc -O2 -o rawgdbm rawgdbm.c -lgdbm
 *     rawgdbm VALUE_FILE WORK_DIR [REPS [MIN_MS [RECORDS [PREFIX]]]]
 *
 * Time is the process's CPU time (CLOCK_PROCESS_CPUTIME_ID), or wall time (CLOCK_MONOTONIC) when the
 * environment has COMPARE_WALL_CLOCK=1.
 *
 * PREFIX names the workloads (default "shelf/"; compare.sh runs it again with "shelf-small/" and a small value).
 * Workloads, per record: shelf/get (gdbm_fetch, then free), shelf/set (gdbm_store, replacing),
 * shelf/keys (gdbm_firstkey/gdbm_nextkey), shelf/writeback-get-sync (fetch every record, store it back,
 * then gdbm_sync once, which is what a writeback shelf's sync does under the pickling).
 */
#include <gdbm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static GDBM_FILE db;
static datum *keys;
static int records;
static datum value;
static volatile size_t sink;
static clockid_t clock_id = CLOCK_PROCESS_CPUTIME_ID;

static uint64_t now(void) {
    struct timespec t;
    clock_gettime(clock_id, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void fail(const char *what) {
    fprintf(stderr, "rawgdbm: %s: %s\n", what, gdbm_strerror(gdbm_errno));
    exit(1);
}

static void get_all(void) {
    for (int i = 0; i < records; i++) {
        datum found = gdbm_fetch(db, keys[i]);
        if (found.dptr == NULL) fail("gdbm_fetch");
        sink += (size_t)found.dsize + (unsigned char)found.dptr[0];
        free(found.dptr);
    }
}

static void set_all(void) {
    for (int i = 0; i < records; i++) {
        if (gdbm_store(db, keys[i], value, GDBM_REPLACE) != 0) fail("gdbm_store");
    }
}

static void list_keys(void) {
    datum key = gdbm_firstkey(db);
    size_t count = 0;
    while (key.dptr != NULL) {
        datum next = gdbm_nextkey(db, key);
        free(key.dptr);
        key = next;
        count++;
    }
    if (count != (size_t)records) fail("gdbm_nextkey");
    sink += count;
}

static void get_all_then_sync(void) {
    for (int i = 0; i < records; i++) {
        datum found = gdbm_fetch(db, keys[i]);
        if (found.dptr == NULL) fail("gdbm_fetch");
        if (gdbm_store(db, keys[i], found, GDBM_REPLACE) != 0) fail("gdbm_store");
        free(found.dptr);
    }
    if (gdbm_sync(db) != 0) fail("gdbm_sync");
}

static uint64_t time_loop(void (*body)(void), long iterations) {
    uint64_t start = now();
    for (long i = 0; i < iterations; i++) body();
    return now() - start;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void measure(const char *prefix, const char *workload, void (*body)(void), int reps, uint64_t minimum,
                    int first) {
    char name[256];
    snprintf(name, sizeof name, "%s%s", prefix, workload);
    long iterations = 1;
    for (;;) {
        uint64_t elapsed = time_loop(body, iterations);
        if (elapsed >= minimum) break;
        double factor = elapsed == 0 ? 100.0 : (double)minimum / (double)elapsed * 1.2;
        if (factor > 100.0) factor = 100.0;
        long scaled = (long)((double)iterations * factor);
        iterations = scaled > iterations * 2 ? scaled : iterations * 2;
    }
    double runs[64];
    for (int r = 0; r < reps; r++) {
        runs[r] = (double)time_loop(body, iterations) / ((double)iterations * records);
    }
    double sorted[64];
    memcpy(sorted, runs, sizeof(double) * (size_t)reps);
    qsort(sorted, (size_t)reps, sizeof(double), compare_doubles);
    printf("%s  \"%s\": {\"ns_per_op\": %.2f, \"iterations\": %ld, \"operations\": %d, \"runs\": [", first ? "" : ",\n",
           name, sorted[reps / 2], iterations, records);
    for (int r = 0; r < reps; r++) printf("%s%.1f", r ? ", " : "", runs[r]);
    printf("]}");
    fprintf(stderr, "%s: %.1f ns/op\n", name, sorted[reps / 2]);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: rawgdbm VALUE_FILE WORK_DIR [REPS [MIN_MS [RECORDS [PREFIX]]]]\n");
        return 2;
    }
    if (getenv("COMPARE_WALL_CLOCK") != NULL && strcmp(getenv("COMPARE_WALL_CLOCK"), "1") == 0) {
        clock_id = CLOCK_MONOTONIC;
    }
    int reps = argc > 3 ? atoi(argv[3]) : 7;
    uint64_t minimum = (uint64_t)(argc > 4 ? atol(argv[4]) : 50) * 1000000u;
    records = argc > 5 ? atoi(argv[5]) : 10000;
    const char *prefix = argc > 6 ? argv[6] : "shelf/";
    if (reps < 1 || reps > 64 || records < 1) {
        fprintf(stderr, "rawgdbm: REPS must be 1 to 64 and RECORDS positive\n");
        return 2;
    }

    FILE *file = fopen(argv[1], "rb");
    if (file == NULL) {
        perror(argv[1]);
        return 1;
    }
    static char buffer[1 << 20];
    value.dsize = (int)fread(buffer, 1, sizeof buffer, file);
    value.dptr = buffer;
    fclose(file);

    keys = calloc((size_t)records, sizeof(datum));
    for (int i = 0; i < records; i++) {
        char *text = malloc(16);
        snprintf(text, 16, "key%06d", i);
        keys[i].dptr = text;
        keys[i].dsize = (int)strlen(text);
    }

    char path[4096];
    snprintf(path, sizeof path, "%s/rawgdbm.db", argv[2]);
    db = gdbm_open(path, 0, GDBM_NEWDB, 0666, NULL);
    if (db == NULL) fail("gdbm_open");
    set_all();
    gdbm_close(db);
    db = gdbm_open(path, 0, GDBM_WRITER, 0666, NULL);
    if (db == NULL) fail("gdbm_open");

    printf("{\n");
    measure(prefix, "get", get_all, reps, minimum, 1);
    measure(prefix, "set", set_all, reps, minimum, 0);
    measure(prefix, "keys", list_keys, reps, minimum, 0);
    measure(prefix, "writeback-get-sync", get_all_then_sync, reps, minimum, 0);
    printf("\n}\n");
    gdbm_close(db);
    unlink(path);
    return 0;
}
