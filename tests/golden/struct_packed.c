struct wire { char kind; int length; short crc; } __attribute__((packed));
