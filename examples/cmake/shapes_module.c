#include "shapes.h"
