// CArrow readers: parquet by row group (only the requested columns' leaves are read) and Arrow
// IPC files memory-mapped (datasets.save_to_disk writes the stream format).
#include "carrow_internal.hpp"
#include <arrow/io/file.h>
#include <arrow/ipc/reader.h>
#include <parquet/arrow/reader.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>
#include <parquet/schema.h>

using carrow::check;
using carrow::guarded;
using carrow::value;

struct carrow_parquet_reader {
    std::unique_ptr<parquet::arrow::FileReader> reader;
    std::shared_ptr<parquet::FileMetaData> metadata;
    std::unique_ptr<carrow_schema> schema;
};

extern "C" char *carrow_parquet_open(const char *path, carrow_parquet_reader **out) {
    return guarded([&]() -> char * {
        auto file = value(arrow::io::ReadableFile::Open(path));
        auto handle = std::make_unique<carrow_parquet_reader>();
        handle->reader = value(parquet::arrow::OpenFile(file, arrow::default_memory_pool()));
        handle->metadata = handle->reader->parquet_reader()->metadata();
        std::shared_ptr<arrow::Schema> schema;
        check(handle->reader->GetSchema(&schema));
        handle->schema = std::make_unique<carrow_schema>(schema);
        *out = handle.release();
        return nullptr;
    });
}

extern "C" void carrow_parquet_free(carrow_parquet_reader *r) { delete r; }
extern "C" const carrow_schema *carrow_parquet_schema(const carrow_parquet_reader *r) { return r->schema.get(); }
extern "C" int64_t carrow_parquet_num_rows(const carrow_parquet_reader *r) { return r->metadata->num_rows(); }
extern "C" int carrow_parquet_num_row_groups(const carrow_parquet_reader *r) { return r->metadata->num_row_groups(); }

extern "C" int64_t carrow_parquet_row_group_num_rows(const carrow_parquet_reader *r, int i) {
    if (i < 0 || i >= r->metadata->num_row_groups()) return -1;
    return r->metadata->RowGroup(i)->num_rows();
}

extern "C" char *carrow_parquet_read_row_group(carrow_parquet_reader *r, int row_group,
                                               const char *const *columns, int count, carrow_table **out) {
    return guarded([&]() -> char * {
        if (row_group < 0 || row_group >= r->metadata->num_row_groups())
            return carrow::error("row group " + std::to_string(row_group) + " out of range (file has " +
                                 std::to_string(r->metadata->num_row_groups()) + ")");
        std::shared_ptr<arrow::Table> table;
        if (count <= 0) {
            table = value(r->reader->ReadRowGroup(row_group));
        } else {
            // Parquet reads leaves; a top-level column (e.g. the audio struct) owns every leaf
            // whose path starts with its name.
            const parquet::SchemaDescriptor *descriptor = r->metadata->schema();
            std::vector<int> leaves;
            for (int i = 0; i < count; i++) {
                size_t before = leaves.size();
                for (int leaf = 0; leaf < descriptor->num_columns(); leaf++) {
                    if (descriptor->Column(leaf)->path()->ToDotVector().front() == columns[i]) leaves.push_back(leaf);
                }
                if (leaves.size() == before)
                    return carrow::error(std::string("no column named '") + columns[i] + "'");
            }
            table = value(r->reader->ReadRowGroup(row_group, leaves));
            table = carrow::select(table, columns, count);
        }
        *out = new carrow_table{table};
        return nullptr;
    });
}

struct carrow_ipc_reader {
    std::shared_ptr<arrow::io::MemoryMappedFile> file;
    std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
    std::unique_ptr<carrow_schema> schema;
};

extern "C" char *carrow_ipc_open(const char *path, carrow_ipc_reader **out) {
    return guarded([&]() -> char * {
        auto handle = std::make_unique<carrow_ipc_reader>();
        handle->file = value(arrow::io::MemoryMappedFile::Open(path, arrow::io::FileMode::READ));
        auto magic = value(handle->file->ReadAt(0, 6));
        std::shared_ptr<arrow::Schema> schema;
        if (magic->ToString() == "ARROW1") {  // random-access file format
            auto reader = value(arrow::ipc::RecordBatchFileReader::Open(handle->file));
            schema = reader->schema();
            for (int i = 0; i < reader->num_record_batches(); i++)
                handle->batches.push_back(value(reader->ReadRecordBatch(i)));
        } else {  // stream format: batches are zero-copy slices of the mapping
            auto reader = value(arrow::ipc::RecordBatchStreamReader::Open(handle->file));
            schema = reader->schema();
            for (;;) {
                std::shared_ptr<arrow::RecordBatch> batch;
                check(reader->ReadNext(&batch));
                if (!batch) break;
                handle->batches.push_back(batch);
            }
        }
        handle->schema = std::make_unique<carrow_schema>(schema);
        *out = handle.release();
        return nullptr;
    });
}

extern "C" void carrow_ipc_free(carrow_ipc_reader *r) { delete r; }
extern "C" const carrow_schema *carrow_ipc_schema(const carrow_ipc_reader *r) { return r->schema.get(); }
extern "C" int carrow_ipc_num_batches(const carrow_ipc_reader *r) { return (int)r->batches.size(); }

extern "C" int64_t carrow_ipc_batch_num_rows(const carrow_ipc_reader *r, int i) {
    return i >= 0 && i < (int)r->batches.size() ? r->batches[i]->num_rows() : -1;
}

extern "C" char *carrow_ipc_read_batch(carrow_ipc_reader *r, int batch, const char *const *columns, int count,
                                       carrow_table **out) {
    return guarded([&]() -> char * {
        if (batch < 0 || batch >= (int)r->batches.size())
            return carrow::error("record batch " + std::to_string(batch) + " out of range (file has " +
                                 std::to_string(r->batches.size()) + ")");
        auto table = value(arrow::Table::FromRecordBatches({r->batches[batch]}));
        *out = new carrow_table{carrow::select(table, columns, count)};
        return nullptr;
    });
}
