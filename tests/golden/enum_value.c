enum state { IDLE, RUNNING = 4, STOPPED };
