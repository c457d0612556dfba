enum mode { MODE_NONE = 1, MODE_SLOW = 10, MODE_FAST = 20, MODE_MAX };
enum level { HIGH = 100, LOW = -100 };
