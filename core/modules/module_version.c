/*
 * module_version.c - reads the API version a module file declares
 * (DBLITE_MODULE_DECLARE's dblite_module_api_version) from its ELF image,
 * without loading it.
 *
 * The loader needs the version before dlopen: dlopen(RTLD_NOW) fails on the
 * first function this server lacks ("undefined symbol"), which is exactly
 * what a module built for a newer API calls, so it would never get to the
 * friendly version message.  RTLD_LAZY does not help: a module linked with
 * -z now binds everything anyway, and reopening with RTLD_NOW|RTLD_NOLOAD
 * does not bind what the lazy open left unbound.  Reading the file also runs
 * none of the module's code (constructors) before it is accepted.
 *
 * Only files of the server's own ELF class and byte order are read; for
 * anything else the answer is "unknown" and the loader's checks after
 * dlopen decide, as before.
 */
#include "modules/module_version.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bound on a table read: a real module's dynamic tables are far below it;
 * a damaged file must not make us allocate the sizes it claims. */
#define MAX_TABLE_BYTES (64u * 1024 * 1024)

#if __SIZEOF_POINTER__ == 8
#define NATIVE_CLASS ELFCLASS64
#else
#define NATIVE_CLASS ELFCLASS32
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_DATA ELFDATA2LSB
#else
#define NATIVE_DATA ELFDATA2MSB
#endif

static const char version_symbol[] = "dblite_module_api_version";

typedef struct elf_file {
    int fd;
    uint64_t size;
} elf_file;

/* Reads length bytes at offset, all of them inside the file. */
static int read_exact(const elf_file *file, uint64_t offset, void *buffer, uint64_t length)
{
    if (offset > file->size || length > file->size - offset)
        return -1;
    char *out = buffer;
    while (length > 0) {
        ssize_t got = pread(file->fd, out, length, (off_t)offset);
        if (got <= 0)
            return -1;
        out += got;
        offset += (uint64_t)got;
        length -= (uint64_t)got;
    }
    return 0;
}

/* A malloc'd copy of a table of the file, or NULL. */
static void *read_table(const elf_file *file, uint64_t offset, uint64_t length)
{
    if (length == 0 || length > MAX_TABLE_BYTES)
        return NULL;
    void *table = malloc(length);
    if (table && read_exact(file, offset, table, length) != 0) {
        free(table);
        table = NULL;
    }
    return table;
}

/* Looks version_symbol up in the dynamic symbol table and reads its int. */
static int find_version(const elf_file *file, const ElfW(Shdr) * sections, size_t count,
                        int *version)
{
    for (size_t i = 0; i < count; i++) {
        const ElfW(Shdr) *symbols_header = &sections[i];
        if (symbols_header->sh_type != SHT_DYNSYM ||
            symbols_header->sh_entsize != sizeof(ElfW(Sym)) || symbols_header->sh_link >= count)
            continue;
        const ElfW(Shdr) *names_header = &sections[symbols_header->sh_link];
        ElfW(Sym) *symbols = read_table(file, symbols_header->sh_offset, symbols_header->sh_size);
        char *names = read_table(file, names_header->sh_offset, names_header->sh_size);
        int status = -1;
        size_t symbol_count = symbols ? symbols_header->sh_size / sizeof(ElfW(Sym)) : 0;
        for (size_t s = 0; names && s < symbol_count && status != 0; s++) {
            const ElfW(Sym) *symbol = &symbols[s];
            if (symbol->st_name >= names_header->sh_size || symbol->st_shndx == SHN_UNDEF ||
                symbol->st_shndx >= count || symbol->st_size < sizeof(int))
                continue;
            /* Compare within the table: its last name need not end in NUL. */
            size_t room = names_header->sh_size - symbol->st_name;
            if (room <= strlen(version_symbol) ||
                memcmp(names + symbol->st_name, version_symbol, sizeof(version_symbol)) != 0)
                continue;
            const ElfW(Shdr) *home = &sections[symbol->st_shndx];
            if (home->sh_type == SHT_NOBITS || home->sh_size < sizeof(int) ||
                symbol->st_value < home->sh_addr ||
                symbol->st_value - home->sh_addr > home->sh_size - sizeof(int))
                break; /* a version that lives in no file bytes: unknown */
            int32_t value;
            if (read_exact(file, home->sh_offset + (symbol->st_value - home->sh_addr), &value,
                           sizeof(value)) == 0) {
                *version = value;
                status = 0;
            }
            break;
        }
        free(symbols);
        free(names);
        if (status == 0)
            return 0;
    }
    return -1;
}

int module_file_api_version(const char *path, int *version)
{
    elf_file file = {open(path, O_RDONLY | O_CLOEXEC), 0};
    if (file.fd < 0)
        return -1;
    struct stat st;
    int status = -1;
    ElfW(Ehdr) header;
    ElfW(Shdr) *sections = NULL;
    if (fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode))
        goto done;
    file.size = (uint64_t)st.st_size;
    if (read_exact(&file, 0, &header, sizeof(header)) != 0 ||
        memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != NATIVE_CLASS ||
        header.e_ident[EI_DATA] != NATIVE_DATA || header.e_shentsize != sizeof(ElfW(Shdr)) ||
        header.e_shnum == 0)
        goto done;
    sections = read_table(&file, header.e_shoff, (uint64_t)header.e_shnum * sizeof(ElfW(Shdr)));
    if (sections)
        status = find_version(&file, sections, header.e_shnum, version);
done:
    free(sections);
    close(file.fd);
    return status;
}
