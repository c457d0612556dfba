struct buffer { unsigned long len; unsigned char data[]; };
