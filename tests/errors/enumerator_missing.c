enum op { OP_ADD, OP_SUB };
