/* The kernel manifest's tables (manifest.h) and their JSON, which
 * `hpk_bench --manifest` prints.  Built into hpk_bench and hpk_bench_mpi;
 * scripts/bench also compiles it alone (-DHPK_BENCH_MANIFEST_MAIN: a main
 * that prints the JSON) to check its options before anything is built. */
#include "manifest.h"

#include <string.h>

#define HPKB_KERNEL_ENTRY(name, title, group, family, size, size_label, precisions, measure, roofline, tdir, tmem,  \
                          harness, mpi, mpi_title)                                                                   \
    {name, title, group, family, size, size_label, precisions, measure, roofline, tdir, tmem, harness, mpi, mpi_title},
const hpkb_kernel hpkb_kernels[] = {HPK_BENCH_KERNELS(HPKB_KERNEL_ENTRY)};
const int hpkb_kernel_count = (int)(sizeof hpkb_kernels / sizeof hpkb_kernels[0]);

#define HPKB_VARIANT_ENTRY(name, library, threaded, device, peer, cpu_path, label, short_label, harness, pool,         \
                           description, note)                                                                          \
    {name, library, threaded, device, peer, cpu_path, label, short_label, harness, pool, description, note},
const hpkb_variant hpkb_variants[] = {HPK_BENCH_VARIANTS(HPKB_VARIANT_ENTRY)};
const int hpkb_variant_count = (int)(sizeof hpkb_variants / sizeof hpkb_variants[0]);

const hpkb_kernel *hpkb_find_kernel(const char *name)
{
    for (int i = 0; i < hpkb_kernel_count; i++)
        if (strcmp(hpkb_kernels[i].name, name) == 0)
            return &hpkb_kernels[i];
    return NULL;
}

const hpkb_variant *hpkb_find_variant(const char *name)
{
    for (int i = 0; i < hpkb_variant_count; i++)
        if (strcmp(hpkb_variants[i].name, name) == 0)
            return &hpkb_variants[i];
    return NULL;
}

/* ---- JSON ------------------------------------------------------------------ */

/* A JSON string, or null for NULL.  The tables hold printable text: only
 * quotes and backslashes need escaping (UTF-8 passes through). */
static void string(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void field(FILE *out, const char *key, const char *value)
{
    fprintf(out, ", \"%s\": ", key);
    string(out, value);
}

static void flag(FILE *out, const char *key, int value)
{
    fprintf(out, ", \"%s\": %s", key, value ? "true" : "false");
}

static void write_kernel(FILE *out, const hpkb_kernel *k)
{
    fputs("{\"name\": ", out);
    string(out, k->name);
    field(out, "title", k->title);
    field(out, "group", k->group);
    field(out, "family", k->family);
    field(out, "size", k->size);
    field(out, "size_label", k->size_label);
    fputs(", \"precisions\": [", out);
    for (const char *p = k->precisions; *p; p++)
        fprintf(out, "%s\"%c\"", p == k->precisions ? "" : ", ", *p);
    fputc(']', out);
    field(out, "measure", k->measure);
    field(out, "roofline", k->roofline);
    fputs(", \"transfer\": ", out);
    if (k->transfer_direction) {
        fputs("{\"direction\": ", out);
        string(out, k->transfer_direction);
        field(out, "memory", k->transfer_memory);
        fputc('}', out);
    } else {
        fputs("null", out);
    }
    flag(out, "harness", k->harness);
    flag(out, "in_all", k->harness == 1);
    flag(out, "mpi", k->mpi);
    field(out, "mpi_title", k->mpi_title ? k->mpi_title : k->title);
    fputc('}', out);
}

static void write_variant(FILE *out, const hpkb_variant *v)
{
    fputs("{\"name\": ", out);
    string(out, v->name);
    field(out, "library", v->library);
    flag(out, "threaded", v->threaded);
    flag(out, "device", v->device);
    field(out, "peer", v->peer);
    flag(out, "cpu_path", v->cpu_path);
    field(out, "label", v->label);
    field(out, "short", v->short_label);
    flag(out, "harness", v->harness);
    field(out, "pool", v->pool);
    field(out, "description", v->description);
    fputc('}', out);
}

/* Whether kernel i is the first harness kernel of its group. */
static int first_of_group(int i)
{
    for (int j = 0; j < i; j++)
        if (hpkb_kernels[j].harness && strcmp(hpkb_kernels[j].group, hpkb_kernels[i].group) == 0)
            return 0;
    return hpkb_kernels[i].harness;
}

/* The harness kernels of `group` as a JSON array; NULL: those of "all"
 * (harness 1: not the ones run only when asked for, harness 2). */
static void write_group(FILE *out, const char *group)
{
    const char *sep = "";
    fputc('[', out);
    for (int i = 0; i < hpkb_kernel_count; i++)
        if (group ? hpkb_kernels[i].harness && strcmp(hpkb_kernels[i].group, group) == 0
                  : hpkb_kernels[i].harness == 1) {
            fputs(sep, out);
            string(out, hpkb_kernels[i].name);
            sep = ", ";
        }
    fputc(']', out);
}

void hpkb_manifest_write(FILE *out)
{
    fputs("{\n  \"schema\": 1,\n  \"kernels\": [\n", out);
    for (int i = 0; i < hpkb_kernel_count; i++) {
        fputs("    ", out);
        write_kernel(out, &hpkb_kernels[i]);
        fputs(i + 1 < hpkb_kernel_count ? ",\n" : "\n", out);
    }
    /* The --kernels groups, in order of their first kernel, then all. */
    fputs("  ],\n  \"groups\": {", out);
    for (int i = 0; i < hpkb_kernel_count; i++)
        if (first_of_group(i)) {
            fputs("\n    ", out);
            string(out, hpkb_kernels[i].group);
            fputs(": ", out);
            write_group(out, hpkb_kernels[i].group);
            fputc(',', out);
        }
    fputs("\n    \"all\": ", out);
    write_group(out, NULL);
    fputs("\n  },\n  \"variants\": [\n", out);
    for (int i = 0; i < hpkb_variant_count; i++) {
        fputs("    ", out);
        write_variant(out, &hpkb_variants[i]);
        fputs(i + 1 < hpkb_variant_count ? ",\n" : "\n", out);
    }
    fputs("  ]\n}\n", out);
}

#ifdef HPK_BENCH_MANIFEST_MAIN
int main(void)
{
    hpkb_manifest_write(stdout);
    return ferror(stdout) ? 1 : 0;
}
#endif
