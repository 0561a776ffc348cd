// CArrow: a C ABI over Arrow C++ / Parquet (the pyarrow wheel's libarrow, libparquet).
//
// Conventions (as in tch-rs' shim): one function per operation; opaque handles released with
// their *_free function; functions that can fail return NULL on success or a malloc'd error
// message (release with free()); C++ exceptions never cross this boundary.
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Arrow C++ version string of the linked library.
const char *carrow_version(void);

typedef struct carrow_schema carrow_schema;                  // field names/types + metadata
typedef struct carrow_table carrow_table;                    // rows of selected columns
typedef struct carrow_column carrow_column;                  // one column (possibly chunked)
typedef struct carrow_parquet_reader carrow_parquet_reader;  // parquet file, read by row group
typedef struct carrow_ipc_reader carrow_ipc_reader;          // Arrow IPC stream or file
typedef struct carrow_parquet_writer carrow_parquet_writer;  // row-group-wise parquet writer

// ---- schema (borrowed from the reader that returned it; valid while the reader lives) ----
int carrow_schema_num_fields(const carrow_schema *schema);
/// Field name / Arrow type text (e.g. "struct<bytes: binary, path: string>").
const char *carrow_schema_field_name(const carrow_schema *schema, int index);
const char *carrow_schema_field_type(const carrow_schema *schema, int index);
/// Schema key-value metadata value for key, or NULL; malloc'd, release with free().
char *carrow_schema_metadata(const carrow_schema *schema, const char *key);

// ---- parquet reading -------------------------------------------------------------------
char *carrow_parquet_open(const char *path, carrow_parquet_reader **reader);
void carrow_parquet_free(carrow_parquet_reader *reader);
const carrow_schema *carrow_parquet_schema(const carrow_parquet_reader *reader);
int64_t carrow_parquet_num_rows(const carrow_parquet_reader *reader);
int carrow_parquet_num_row_groups(const carrow_parquet_reader *reader);
int64_t carrow_parquet_row_group_num_rows(const carrow_parquet_reader *reader, int row_group);
/// Reads one row group restricted to the named top-level columns (all columns when count is 0).
char *carrow_parquet_read_row_group(carrow_parquet_reader *reader, int row_group,
                                    const char *const *columns, int count, carrow_table **table);

// ---- Arrow IPC (datasets.save_to_disk data-*.arrow: stream format; file format also read) -
/// Memory-maps the file; record batches are zero-copy views of the mapping.
char *carrow_ipc_open(const char *path, carrow_ipc_reader **reader);
void carrow_ipc_free(carrow_ipc_reader *reader);
const carrow_schema *carrow_ipc_schema(const carrow_ipc_reader *reader);
int carrow_ipc_num_batches(const carrow_ipc_reader *reader);
int64_t carrow_ipc_batch_num_rows(const carrow_ipc_reader *reader, int batch);
char *carrow_ipc_read_batch(carrow_ipc_reader *reader, int batch, const char *const *columns,
                            int count, carrow_table **table);

// ---- tables and columns ----------------------------------------------------------------
void carrow_table_free(carrow_table *table);
int64_t carrow_table_num_rows(const carrow_table *table);
/// The named column; the column keeps its buffers alive on its own (free it separately).
char *carrow_table_column(const carrow_table *table, const char *name, carrow_column **column);

void carrow_column_free(carrow_column *column);
int64_t carrow_column_length(const carrow_column *column);
/// Arrow type text; borrowed, valid while the column lives.
const char *carrow_column_type(const carrow_column *column);
int carrow_column_is_null(const carrow_column *column, int64_t row);
/// Child field of a struct column (e.g. "bytes" of the HF Audio struct).
char *carrow_column_struct_field(const carrow_column *column, const char *name, carrow_column **child);
/// binary / string / large_* value: pointer into Arrow's buffer (valid while the column lives).
/// A null value gives data == NULL and size 0.
char *carrow_column_binary(const carrow_column *column, int64_t row, const uint8_t **data, int64_t *size);
/// Integer (any width) or floating value, converted.
char *carrow_column_int64(const carrow_column *column, int64_t row, int64_t *value);
char *carrow_column_double(const carrow_column *column, int64_t row, double *value);
/// Number of elements of a list value (list / large_list / fixed_size_list); 0 for null.
char *carrow_column_list_length(const carrow_column *column, int64_t row, int64_t *length);
/// Copies a list<numeric> value converted to float (nulls become NaN). out holds capacity items.
char *carrow_column_list_floats(const carrow_column *column, int64_t row, float *out, int64_t capacity);
/// Copies a list<integer> value converted to int64 (null elements are an error).
char *carrow_column_list_int64s(const carrow_column *column, int64_t row, int64_t *out, int64_t capacity);
/// Shape of a list<list<numeric>> value; ragged inner lists are an error.
char *carrow_column_matrix_shape(const carrow_column *column, int64_t row, int64_t *rows, int64_t *cols);
/// Copies a list<list<numeric>> value row-major as float; out holds rows * cols items.
char *carrow_column_matrix_floats(const carrow_column *column, int64_t row, float *out, int64_t capacity);

// ---- parquet writing -------------------------------------------------------------------
typedef enum {
    CARROW_KIND_AUDIO = 0,    // struct<bytes: binary, path: string> (Hugging Face Audio)
    CARROW_KIND_STRING = 1,   // string
    CARROW_KIND_FLOAT64 = 2,  // double
    CARROW_KIND_INT64 = 3,    // int64
} carrow_kind;

/// Opens path for writing (truncates). Metadata pairs go into the Arrow schema metadata
/// (e.g. "huggingface" -> features JSON). Compression: snappy.
char *carrow_writer_open(const char *path, const char *const *names, const int *kinds, int count,
                         const char *const *metadata_keys, const char *const *metadata_values,
                         int metadata_count, carrow_parquet_writer **writer);
void carrow_writer_free(carrow_parquet_writer *writer);
/// Appends one value to a column of the pending row group. NULL bytes/text appends a null.
char *carrow_writer_append_audio(carrow_parquet_writer *writer, int column, const uint8_t *bytes,
                                 int64_t size, const char *path);
char *carrow_writer_append_string(carrow_parquet_writer *writer, int column, const char *text, int64_t size);
char *carrow_writer_append_double(carrow_parquet_writer *writer, int column, double value);
char *carrow_writer_append_int64(carrow_parquet_writer *writer, int column, int64_t value);
char *carrow_writer_append_null(carrow_parquet_writer *writer, int column);
/// Rows pending in the current row group (every column must have the same count at flush).
int64_t carrow_writer_pending_rows(const carrow_parquet_writer *writer);
/// Writes the pending rows as one row group (no-op when none are pending).
char *carrow_writer_flush_row_group(carrow_parquet_writer *writer);
/// Flushes and writes the footer; the writer can only be freed afterwards.
char *carrow_writer_close(carrow_parquet_writer *writer);

#ifdef __cplusplus
}
#endif
