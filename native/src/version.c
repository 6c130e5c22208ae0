#include "bigarrays.h"

int32_t ba_version(void) { return BA_VERSION; }

const int32_t ba_abi_version = BA_VERSION;
