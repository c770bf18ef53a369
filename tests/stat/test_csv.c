/* test_csv.c - `stackbpf stat` on CSV runs: replay (-R), compare (-C) as a
 * table, as CSV and as the BPF CI markdown summary (-o md), filters, sorting,
 * -e and -n, and the errors, every output byte checked against veristat's
 * layouts (../shared/docs/formats.md §1, the captured samples). */
#include "testlib.h"
#include "testcli.h"

#include <stdlib.h>

static const char csv_header[] =
	"file_name,prog_name,verdict,duration,total_insns,total_states,peak_states,max_states_per_insn,"
	"max_mark_read_len,prog_size,prog_size_jited,prog_type,attach_type,stack_depth,mem_peak\n";

static void write_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", t_dir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

/* the captured run of formats.md, as a full CSV */
static void write_runs(void)
{
	char buf[2048];
	snprintf(buf, sizeof(buf), "%s%s", csv_header,
		 "progs.bpf.o,sock_bad,failure,32,2,0,0,0,0,3,0,socket_filter,cgroup_inet_ingress,0,-1\n"
		 "progs.bpf.o,xdp_count,success,810,33,2,2,0,0,36,200,xdp,xdp,16,-1\n"
		 "progs.bpf.o,sock_loop,success,30,2,0,0,0,0,2,20,socket_filter,cgroup_inet_ingress,0,-1\n");
	write_file("run.csv", buf);
	snprintf(buf, sizeof(buf), "%s%s", csv_header,
		 "progs.bpf.o,sock_loop,success,30,2,0,0,0,0,2,20,socket_filter,cgroup_inet_ingress,0,-1\n"
		 "progs.bpf.o,xdp_count,success,810,33,2,2,0,0,36,200,xdp,xdp,16,-1\n");
	write_file("base.csv", buf);
	snprintf(buf, sizeof(buf), "%s%s", csv_header,
		 "progs.bpf.o,xdp_count,success,700,53,3,2,1,0,36,200,xdp,xdp,16,-1\n"
		 "progs.bpf.o,sock_loop,failure,12,7,0,0,0,0,2,0,socket_filter,cgroup_inet_ingress,0,-1\n");
	write_file("comp.csv", buf);
	/* a new program in comp2, one gone from it */
	snprintf(buf, sizeof(buf), "%s%s", csv_header,
		 "progs.bpf.o,xdp_count,success,700,33,2,2,1,0,36,200,xdp,xdp,16,-1\n"
		 "progs.bpf.o,new_prog,success,5,4,1,1,0,0,4,30,xdp,xdp,0,-1\n");
	write_file("comp2.csv", buf);
}

static void test_replay(void)
{
	struct t_out o = t_cli("", "stat", "-R run.csv");
	T_EQ_U64(o.status, 0, "replay exit");
	T_EQ_STR(o.out,
		 "File         Program    Verdict  Duration (us)  Insns  States  Program size  Jited size\n"
		 "-----------  ---------  -------  -------------  -----  ------  ------------  ----------\n"
		 "progs.bpf.o  sock_bad   failure             32      2       0             3           0\n"
		 "progs.bpf.o  sock_loop  success             30      2       0             2          20\n"
		 "progs.bpf.o  xdp_count  success            810     33       2            36         200\n"
		 "-----------  ---------  -------  -------------  -----  ------  ------------  ----------\n",
		 "replay: the captured default table");
	T_EQ_STR(o.err, "", "replay stderr");

	o = t_cli("", "stat", "-R run.csv -o csv");
	char want[1024];
	snprintf(want, sizeof(want), "%s%s", csv_header,
		 "progs.bpf.o,sock_bad,failure,32,2,0,0,0,0,3,0,socket_filter,cgroup_inet_ingress,0,-1\n"
		 "progs.bpf.o,sock_loop,success,30,2,0,0,0,0,2,20,socket_filter,cgroup_inet_ingress,0,-1\n"
		 "progs.bpf.o,xdp_count,success,810,33,2,2,0,0,36,200,xdp,xdp,16,-1\n");
	T_EQ_STR(o.out, want, "replay as CSV: every column, sorted by file and program");

	/* -e, -s descending, strings left and numbers right, headers by alignment */
	o = t_cli("", "stat", "-R run.csv -e prog,insns,prog_type,attach_type,stack -s insns");
	T_EQ_STR(o.out,
		 "Program    Insns   Program type          Attach type  Stack depth\n"
		 "---------  -----  -------------  -------------------  -----------\n"
		 "xdp_count     33  xdp            xdp                           16\n"
		 "sock_bad       2  socket_filter  cgroup_inet_ingress            0\n"
		 "sock_loop      2  socket_filter  cgroup_inet_ingress            0\n"
		 "---------  -----  -------------  -------------------  -----------\n",
		 "replay -e/-s: equal keys fall back to file and program");
	o = t_cli("", "stat", "-R run.csv -e prog,verdict -s verdict,prog^");
	T_EQ_STR(o.out,
		 "Program    Verdict\n"
		 "---------  -------\n"
		 "sock_bad   failure\n"
		 "sock_loop  success\n"
		 "xdp_count  success\n"
		 "---------  -------\n",
		 "verdict sorts failure first");
	o = t_cli("", "stat", "-R run.csv -e prog,duration -s dur^ -n 2");
	T_EQ_STR(o.out,
		 "Program    Duration (us)\n"
		 "---------  -------------\n"
		 "sock_loop             30\n"
		 "sock_bad              32\n"
		 "---------  -------------\n",
		 "-s dur^ -n 2");
	/* filters: globs, deny, stat comparisons, @file */
	o = t_cli("", "stat", "-R run.csv -e prog -f 'sock*'");
	T_EQ_STR(o.out, "Program  \n---------\nsock_bad \nsock_loop\n---------\n", "-f glob (padding kept)");
	o = t_cli("", "stat", "-R run.csv -e prog -f '!sock_b*'");
	T_EQ_STR(o.out, "Program  \n---------\nsock_loop\nxdp_count\n---------\n", "-f !glob");
	o = t_cli("", "stat", "-R run.csv -e prog -f '*.o/xdp*'");
	T_EQ_STR(o.out, "Program  \n---------\nxdp_count\n---------\n", "-f file/prog");
	o = t_cli("", "stat", "-R run.csv -e prog,insns -f 'insns>2'");
	T_EQ_STR(o.out, "Program    Insns\n---------  -----\nxdp_count     33\n---------  -----\n", "-f insns>2");
	o = t_cli("", "stat", "-R run.csv -e prog -f verdict=failure");
	T_EQ_STR(o.out, "Program \n--------\nsock_bad\n--------\n", "-f verdict=failure");
	o = t_cli("", "stat", "-R run.csv -e prog -f 'jited_size<>0'");
	T_EQ_U64(o.status, 2, "unknown stat in a filter");
	T_EQ_STR(o.err, "Unrecognized stat name in 'jited_size<>0'!\n", "filter stat message");
	o = t_cli("", "stat", "-R run.csv -e prog -f 'prog_size_jited<>0' -f '!prog_size>=36'");
	T_EQ_STR(o.out, "Program  \n---------\nsock_loop\n---------\n", "-f <> and !>=");
	write_file("filters.txt", "# programs\n  sock*  \n!sock_bad\n\n");
	o = t_cli("", "stat", "-R run.csv -e prog -f @filters.txt");
	T_EQ_STR(o.out, "Program  \n---------\nsock_loop\n---------\n", "-f @file");
	o = t_cli("", "stat", "-R run.csv -e prog -f 'insns>=x'");
	T_EQ_U64(o.status, 2, "bad filter value");
	T_EQ_STR(o.err, "Invalid integer value in 'insns>=x'!\n", "bad filter value message");
	o = t_cli("", "stat", "-R run.csv -e prog -f 'file_name=3'");
	T_EQ_STR(o.err, "Non-integer stat is specified in 'file_name=3'!\n", "string stat in a filter");
}

static void test_compare(void)
{
	struct t_out o = t_cli("", "stat", "-C base.csv comp.csv -e file,prog,verdict,insns,states");
	T_EQ_U64(o.status, 0, "compare exit");
	T_EQ_STR(o.out,
		 "File         Program    Verdict (A)  Verdict (B)  Verdict (DIFF)  Insns (A)  Insns (B)  Insns  (DIFF)  "
		 "States (A)  States (B)  States (DIFF)\n"
		 "-----------  ---------  -----------  -----------  --------------  ---------  ---------  -------------  "
		 "----------  ----------  -------------\n"
		 "progs.bpf.o  sock_loop  success      failure      MISMATCH                2          7  +5 (+250.00%)  "
		 "         0           0    +0 (+0.00%)\n"
		 "progs.bpf.o  xdp_count  success      success      MATCH                  33         53  +20 (+60.61%)  "
		 "         2           3   +1 (+50.00%)\n"
		 "-----------  ---------  -----------  -----------  --------------  ---------  ---------  -------------  "
		 "----------  ----------  -------------\n",
		 "compare: the captured table");
	o = t_cli("", "stat", "-C base.csv comp.csv -e file,prog,verdict,states -o csv");
	T_EQ_STR(o.out,
		 "file_name,prog_name,verdict_base,verdict_comp,verdict_diff,total_states_base,total_states_comp,"
		 "total_states_diff\n"
		 "progs.bpf.o,sock_loop,success,failure,MISMATCH,0,0,+0 (+0.00%)\n"
		 "progs.bpf.o,xdp_count,success,success,MATCH,2,3,+1 (+50.00%)\n",
		 "compare: the captured CSV");
	o = t_cli("", "stat", "-C base.csv comp.csv -e prog,verdict -f verdict_diff=mismatch");
	T_EQ_STR(o.out,
		 "Program    Verdict (A)  Verdict (B)  Verdict (DIFF)\n"
		 "---------  -----------  -----------  --------------\n"
		 "sock_loop  success      failure      MISMATCH      \n"
		 "---------  -----------  -----------  --------------\n",
		 "verdict_diff=mismatch");
	o = t_cli("", "stat", "-C base.csv comp.csv -e prog,insns -s insns_pct^");
	T_EQ_STR(o.out,
		 "Program    Insns (A)  Insns (B)  Insns  (DIFF)\n"
		 "---------  ---------  ---------  -------------\n"
		 "xdp_count         33         53  +20 (+60.61%)\n"
		 "sock_loop          2          7  +5 (+250.00%)\n"
		 "---------  ---------  ---------  -------------\n",
		 "-s insns_pct^");
	o = t_cli("", "stat", "-C base.csv comp.csv -e prog,dur -f 'dur_diff<-100' -f '|dur_pct|>50'");
	T_EQ_STR(o.out,
		 "Program    Duration (us) (A)  Duration (us) (B)  Duration (us) (DIFF)\n"
		 "---------  -----------------  -----------------  --------------------\n"
		 "sock_loop                 30                 12         -18 (-60.00%)\n"
		 "xdp_count                810                700        -110 (-13.58%)\n"
		 "---------  -----------------  -----------------  --------------------\n",
		 "filters on _diff and |_pct| (either one)");
	o = t_cli("", "stat", "-C base.csv comp.csv -e prog,insns_a -f 'insns_a>10'");
	T_EQ_STR(o.out,
		 "Program    Insns (A)  Insns (B)  Insns  (DIFF)\n"
		 "---------  ---------  ---------  -------------\n"
		 "xdp_count         33         53  +20 (+60.61%)\n"
		 "---------  ---------  ---------  -------------\n",
		 "_a variant");
	/* rows on one side only */
	o = t_cli("", "stat", "-C base.csv comp2.csv -e prog,verdict,states");
	T_EQ_STR(o.out,
		 "Program    Verdict (A)  Verdict (B)  Verdict (DIFF)  States (A)  States (B)  States (DIFF)\n"
		 "---------  -----------  -----------  --------------  ----------  ----------  -------------\n"
		 "new_prog   N/A          success      N/A                    N/A           1            N/A\n"
		 "sock_loop  success      N/A          N/A                      0         N/A            N/A\n"
		 "xdp_count  success      success      MATCH                    2           2    +0 (+0.00%)\n"
		 "---------  -----------  -----------  --------------  ----------  ----------  -------------\n",
		 "N/A for rows on one side");
	/* default columns: those of the table default the CSV has */
	o = t_cli("", "stat", "-C base.csv comp.csv -f 'prog_size_jited_diff<0'");
	static const char head[] = "File         Program    Verdict (A)  Verdict (B)  Verdict (DIFF)  Duration (us) (A)";
	T_OK(strncmp(o.out, head, strlen(head)) == 0, "compare default columns: %s", o.out);
	T_OK(strstr(o.out, "  Jited size (A)  Jited size (B)  Jited size (DIFF)\n") &&
	     strstr(o.out, "              20               0     -20 (-100.00%)\n") &&
	     !strstr(o.out, "xdp_count"), "jited size diff: %s", o.out);
}

static void test_markdown(void)
{
	struct t_out o = t_cli("", "stat", "-C base.csv comp.csv -o md");
	T_EQ_U64(o.status, 1, "md: new failures exit 1 (as the CI script)");
	T_EQ_STR(o.out,
		 "# There are new veristat failures\n"
		 "\n"
		 "|File       |Program  |Verdict                |States Diff (%)|\n"
		 "|-----------|---------|-----------------------|---------------|\n"
		 "|progs.bpf.o|sock_loop|success -> failure (!!)|+0.00 %        |\n"
		 "|progs.bpf.o|xdp_count|success                |+50.00 %       |\n",
		 "md: the BPF CI summary");
	o = t_cli("", "stat", "-C comp.csv base.csv -o md");
	T_EQ_U64(o.status, 0, "md: a fixed failure is no new failure");
	T_EQ_STR(o.out,
		 "# There are changes in verification performance\n"
		 "\n"
		 "|File       |Program  |Verdict           |States Diff (%)|\n"
		 "|-----------|---------|------------------|---------------|\n"
		 "|progs.bpf.o|sock_loop|failure -> success|+0.00 %        |\n"
		 "|progs.bpf.o|xdp_count|success           |-33.33 %       |\n",
		 "md: changes");
	o = t_cli("", "stat", "-C base.csv base.csv -o md");
	T_EQ_U64(o.status, 0, "md: no changes");
	T_EQ_STR(o.out, "# No changes in verification performance\n", "md: no changes title only");
	o = t_cli("", "stat", "-C base.csv comp2.csv -o md");
	T_EQ_STR(o.out, "# No changes in verification performance\n", "md ignores new and removed programs");
}

static void test_errors(void)
{
	struct t_out o = t_cli("", "stat", "-R run.csv -e nosuch");
	T_EQ_U64(o.status, 2, "unknown stat exit");
	T_EQ_STR(o.err, "Unrecognized stat name 'nosuch'\n", "unknown stat message");
	o = t_cli("", "stat", "-R run.csv -o xml");
	T_EQ_U64(o.status, 2, "bad format exit");
	T_EQ_STR(o.err, "Unrecognized output format 'xml'\n", "bad format message");
	o = t_cli("", "stat", "-C base.csv");
	T_EQ_U64(o.status, 2, "compare with one file");
	T_EQ_STR(o.err, "stackbpf: stat: comparison mode expects exactly two input CSV files\n", "compare arity");
	o = t_cli("", "stat", "-R base.csv comp.csv");
	T_EQ_STR(o.err, "stackbpf: stat: replay mode expects exactly one input CSV file\n", "replay arity");
	o = t_cli("", "stat", "-C -R base.csv comp.csv");
	T_EQ_STR(o.err, "stackbpf: stat: can't specify replay and comparison mode at the same time\n", "-C -R");
	o = t_cli("", "stat", "-v -q x.o");
	T_EQ_STR(o.err, "stackbpf: stat: verbose and quiet modes are incompatible, please specify just one or neither\n",
		 "-v -q");
	o = t_cli("", "stat", "-C base.csv nosuch.csv");
	T_EQ_U64(o.status, 2, "missing CSV exit");
	T_EQ_STR(o.err, "Failed to open 'nosuch.csv': -2\nstackbpf: stat: failed to parse stats from 'nosuch.csv'\n",
		 "missing CSV message");
	write_file("bad1.csv", "file_name,prog_name,verdict\na.o,p,maybe\n");
	o = t_cli("", "stat", "-R bad1.csv");
	T_EQ_STR(o.err, "Unrecognized verification verdict 'maybe'\nstackbpf: stat: failed to parse stats from 'bad1.csv'\n",
		 "bad verdict");
	write_file("bad2.csv", "file_name,prog_name,total_insns\na.o,p,12x\n");
	o = t_cli("", "stat", "-R bad2.csv");
	T_OK(strncmp(o.err, "Failed to parse '12x' as integer\n", 33) == 0, "bad number: %s", o.err);
	write_file("bad3.csv", "file_name,prog_name,total_insns\na.o,p,1,2\n");
	o = t_cli("", "stat", "-R bad3.csv");
	T_OK(strncmp(o.err, "Found extraneous column #3 in row #1 of 'bad3.csv'\n", 51) == 0, "extra column: %s", o.err);
	write_file("bad4.csv", "file_name,prog_name,total_insns\na.o,p\n");
	o = t_cli("", "stat", "-R bad4.csv");
	T_OK(strncmp(o.err, "Not enough columns in row #1 in 'bad4.csv'\n", 43) == 0, "missing column: %s", o.err);
	write_file("bad5.csv", "verdict,total_insns\nsuccess,1\n");
	o = t_cli("", "stat", "-R bad5.csv");
	T_OK(strncmp(o.err, "Row #1 in 'bad5.csv' is missing file and/or program name\n", 57) == 0, "no key: %s", o.err);
	write_file("short.csv", "file_name,prog_name,verdict\nprogs.bpf.o,xdp_count,success\n");
	o = t_cli("", "stat", "-C base.csv short.csv");
	T_EQ_U64(o.status, 2, "composition exit");
	T_EQ_STR(o.err, "stackbpf: stat: number of stats in 'base.csv' and 'short.csv' differs (15 != 3)\n",
		 "composition message");
	write_file("short2.csv", "file_name,prog_name,total_states\nprogs.bpf.o,xdp_count,3\n");
	o = t_cli("", "stat", "-C short.csv short2.csv");
	T_EQ_STR(o.err, "stackbpf: stat: stats composition differs between 'short.csv' and 'short2.csv' "
			"(verdict != total_states)\n", "composition names");
	o = t_cli("", "stat", "-C short2.csv short2.csv -o md");
	T_EQ_STR(o.err, "stackbpf: stat: -o md needs the verdict and total_states columns in both CSV files\n",
		 "md columns");
	o = t_cli("", "stat", "-R run.csv -o md");
	T_EQ_STR(o.err, "stackbpf: stat: -o md renders a comparison: use it with -C BASE.csv COMP.csv\n", "md without -C");
	o = t_cli("", "stat", "-R run.csv --bogus");
	T_EQ_STR(o.err, "stackbpf: stat: unknown option '--bogus' (try 'stackbpf stat --help')\n", "unknown option");
	o = t_cli("", "stat", "-R run.csv -G 'x = 1'");
	T_EQ_U64(o.status, 2, "-G");
	T_EQ_STR(o.err, "stackbpf: stat: veristat's option '-G' is not supported\n", "-G message");
	o = t_cli("", "stat", "-R run.csv -e prog -n 1 --log-fixed --log-size 1024 -d");
	T_EQ_STR(o.out, "Program \n--------\nsock_bad\n--------\n", "accepted veristat options (-n 1: widths of the rows shown)");
	o = t_cli("", "stat", "-R run.csv -n 0");
	T_EQ_STR(o.err, "stackbpf: stat: invalid --top-n value '0' (expected 1..1000000000)\n", "-n 0");
	o = t_cli("", "stat", "-R run.csv -e");
	T_EQ_STR(o.err, "stackbpf: stat: option '-e' needs a value\n", "-e without value");
	o = t_cli("", "stat", "");
	T_EQ_U64(o.status, 2, "no input");
	T_EQ_STR(o.err, "stackbpf: stat: no BPF object files given (try 'stackbpf stat --help')\n", "no input message");
	o = t_cli("", "stat", "--help");
	T_EQ_U64(o.status, 0, "--help");
	T_OK(strstr(o.out, "Max mark read length: max_mark_read_len mark_read") != NULL, "--help lists the stats");
}

int main(void)
{
	if (t_scratch("statcsv"))
		return 1;
	write_runs();
	test_replay();
	test_compare();
	test_markdown();
	test_errors();
	return t_done();
}
