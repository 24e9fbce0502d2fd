/*
 * bloom_info_section.h - INFO bloom (see bloom_info_section.c).
 */
#ifndef BLOOM_INFO_SECTION_H
#define BLOOM_INFO_SECTION_H

#include "bloom_state.h"
#include "dblite_module.h"

int bloom_info_section_register(dblite_module *module, bloom_state *state);

#endif
