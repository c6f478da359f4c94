#pragma once
// Values that cross the storage boundary: bound parameters and result cells.
// Plain values; thread-safe to copy.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace overture::storage {

// NULL, BIGINT/INTEGER, DOUBLE/REAL, TEXT, BOOLEAN. Backends map booleans to INTEGER 0/1 on
// SQLite and to boolean on PostgreSQL; reading either back gives a bool or an int64 that
// AsBool accepts.
using Value = std::variant<std::monostate, std::int64_t, double, std::string, bool>;

inline bool IsNull(const Value& v) { return std::holds_alternative<std::monostate>(v); }
// Conversions are lenient where the dialects differ (a bool column read from SQLite is an
// int64); a NULL gives the fallback.
std::int64_t AsInt(const Value& v, std::int64_t fallback = 0);
double AsDouble(const Value& v, double fallback = 0);
std::string AsString(const Value& v, std::string_view fallback = {});
bool AsBool(const Value& v, bool fallback = false);

// A fully materialised result. Column names are lower case as the database reports them.
struct Rows {
    std::vector<std::string> columns;
    std::vector<std::vector<Value>> rows;

    bool empty() const { return rows.empty(); }
    std::size_t size() const { return rows.size(); }
    // Index of a column by name, or -1.
    int Column(std::string_view name) const;
};

}  // namespace overture::storage
