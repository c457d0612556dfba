int register_callback(int (*cb)(int, void *));
