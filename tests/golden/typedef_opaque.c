typedef struct handle { int fd; char name[32]; } handle_t;
typedef struct session *session_p;
handle_t *open_handle(const char *name);
void close_session(session_p s);
