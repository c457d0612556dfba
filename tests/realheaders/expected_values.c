/* Prints what gcc computes for the declarations of system.cdef, one "key value" a line. */
#pragma GCC diagnostic ignored "-Wtype-limits" /* (type)-1 < 0 is the signedness test */
#include <stddef.h>
#include <stdint.h>
#include "system.c"

#define SIZE(name, type) printf("size %s %llu\n", name, (unsigned long long)sizeof(type))
#define FIELD(name, type, f)                                                          \
  printf("offset %s.%s %llu\n", name, #f, (unsigned long long)offsetof(type, f));     \
  printf("fieldsize %s.%s %llu\n", name, #f, (unsigned long long)sizeof(((type *)0)->f))
#define INT(name) printf("int %s %lld\n", #name, (long long)(name))
#define UINT(name) printf("uint %s %llu\n", #name, (unsigned long long)(name))
#define INTTYPE(type)                                                                 \
  printf("inttype %s %sint%d_t\n", #type, ((type)-1 < (type)0) ? "" : "u", (int)(8 * sizeof(type)))

int main(void) {
  SIZE("z_stream", z_stream);
  FIELD("z_stream", z_stream, next_in);
  FIELD("z_stream", z_stream, avail_in);
  FIELD("z_stream", z_stream, total_in);
  FIELD("z_stream", z_stream, next_out);
  FIELD("z_stream", z_stream, avail_out);
  FIELD("z_stream", z_stream, total_out);
  FIELD("z_stream", z_stream, msg);
  FIELD("z_stream", z_stream, opaque);
  FIELD("z_stream", z_stream, data_type);
  FIELD("z_stream", z_stream, adler);
  SIZE("struct_tm", struct tm);
  FIELD("struct_tm", struct tm, tm_sec);
  FIELD("struct_tm", struct tm, tm_min);
  FIELD("struct_tm", struct tm, tm_hour);
  FIELD("struct_tm", struct tm, tm_mday);
  FIELD("struct_tm", struct tm, tm_mon);
  FIELD("struct_tm", struct tm, tm_year);
  FIELD("struct_tm", struct tm, tm_wday);
  FIELD("struct_tm", struct tm, tm_yday);
  FIELD("struct_tm", struct tm, tm_isdst);
  SIZE("struct_stat", struct stat);
  FIELD("struct_stat", struct stat, st_dev);
  FIELD("struct_stat", struct stat, st_ino);
  FIELD("struct_stat", struct stat, st_mode);
  FIELD("struct_stat", struct stat, st_nlink);
  FIELD("struct_stat", struct stat, st_size);
  INT(Z_OK);
  INT(Z_STREAM_END);
  INT(Z_NO_FLUSH);
  INT(Z_FINISH);
  INT(Z_BUF_ERROR);
  INT(Z_DEFAULT_COMPRESSION);
  INT(Z_DEFLATED);
  INT(MAX_WBITS);
  INT(INT_MAX);
  INT(INT_MIN);
  UINT(UINT_MAX);
  INT(LLONG_MIN);
  UINT(ULLONG_MAX);
  INT(EOF);
  INT(BUFSIZ);
  INT(SEEK_END);
  printf("double DBL_EPSILON %.17g\n", DBL_EPSILON);
  printf("string ZLIB_VERSION %s\n", ZLIB_VERSION);
  INTTYPE(off_t);
  INTTYPE(dev_t);
  INTTYPE(ino_t);
  INTTYPE(mode_t);
  INTTYPE(nlink_t);
  INTTYPE(time_t);
  return 0;
}
