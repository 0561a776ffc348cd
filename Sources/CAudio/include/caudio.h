// CAudio: libsndfile + libsoxr, exposed to Swift.
#pragma once
#include <sndfile.h>
#include <soxr.h>
