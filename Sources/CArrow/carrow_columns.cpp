// CArrow tables and columns: typed, row-addressed access to (possibly chunked) Arrow columns.
// Values are converted to the few C types Swift needs (bytes, int64, double, float lists).
#include "carrow_internal.hpp"
#include <algorithm>
#include <cmath>
#include <type_traits>

using carrow::guarded;
using carrow::value;

extern "C" void carrow_table_free(carrow_table *t) { delete t; }
extern "C" int64_t carrow_table_num_rows(const carrow_table *t) { return t->table->num_rows(); }

extern "C" char *carrow_table_column(const carrow_table *t, const char *name, carrow_column **out) {
    return guarded([&]() -> char * {
        auto column = t->table->GetColumnByName(name);
        if (!column) return carrow::error(std::string("no column named '") + name + "'");
        *out = new carrow_column(column);
        return nullptr;
    });
}

extern "C" void carrow_column_free(carrow_column *c) { delete c; }
extern "C" int64_t carrow_column_length(const carrow_column *c) { return c->data->length(); }
extern "C" const char *carrow_column_type(const carrow_column *c) { return c->type.c_str(); }

namespace {

/// The chunk holding row and the row's offset inside it.
std::pair<const arrow::Array *, int64_t> locate(const carrow_column *c, int64_t row) {
    if (row < 0 || row >= c->data->length())
        throw std::out_of_range("row " + std::to_string(row) + " out of range (column has " +
                                std::to_string(c->data->length()) + ")");
    auto chunk = std::upper_bound(c->starts.begin(), c->starts.end(), row) - c->starts.begin() - 1;
    return {c->data->chunk((int)chunk).get(), row - c->starts[chunk]};
}

template <class ArrayType, class Out>
void copy_typed(const arrow::Array &values, int64_t offset, int64_t count, Out *out) {
    const auto &array = static_cast<const ArrayType &>(values);
    const auto *raw = array.raw_values();
    const bool has_nulls = array.null_count() > 0;
    for (int64_t i = 0; i < count; i++) {
        if (has_nulls && array.IsNull(offset + i)) {
            if constexpr (std::is_floating_point_v<Out>) {
                out[i] = NAN;  // surfaces as a NaN sample, which the pipeline rejects and reports
            } else {
                throw std::runtime_error("null element in an integer list");
            }
        } else {
            out[i] = static_cast<Out>(raw[offset + i]);
        }
    }
}

/// Copies count numeric elements starting at offset, converting to Out.
template <class Out>
void copy_numeric(const arrow::Array &values, int64_t offset, int64_t count, Out *out) {
    switch (values.type_id()) {
    case arrow::Type::FLOAT: return copy_typed<arrow::FloatArray>(values, offset, count, out);
    case arrow::Type::DOUBLE: return copy_typed<arrow::DoubleArray>(values, offset, count, out);
    case arrow::Type::INT8: return copy_typed<arrow::Int8Array>(values, offset, count, out);
    case arrow::Type::INT16: return copy_typed<arrow::Int16Array>(values, offset, count, out);
    case arrow::Type::INT32: return copy_typed<arrow::Int32Array>(values, offset, count, out);
    case arrow::Type::INT64: return copy_typed<arrow::Int64Array>(values, offset, count, out);
    case arrow::Type::UINT8: return copy_typed<arrow::UInt8Array>(values, offset, count, out);
    case arrow::Type::UINT16: return copy_typed<arrow::UInt16Array>(values, offset, count, out);
    case arrow::Type::UINT32: return copy_typed<arrow::UInt32Array>(values, offset, count, out);
    case arrow::Type::UINT64: return copy_typed<arrow::UInt64Array>(values, offset, count, out);
    default: throw std::runtime_error("expected numeric values, found " + values.type()->ToString());
    }
}

struct ListSlice {
    std::shared_ptr<arrow::Array> values;
    int64_t offset = 0;
    int64_t length = 0;
};

/// Element range of one list value (list, large_list, fixed_size_list); empty for null.
ListSlice list_slice(const arrow::Array &array, int64_t i) {
    if (array.IsNull(i)) return {};
    switch (array.type_id()) {
    case arrow::Type::LIST: {
        const auto &list = static_cast<const arrow::ListArray &>(array);
        return {list.values(), list.value_offset(i), list.value_length(i)};
    }
    case arrow::Type::LARGE_LIST: {
        const auto &list = static_cast<const arrow::LargeListArray &>(array);
        return {list.values(), list.value_offset(i), list.value_length(i)};
    }
    case arrow::Type::FIXED_SIZE_LIST: {
        const auto &list = static_cast<const arrow::FixedSizeListArray &>(array);
        return {list.values(), list.value_offset(i), list.value_length(i)};
    }
    default: throw std::runtime_error("expected a list, found " + array.type()->ToString());
    }
}

void check_capacity(int64_t needed, int64_t capacity) {
    if (needed > capacity)
        throw std::runtime_error("buffer holds " + std::to_string(capacity) + " values, " + std::to_string(needed) +
                                 " needed");
}

}  // namespace

extern "C" int carrow_column_is_null(const carrow_column *c, int64_t row) {
    if (row < 0 || row >= c->data->length()) return 1;
    auto [array, i] = locate(c, row);
    return array->IsNull(i) ? 1 : 0;
}

extern "C" char *carrow_column_struct_field(const carrow_column *c, const char *name, carrow_column **out) {
    return guarded([&]() -> char * {
        if (c->data->type()->id() != arrow::Type::STRUCT)
            return carrow::error("column of type " + c->type + " has no fields");
        int index = static_cast<const arrow::StructType &>(*c->data->type()).GetFieldIndex(name);
        if (index < 0) return carrow::error("struct " + c->type + " has no field '" + name + "'");
        arrow::ArrayVector chunks;
        for (const auto &chunk : c->data->chunks()) {
            // Flattened: a null struct row reads as a null field value.
            chunks.push_back(value(static_cast<const arrow::StructArray &>(*chunk).GetFlattenedField(index)));
        }
        auto type = c->data->type()->field(index)->type();
        *out = new carrow_column(value(arrow::ChunkedArray::Make(chunks, type)));
        return nullptr;
    });
}

extern "C" char *carrow_column_binary(const carrow_column *c, int64_t row, const uint8_t **data, int64_t *size) {
    return guarded([&]() -> char * {
        auto [array, i] = locate(c, row);
        *data = nullptr;
        *size = 0;
        if (array->IsNull(i)) return nullptr;
        switch (array->type_id()) {
        case arrow::Type::BINARY:
        case arrow::Type::STRING: {
            int32_t length = 0;
            *data = static_cast<const arrow::BinaryArray &>(*array).GetValue(i, &length);
            *size = length;
            return nullptr;
        }
        case arrow::Type::LARGE_BINARY:
        case arrow::Type::LARGE_STRING: {
            int64_t length = 0;
            *data = static_cast<const arrow::LargeBinaryArray &>(*array).GetValue(i, &length);
            *size = length;
            return nullptr;
        }
        case arrow::Type::BINARY_VIEW:
        case arrow::Type::STRING_VIEW: {
            auto view = static_cast<const arrow::BinaryViewArray &>(*array).GetView(i);
            *data = reinterpret_cast<const uint8_t *>(view.data());
            *size = (int64_t)view.size();
            return nullptr;
        }
        case arrow::Type::FIXED_SIZE_BINARY: {
            const auto &fixed = static_cast<const arrow::FixedSizeBinaryArray &>(*array);
            *data = fixed.GetValue(i);
            *size = fixed.byte_width();
            return nullptr;
        }
        default: return carrow::error("expected binary or string, found " + c->type);
        }
    });
}

extern "C" char *carrow_column_int64(const carrow_column *c, int64_t row, int64_t *out) {
    return guarded([&]() -> char * {
        auto [array, i] = locate(c, row);
        if (array->IsNull(i)) return carrow::error("null value at row " + std::to_string(row));
        if (!arrow::is_integer(array->type_id())) return carrow::error("expected an integer, found " + c->type);
        copy_numeric(*array, i, 1, out);
        return nullptr;
    });
}

extern "C" char *carrow_column_double(const carrow_column *c, int64_t row, double *out) {
    return guarded([&]() -> char * {
        auto [array, i] = locate(c, row);
        if (array->IsNull(i)) return carrow::error("null value at row " + std::to_string(row));
        copy_numeric(*array, i, 1, out);
        return nullptr;
    });
}

extern "C" char *carrow_column_list_length(const carrow_column *c, int64_t row, int64_t *length) {
    return guarded([&]() -> char * {
        auto [array, i] = locate(c, row);
        *length = list_slice(*array, i).length;
        return nullptr;
    });
}

extern "C" char *carrow_column_list_floats(const carrow_column *c, int64_t row, float *out, int64_t capacity) {
    return guarded([&]() -> char * {
        auto [array, i] = locate(c, row);
        auto slice = list_slice(*array, i);
        check_capacity(slice.length, capacity);
        if (slice.length > 0) copy_numeric(*slice.values, slice.offset, slice.length, out);
        return nullptr;
    });
}

extern "C" char *carrow_column_list_int64s(const carrow_column *c, int64_t row, int64_t *out, int64_t capacity) {
    return guarded([&]() -> char * {
        auto [array, i] = locate(c, row);
        auto slice = list_slice(*array, i);
        check_capacity(slice.length, capacity);
        if (slice.length > 0) {
            if (!arrow::is_integer(slice.values->type_id()))
                return carrow::error("expected a list of integers, found " + c->type);
            copy_numeric(*slice.values, slice.offset, slice.length, out);
        }
        return nullptr;
    });
}

extern "C" char *carrow_column_matrix_shape(const carrow_column *c, int64_t row, int64_t *rows, int64_t *cols) {
    return guarded([&]() -> char * {
        auto [array, i] = locate(c, row);
        auto outer = list_slice(*array, i);
        *rows = outer.length;
        *cols = 0;
        for (int64_t r = 0; r < outer.length; r++) {
            int64_t length = list_slice(*outer.values, outer.offset + r).length;
            if (r == 0) *cols = length;
            else if (length != *cols)
                return carrow::error("ragged matrix at row " + std::to_string(row) + ": inner list " +
                                     std::to_string(r) + " has " + std::to_string(length) + " values, expected " +
                                     std::to_string(*cols));
        }
        return nullptr;
    });
}

extern "C" char *carrow_column_matrix_floats(const carrow_column *c, int64_t row, float *out, int64_t capacity) {
    return guarded([&]() -> char * {
        auto [array, i] = locate(c, row);
        auto outer = list_slice(*array, i);
        int64_t written = 0;
        for (int64_t r = 0; r < outer.length; r++) {
            auto inner = list_slice(*outer.values, outer.offset + r);
            check_capacity(written + inner.length, capacity);
            if (inner.length > 0) copy_numeric(*inner.values, inner.offset, inner.length, out + written);
            written += inner.length;
        }
        return nullptr;
    });
}
