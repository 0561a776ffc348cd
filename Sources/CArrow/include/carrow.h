// CArrow: a C ABI over Arrow C++ / Parquet (pyarrow wheel's libarrow, libparquet).
#pragma once
#ifdef __cplusplus
extern "C" {
#endif
/// Arrow C++ version string of the linked library.
const char *carrow_version(void);
#ifdef __cplusplus
}
#endif
