// Working tables: names and DDL (tables.hpp).
#include "workflow/tables.hpp"

#include <fmt/format.h>

#include <set>

#include "storage/sql_text.hpp"

namespace overture::workflow {

std::string WorkingTableName(std::int64_t task_id, int n) {
    return fmt::format("wkf_{}_{}", task_id, n);
}

bool IsWorkingTableName(std::string_view name) {
    if (!name.starts_with("wkf_") || name.size() > 60) return false;
    int parts = 0;
    std::size_t digits = 0;
    for (std::size_t i = 4; i < name.size(); ++i) {
        const char c = name[i];
        if (c >= '0' && c <= '9') {
            ++digits;
        } else if (c == '_' && digits > 0 && parts == 0) {
            ++parts;
            digits = 0;
        } else {
            return false;
        }
    }
    return parts == 1 && digits > 0;
}

bool IsColumnType(std::string_view type) {
    return type == "string" || type == "integer" || type == "float" || type == "boolean" ||
           type == "date" || type == "datetime";
}

Result<std::string> ColumnSqlType(std::string_view type, storage::Dialect dialect) {
    const bool sqlite = dialect == storage::Dialect::kSqlite;
    if (type == "string") return std::string(sqlite ? "TEXT" : "text");
    if (type == "integer") return std::string(sqlite ? "INTEGER" : "bigint");
    if (type == "float") return std::string(sqlite ? "REAL" : "double precision");
    if (type == "boolean") return std::string(sqlite ? "INTEGER" : "boolean");
    if (type == "date") return std::string(sqlite ? "TEXT" : "date");
    if (type == "datetime") return std::string(sqlite ? "TEXT" : "timestamptz");
    return Fail(Error::InvalidArgument(fmt::format(
        "unknown column type '{}' (string, integer, float, boolean, date or datetime)", type)));
}

Result<std::string> CreateTableSql(std::string_view name, std::vector<Column>& columns,
                                   storage::Dialect dialect) {
    const bool sqlite = dialect == storage::Dialect::kSqlite;
    std::string sql = fmt::format(
        "CREATE TABLE {} (id {} PRIMARY KEY, segment_code {} NOT NULL "
        "DEFAULT ''",
        storage::QuoteIdent(name), sqlite ? "INTEGER" : "bigint", sqlite ? "TEXT" : "text");
    std::set<std::string, std::less<>> names;
    int n = 0;
    for (auto& c : columns) {
        if (c.name.empty()) return Fail(Error::InvalidArgument("a column has no name"));
        if (!names.insert(c.name).second) {
            return Fail(Error::InvalidArgument(fmt::format("two columns are named '{}'", c.name)));
        }
        auto type = ColumnSqlType(c.type, dialect);
        if (!type) return Fail(std::move(type.error()));
        c.column = fmt::format("c{}", ++n);
        sql += fmt::format(", {} {}", c.column, *type);
    }
    sql += ")";
    return sql;
}

std::string DropTableSql(std::string_view name) {
    return "DROP TABLE IF EXISTS " + storage::QuoteIdent(name);
}

Result<std::int64_t> CountRows(storage::Transaction& tx, std::string_view table) {
    auto rows = tx.QuerySql("SELECT count(*) FROM " + storage::QuoteIdent(table), {});
    if (!rows) return Fail(std::move(rows.error()));
    return storage::AsInt(rows->rows.at(0).at(0));
}

}  // namespace overture::workflow
