extern int values[];
