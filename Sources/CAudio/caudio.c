#include "caudio.h"
