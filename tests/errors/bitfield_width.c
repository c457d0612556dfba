struct bits { unsigned int lo : 3; unsigned int hi : 4; };
