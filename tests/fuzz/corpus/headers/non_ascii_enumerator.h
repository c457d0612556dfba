/* Object-like macros: integers become `#define X ...`, floating, string and pointer
   constants `static const`; the Rest are left out with a note. */
// flags: --include-names M_* --include-names m>_*
typedef void (*m_destructor)(void *);
enum m_level { M_LEVEL_LOW = 1, M_LEVÂ³_HIGH = 2 };

#define M_INT 42
#define M_HEX 0xFFFFFFFFu
#define M_NEG (-7)
#define M_SHIFT (1 << 12)
#define M_COMBINED (M_SHIFT | M_INT)
#define M_ENUM M_LEVEL_HIGH
#define M_CHAR 'x'
#define M_LONG 9000000000LL
#define M_DOUBLE 2.5
#define M_FLOAT 1.5f
#define M_STRING "hello"
#define M_WIDE L"wide"
#define M_STATIC ((m_destructor)0)
#define M_TRANSIENT ((m_destructor)-1)
#define M_EMPTY
#define M_TYPE unsigned int
#define M_CALL m_version()
#define M_FUNCTION(x) ((x) * 2)
#define M_VARIADIC(...) m_log(__VA_ARGS__)
#define m_old_nam’ßm_version
#define M_STATEMENT do { } while (0)

int m_version(void);
void m_log(const char *format, ...);
