#!/usr/bin/env bash
# The cdefc command: exit status, --dump-model output, -v logging, nothing half-written.
set -u
cdefc="$1"
golden="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
check() {  # check NAME CONDITION...
  local name="$1"; shift
  if "$@"; then echo "ok: $name"; else echo "FAIL: $name"; failures=$((failures + 1)); fi
}

"$cdefc" --help > "$tmp/help" 2>&1
check "help exits 0 and lists --dump-model" grep -q -- "--dump-model" "$tmp/help"

"$cdefc" --cdef "$golden/struct_partial.cdef" --source "$golden/struct_partial.c" \
  --dump-model="$tmp/model.json" -v 2> "$tmp/log"
check "good input exits 0" test $? -eq 0
check "model written" grep -q '"name": "struct point"' "$tmp/model.json"
check "-v logs phases and timings" grep -q "resolved with Clang" "$tmp/log"

mtime=$(stat -c %Y "$tmp/model.json")
sleep 1
"$cdefc" --cdef "$golden/struct_partial.cdef" --source "$golden/struct_partial.c" \
  --dump-model="$tmp/model.json"
check "unchanged output keeps its mtime" test "$(stat -c %Y "$tmp/model.json")" = "$mtime"

printf 'struct point { int x; int w; };\n' > "$tmp/bad.cdef"
printf 'struct point { int y; int x; int z; };\n' > "$tmp/bad.c"
"$cdefc" --cdef "$tmp/bad.cdef" --source "$tmp/bad.c" --dump-model="$tmp/bad.json" 2> "$tmp/err"
check "mismatch exits 3" test $? -eq 3
check "no output file after an error" test ! -e "$tmp/bad.json"
check "no temporary file left" test -z "$(ls "$tmp" | grep tmp)"
check "diagnostic names the cdef line" grep -q "bad.cdef:1:" "$tmp/err"
check "error count printed" grep -q "error generated\|errors generated" "$tmp/err"

# A layout C has another way is a warning (exit 0, module written); --strict makes it an error.
printf 'struct point { int x; int y; };\n' > "$tmp/warn.cdef"
"$cdefc" --cdef "$tmp/warn.cdef" --source "$tmp/bad.c" --dump-model="$tmp/warn.json" 2> "$tmp/werr"
check "mismatched layout exits 0" test $? -eq 0
check "mismatched layout warns" grep -q "warn.cdef:1:.*warning: field 'x' of 'struct point' is at offset 4" "$tmp/werr"
check "model records the lazy error" grep -q "wrong offset for field 'x'" "$tmp/warn.json"
"$cdefc" --cdef "$tmp/warn.cdef" --source "$tmp/bad.c" --strict --dump-model="$tmp/strict.json" 2> "$tmp/serr"
check "--strict exits 3" test $? -eq 3
check "--strict makes it an error" grep -q "error: field 'x' of 'struct point' is at offset 4.*\[strict\]" "$tmp/serr"
check "--strict writes nothing" test ! -e "$tmp/strict.json"
"$cdefc" --cdef "$tmp/warn.cdef" --source "$tmp/bad.c" --extra-compile-arg=-Werror --dump-model="$tmp/werror.json" 2> "$tmp/werr2"
check "-Werror exits 3" test $? -eq 3
check "-Werror makes it an error" grep -q "error: .*\[-Werror\]" "$tmp/werr2"

# The C compiler's options that Clang does not know, and its -W options, never stop cdefc.
printf 'int f(int);\n' > "$tmp/gcc.cdef"
printf 'static int helper(void) { return 1; }\nstatic int f(int x) { return x; }\n' > "$tmp/gcc.c"
"$cdefc" --cdef "$tmp/gcc.cdef" --source "$tmp/gcc.c" --extra-compile-arg=-fno-var-tracking-assignments \
  --extra-compile-arg=-Wall --extra-compile-arg=-Werror=unused-function --dump-model="$tmp/gcc.json" 2> "$tmp/gccerr"
check "gcc-only and -W options are not Clang's business" test $? -eq 0

printf '#include <stdio.h>\nint f(void);\n' > "$tmp/syntax.cdef"
"$cdefc" --cdef "$tmp/syntax.cdef" --dump-model="$tmp/syntax.json" 2> "$tmp/err2"
check "parse error exits 2" test $? -eq 2
check "parse error has a caret line" grep -q "^\s*\^" "$tmp/err2"

"$cdefc" --no-such-option > /dev/null 2> "$tmp/err3"
check "bad option exits 1" test $? -eq 1

# cdef_from_headers on the command line: the cdef it writes, then a module from it.
printf '#include <stddef.h>\nstruct pair { int a, b; };\ntypedef struct pair pair_t;\nint pair_sum(const pair_t *p);\nstatic inline int pair_twice(int x) { return 2 * x; }\n#define PAIR_MAX 100\n#define PAIR_NAME "pair"\n' > "$tmp/pair.h"
"$cdefc" --cdef-from-headers pair.h -I "$tmp" --include-names 'pair*' --include-names 'PAIR_*' \
  --exclude-names PAIR_NAME --print-cdef -v > "$tmp/pair.cdef" 2> "$tmp/pairlog"
check "--print-cdef exits 0" test $? -eq 0
check "--print-cdef writes the selection" grep -q "^int pair_sum(const pair_t \*p);$" "$tmp/pair.cdef"
check "dependencies come along" grep -q "^typedef struct pair pair_t;$" "$tmp/pair.cdef"
check "integer macros become #define ..." grep -q "^#define PAIR_MAX \.\.\.$" "$tmp/pair.cdef"
check "--exclude-names leaves a name out" test -z "$(grep PAIR_NAME "$tmp/pair.cdef")"
check "-v notes what is left out" grep -q "left out 'pair_twice': an inline function" "$tmp/pairlog"
"$cdefc" --cdef-from-headers nothere.h --print-cdef > /dev/null 2> "$tmp/err4"
check "a missing header exits 3" test $? -eq 3
check "a missing header is Clang's error" grep -q "'nothere.h' file not found" "$tmp/err4"

# --library-file: what the header declares but the library does not export is not bound.
printf 'unsigned long crc32(unsigned long crc, const unsigned char *buf, unsigned int len);\nint not_in_zlib(void);\n' > "$tmp/zexp.h"
libz="$(gcc -print-file-name=libz.so)"
"$cdefc" --cdef-from-headers zexp.h -I "$tmp" --library-file "$libz" --print-cdef -v > "$tmp/zexp.cdef" 2> "$tmp/zexplog"
check "--library-file keeps what the library exports" grep -q "^unsigned long crc32(" "$tmp/zexp.cdef"
check "--library-file leaves out what it lacks" test -z "$(grep not_in_zlib "$tmp/zexp.cdef")"
check "-v says why" grep -q "left out 'not_in_zlib': the module's libraries do not export it" "$tmp/zexplog"

echo "$((26 - failures)) passed, $failures failed"
test "$failures" -eq 0
