// CArrow: version, schema accessors and the column selection shared by the readers.
#include "carrow_internal.hpp"
#include <arrow/config.h>

extern "C" const char *carrow_version(void) { return ARROW_VERSION_STRING; }

extern "C" int carrow_schema_num_fields(const carrow_schema *s) { return (int)s->names.size(); }

extern "C" const char *carrow_schema_field_name(const carrow_schema *s, int i) {
    return i >= 0 && i < (int)s->names.size() ? s->names[i].c_str() : nullptr;
}

extern "C" const char *carrow_schema_field_type(const carrow_schema *s, int i) {
    return i >= 0 && i < (int)s->types.size() ? s->types[i].c_str() : nullptr;
}

extern "C" char *carrow_schema_metadata(const carrow_schema *s, const char *key) {
    const auto &metadata = s->schema->metadata();
    if (!metadata) return nullptr;
    auto found = metadata->Get(key);
    return found.ok() ? strdup(found.ValueUnsafe().c_str()) : nullptr;
}

std::shared_ptr<arrow::Table> carrow::select(const std::shared_ptr<arrow::Table> &table,
                                             const char *const *columns, int count) {
    if (count <= 0) return table;
    std::vector<int> indices;
    for (int i = 0; i < count; i++) {
        int index = table->schema()->GetFieldIndex(columns[i]);
        if (index < 0) throw std::runtime_error(std::string("no column named '") + columns[i] + "'");
        indices.push_back(index);
    }
    return value(table->SelectColumns(indices));
}
