/*
 * module_version.h - the API version a module file declares, read from the
 * file before it is loaded (see module_version.c for why).
 */
#ifndef DBLITE_MODULE_VERSION_H
#define DBLITE_MODULE_VERSION_H

/* 0 with *version set when path is an ELF file of this server's kind that
 * defines dblite_module_api_version; -1 when that cannot be told (not ELF,
 * no such symbol, unreadable), leaving the question to dlopen and dlsym. */
int module_file_api_version(const char *path, int *version);

#endif
