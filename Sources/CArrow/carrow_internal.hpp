// Shared internals of the CArrow shim: handle structs and the exception-to-error-string guard.
#pragma once
#include "carrow.h"
#include <arrow/api.h>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

struct carrow_schema {
    std::shared_ptr<arrow::Schema> schema;
    std::vector<std::string> names;
    std::vector<std::string> types;
    explicit carrow_schema(std::shared_ptr<arrow::Schema> s) : schema(std::move(s)) {
        for (const auto &field : schema->fields()) {
            names.push_back(field->name());
            types.push_back(field->type()->ToString());
        }
    }
};

struct carrow_table {
    std::shared_ptr<arrow::Table> table;
};

struct carrow_column {
    std::shared_ptr<arrow::ChunkedArray> data;
    std::string type;
    std::vector<int64_t> starts;  // first row of each chunk, for row -> (chunk, offset)
    explicit carrow_column(std::shared_ptr<arrow::ChunkedArray> d) : data(std::move(d)) {
        type = data->type()->ToString();
        int64_t start = 0;
        for (const auto &chunk : data->chunks()) {
            starts.push_back(start);
            start += chunk->length();
        }
    }
};

namespace carrow {

/// Error text for the caller; owned by the caller (free()).
inline char *error(const std::string &message) { return strdup(message.c_str()); }

/// Runs body, turning thrown exceptions into error strings: nothing escapes into Swift.
template <class Body> char *guarded(Body &&body) {
    try {
        return body();
    } catch (const std::exception &e) {
        return error(std::string("arrow: ") + e.what());
    } catch (...) {
        return error("arrow: unknown C++ exception");
    }
}

/// Throws the Status message when not ok (caught by guarded).
inline void check(const arrow::Status &status) {
    if (!status.ok()) throw std::runtime_error(status.ToString());
}
template <class T> T value(arrow::Result<T> result) {
    check(result.status());
    return std::move(result).ValueUnsafe();
}

/// Keeps only the named top-level columns, in the order given; unknown names are an error.
std::shared_ptr<arrow::Table> select(const std::shared_ptr<arrow::Table> &table,
                                     const char *const *columns, int count);

}  // namespace carrow
