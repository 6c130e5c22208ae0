#include "bigarrays.h"

int32_t ba_version(void) { return BA_VERSION; }
