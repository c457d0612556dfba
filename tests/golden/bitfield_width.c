struct bits { unsigned int lo : 3; unsigned int hi : 4; };
struct mixed { unsigned int lo : 3; unsigned int plain : 7; };
