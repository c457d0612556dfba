extern long samples[5];
