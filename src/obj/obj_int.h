/* obj_int.h - internals of the ELF object loader shared by its files:
 *
 *   object.c    opening: libelf, section table, symbols, global data, license
 *   sections.c  program types from libbpf's section names
 *   btf.c       .BTF through libbpf, .BTF.ext func/line info (own small reader
 *               of the documented format: libbpf keeps its parser private),
 *               BTF-defined maps in .maps
 *   link.c      programs: functions, relocations, subprogram linking, kfuncs
 *   pktctx.c    test-run contexts (xdp_md, __sk_buff) around a packet
 *
 * Errors go through obj_err(), which prefixes the object's name and sends one
 * line to the log callback; every loader step returns 0 or a negative errno. */
#ifndef SBPF_OBJ_INT_H
#define SBPF_OBJ_INT_H

#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>

#include "stackbpf/stackbpf.h"

enum sec_kind { SEC_OTHER, SEC_PROG, SEC_MAPS, SEC_DATA, SEC_BTF, SEC_BTF_EXT, SEC_LICENSE };

/* a .BTF.ext record, kept per section */
struct ext_func { uint32_t insn_off, type_id; };                 /* insn_off in instructions */
struct ext_line { uint32_t insn_off, file_off, line_off, line_col; };

struct obj_sec {
	const char *name;
	size_t idx;
	GElf_Shdr sh;
	const uint8_t *data;        /* NULL for NOBITS */
	size_t size;
	enum sec_kind kind;
	int map;                    /* SEC_DATA: index in obj->maps */
	Elf_Data *rel;              /* SHT_REL section applying to it */
	size_t nrel;
	uint32_t *rel_at;           /* SEC_PROG: per insn, relocation index + 1 (0 = none) */
	struct ext_func *finfo;
	size_t nfinfo;
	struct ext_line *linfo;
	size_t nlinfo;
};

/* a function in an executable section */
struct obj_fn {
	const char *name;
	size_t sec;                 /* index in obj->secs */
	uint32_t off, cnt;          /* in instructions */
	bool global;
};

struct obj_map {
	struct stackbpf_map *map;
	size_t sec;                 /* .maps or the data section */
	uint64_t sec_off;           /* .maps: offset of the map's variable */
	/* prog_array with a .values initialiser: its byte range in .maps
	 * (the relocations there name the programs of its slots) */
	uint64_t values_off, values_end;
};

struct stackbpf_program {
	const char *name, *section;    /* ELF strings, owned by the object */
	enum stackbpf_prog_type type;
	struct stackbpf_prog *prog;
	struct stackbpf_func *funcs;
	size_t nfuncs;
	struct stackbpf_line *lines;
	size_t nlines;
	struct stackbpf_kfunc *kfuncs;
	size_t nkfuncs;
};

struct stackbpf_object {
	char *name;
	stackbpf_log_fn log;
	void *log_ctx;
	const struct stackbpf_host *host;
	uint64_t map_mem_limit;
	uint8_t *buf;               /* our copy of the file; libelf reads it */
	size_t len;
	Elf *elf;
	struct obj_sec *secs;
	size_t nsecs;
	Elf_Data *symtab;
	size_t nsyms, strtab_idx;
	struct btf *btf;
	int maps_sec, btf_sec, btf_ext_sec;   /* -1 = none */
	char *license;
	struct obj_fn *fns;
	size_t nfns;
	struct obj_map *maps;
	size_t nmaps;
	struct stackbpf_program *progs;
	size_t nprogs;
};

/* "NAME: <message>" to the log; returns -EINVAL */
int obj_err(struct stackbpf_object *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* sections.c: program type of a section name, or -1 */
int obj_prog_type(const char *sec_name);
const char *obj_known_sections(void);

/* btf.c */
int obj_load_btf(struct stackbpf_object *o);
int obj_load_btf_ext(struct stackbpf_object *o);
int obj_load_btf_maps(struct stackbpf_object *o);
/* FUNC type id by name (kind FUNC), 0 if none */
uint32_t obj_btf_func_by_name(const struct stackbpf_object *o, const char *name);
/* fill nparams / param_names / global of f from its FUNC type id */
void obj_btf_func_proto(const struct stackbpf_object *o, uint32_t func_id, struct stackbpf_func *f);
const char *obj_btf_str(const struct stackbpf_object *o, uint32_t off);

/* link.c */
int obj_link_programs(struct stackbpf_object *o);
void obj_program_free(struct stackbpf_program *p);

/* object.c */
int obj_add_map(struct stackbpf_object *o, struct stackbpf_map *m, size_t sec, uint64_t sec_off);
int obj_sym(const struct stackbpf_object *o, size_t i, GElf_Sym *sym, const char **name);
/* section index (in obj->secs) of an ELF section number, or -1 */
int obj_sec_of_shndx(const struct stackbpf_object *o, size_t shndx);

#endif
