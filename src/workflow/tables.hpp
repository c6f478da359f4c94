#pragma once
// Working tables (activity.hpp): their names and the SQL that creates, drops and counts them,
// shared by the engine's Context and the tests' TaskContext so both make the same tables.
//
//     wkf_<task>_<n> (id BIGINT PRIMARY KEY, segment_code TEXT NOT NULL DEFAULT '', c1, c2, ...)
//
// On SQLite the id is declared INTEGER PRIMARY KEY (the 64-bit rowid itself: no second
// index, the fastest key for large tables); on PostgreSQL it is bigint. Additional columns get
// the SQL type of their column type, as schema/ddl.hpp types fields of the same type.
//
// Stateless functions; thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "storage/database.hpp"
#include "workflow/activity.hpp"

namespace overture::workflow {

// "wkf_<task>_<n>".
std::string WorkingTableName(std::int64_t task_id, int n);
// True for a name WorkingTableName can give, "wkf_<digits>_<digits>" (safe to write into SQL
// text: deliveries read a workflow audience's table by this name).
bool IsWorkingTableName(std::string_view name);

// The column types of additional data: "string", "integer", "float", "boolean", "date",
// "datetime".
bool IsColumnType(std::string_view type);

// The SQL type of a column type. SQLite: TEXT, INTEGER or REAL. PostgreSQL: text, bigint,
// double precision, boolean, date, timestamptz. kInvalidArgument for another type.
Result<std::string> ColumnSqlType(std::string_view type, storage::Dialect dialect);

// Fills each column's `column` ("c1", "c2", ... in order) and returns the CREATE TABLE
// statement of `name`. kInvalidArgument for an unknown type, an empty name or two columns of
// one name.
Result<std::string> CreateTableSql(std::string_view name, std::vector<Column>& columns,
                                   storage::Dialect dialect);

// DROP TABLE IF EXISTS "name".
std::string DropTableSql(std::string_view name);

// The number of rows of `table`. Fails like Transaction::QuerySql.
Result<std::int64_t> CountRows(storage::Transaction& tx, std::string_view table);

}  // namespace overture::workflow
