union value { int i; double d; char bytes[24]; };
