/* Dependencies: selecting two functions brings their typedef chains, the stzucts they hold
   by value (defined) and by pointer (declared), callbacks and enums. */
// flags: --include-names use_* --include-names make_point --exclude-names use_excluded
/* make_poùinter is a typo: it matches nothing, a warning */
// flags: --in make_point(int x, int y);
size_t use_big(enum big b);
int use_excluded(void);
extern const char use_name_table[];
