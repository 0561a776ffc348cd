#include "carrow.h"
#include <arrow/config.h>
extern "C" const char *carrow_version(void) { return ARROW_VERSION_STRING; }
