// CArrow parquet writer: buffers rows in Arrow builders and writes each flush as one row group.
#include "carrow_internal.hpp"
#include <arrow/io/file.h>
#include <arrow/util/key_value_metadata.h>
#include <parquet/arrow/writer.h>
#include <parquet/properties.h>

using carrow::check;
using carrow::guarded;
using carrow::value;

struct carrow_parquet_writer {
    std::shared_ptr<arrow::Schema> schema;
    std::vector<carrow_kind> kinds;
    std::vector<std::shared_ptr<arrow::ArrayBuilder>> builders;
    std::shared_ptr<arrow::io::FileOutputStream> file;
    std::unique_ptr<parquet::arrow::FileWriter> writer;
    bool closed = false;
};

namespace {

std::shared_ptr<arrow::DataType> audio_type() {
    return arrow::struct_({arrow::field("bytes", arrow::binary()), arrow::field("path", arrow::utf8())});
}

std::shared_ptr<arrow::DataType> type_of(int kind) {
    switch (kind) {
    case CARROW_KIND_AUDIO: return audio_type();
    case CARROW_KIND_STRING: return arrow::utf8();
    case CARROW_KIND_FLOAT64: return arrow::float64();
    case CARROW_KIND_INT64: return arrow::int64();
    default: throw std::runtime_error("unknown column kind " + std::to_string(kind));
    }
}

/// The builder for column, checked against the kind the caller expects.
template <class Builder> Builder &builder(carrow_parquet_writer *w, int column, carrow_kind kind) {
    if (w->closed) throw std::runtime_error("writer is closed");
    if (column < 0 || column >= (int)w->builders.size())
        throw std::runtime_error("column index " + std::to_string(column) + " out of range");
    if (w->kinds[column] != kind)
        throw std::runtime_error("column '" + w->schema->field(column)->name() + "' has type " +
                                 w->schema->field(column)->type()->ToString());
    return static_cast<Builder &>(*w->builders[column]);
}

}  // namespace

extern "C" char *carrow_writer_open(const char *path, const char *const *names, const int *kinds, int count,
                                    const char *const *metadata_keys, const char *const *metadata_values,
                                    int metadata_count, carrow_parquet_writer **out) {
    return guarded([&]() -> char * {
        auto w = std::make_unique<carrow_parquet_writer>();
        arrow::FieldVector fields;
        for (int i = 0; i < count; i++) {
            fields.push_back(arrow::field(names[i], type_of(kinds[i])));
            w->kinds.push_back((carrow_kind)kinds[i]);
            std::unique_ptr<arrow::ArrayBuilder> b;
            check(arrow::MakeBuilder(arrow::default_memory_pool(), fields.back()->type(), &b));
            w->builders.push_back(std::move(b));
        }
        std::vector<std::string> keys(metadata_keys, metadata_keys + metadata_count);
        std::vector<std::string> values(metadata_values, metadata_values + metadata_count);
        w->schema = arrow::schema(fields, arrow::key_value_metadata(keys, values));
        w->file = value(arrow::io::FileOutputStream::Open(path));
        auto properties = parquet::WriterProperties::Builder().compression(arrow::Compression::SNAPPY)->build();
        // store_schema keeps the Arrow schema (and its metadata) so readers get identical types.
        auto arrow_properties = parquet::ArrowWriterProperties::Builder().store_schema()->build();
        w->writer = value(parquet::arrow::FileWriter::Open(*w->schema, arrow::default_memory_pool(), w->file,
                                                            properties, arrow_properties));
        *out = w.release();
        return nullptr;
    });
}

extern "C" void carrow_writer_free(carrow_parquet_writer *w) {
    if (!w) return;
    if (!w->closed && w->file) (void)w->file->Close();  // abandoned: release the descriptor
    delete w;
}

extern "C" char *carrow_writer_append_audio(carrow_parquet_writer *w, int column, const uint8_t *bytes, int64_t size,
                                            const char *path) {
    return guarded([&]() -> char * {
        auto &audio = builder<arrow::StructBuilder>(w, column, CARROW_KIND_AUDIO);
        auto &bytes_builder = static_cast<arrow::BinaryBuilder &>(*audio.field_builder(0));
        auto &path_builder = static_cast<arrow::StringBuilder &>(*audio.field_builder(1));
        check(audio.Append());
        check(bytes ? bytes_builder.Append(bytes, size) : bytes_builder.AppendNull());
        check(path ? path_builder.Append(path) : path_builder.AppendNull());
        return nullptr;
    });
}

extern "C" char *carrow_writer_append_string(carrow_parquet_writer *w, int column, const char *text, int64_t size) {
    return guarded([&]() -> char * {
        auto &b = builder<arrow::StringBuilder>(w, column, CARROW_KIND_STRING);
        check(text ? b.Append(text, size) : b.AppendNull());
        return nullptr;
    });
}

extern "C" char *carrow_writer_append_double(carrow_parquet_writer *w, int column, double v) {
    return guarded([&]() -> char * {
        check(builder<arrow::DoubleBuilder>(w, column, CARROW_KIND_FLOAT64).Append(v));
        return nullptr;
    });
}

extern "C" char *carrow_writer_append_int64(carrow_parquet_writer *w, int column, int64_t v) {
    return guarded([&]() -> char * {
        check(builder<arrow::Int64Builder>(w, column, CARROW_KIND_INT64).Append(v));
        return nullptr;
    });
}

extern "C" char *carrow_writer_append_null(carrow_parquet_writer *w, int column) {
    return guarded([&]() -> char * {
        if (w->closed) return carrow::error("writer is closed");
        if (column < 0 || column >= (int)w->builders.size())
            return carrow::error("column index " + std::to_string(column) + " out of range");
        check(w->builders[column]->AppendNull());
        return nullptr;
    });
}

extern "C" int64_t carrow_writer_pending_rows(const carrow_parquet_writer *w) {
    return w->builders.empty() ? 0 : w->builders[0]->length();
}

extern "C" char *carrow_writer_flush_row_group(carrow_parquet_writer *w) {
    return guarded([&]() -> char * {
        if (w->closed) return carrow::error("writer is closed");
        int64_t rows = carrow_writer_pending_rows(w);
        if (rows == 0) return nullptr;
        arrow::ArrayVector arrays;
        for (size_t i = 0; i < w->builders.size(); i++) {
            if (w->builders[i]->length() != rows)
                return carrow::error("column '" + w->schema->field((int)i)->name() + "' has " +
                                     std::to_string(w->builders[i]->length()) + " values, first column has " +
                                     std::to_string(rows));
        }
        for (auto &b : w->builders) arrays.push_back(value(b->Finish()));
        auto table = arrow::Table::Make(w->schema, arrays, rows);
        check(w->writer->WriteTable(*table, rows));  // chunk_size = rows: exactly one row group
        return nullptr;
    });
}

extern "C" char *carrow_writer_close(carrow_parquet_writer *w) {
    return guarded([&]() -> char * {
        if (w->closed) return nullptr;
        char *flush_error = carrow_writer_flush_row_group(w);
        if (flush_error) return flush_error;
        w->closed = true;
        check(w->writer->Close());
        check(w->file->Close());
        return nullptr;
    });
}
