#pragma once
// The DDL text for the custom part of a Model: the SQL type of a field, the statements that
// create a custom resource's table, and the building blocks PlanPublish (plan.hpp) puts in
// order. Built-in tables come from migrations/<dialect>/0002_marketing.sql, never from here.
//
// Every identifier is quoted with QuoteIdent; names of tables, columns and indexes come from a
// Model built by Merge() (validated, "x_" prefixed). Generated names (foreign keys, link
// indexes) are at most 63 characters, PostgreSQL's limit. Statements carry no trailing ';'.
//
// Stateless functions of their arguments; thread-safe. None of them fails.
#include <string>
#include <string_view>
#include <vector>

#include "schema/model.hpp"

namespace overture::schema {

enum class SqlDialect { kSqlite, kPostgres };

// "name" with embedded double quotes doubled: QuoteIdent("a\"b") == "\"a\"\"b\"".
std::string QuoteIdent(std::string_view ident);

// 'text' with embedded single quotes doubled, for the few places DDL needs a string literal.
std::string QuoteString(std::string_view text);

// The SQL type of a field. SQLite: TEXT, INTEGER or REAL. PostgreSQL: varchar(length), text,
// bigint, double precision, boolean, date, timestamptz, varchar(100) for an enum.
std::string ColumnType(const Field& f, SqlDialect dialect);

// The table a link to `resource` points at: a built-in's table ("profiles"), else the custom
// table name Merge() derives ("x_" + snake_case).
std::string TargetTable(std::string_view resource);

// `name` if it fits in 63 characters, else its first 54 characters, '_' and 8 hex digits of a
// hash of the whole name (stable, so a later plan finds the same name again).
std::string ShortIdent(std::string name);

// Generated names: "<table>_<column>_fkey" and "<table>_<column>_idx", shortened.
std::string ForeignKeyName(const Resource& r, const Link& l);
std::string LinkIndexName(const Resource& r, const Link& l);

// The column definition of a link as it appears in CREATE TABLE or ADD COLUMN. SQLite:
// "col" INTEGER [NOT NULL] REFERENCES "target" ("id") ON DELETE CASCADE|SET NULL (NOT NULL and
// CASCADE for cardinality one). PostgreSQL: "col" bigint [NOT NULL]; the foreign key is added
// separately (AddForeignKeySql) so that tables may be created in any order.
std::string LinkColumnSql(const Link& l, SqlDialect dialect);

// PostgreSQL: ALTER TABLE "t" ADD CONSTRAINT "<fkey>" FOREIGN KEY ("col") REFERENCES ...
std::string AddForeignKeySql(const Resource& r, const Link& l);

// CREATE [UNIQUE] INDEX "name" ON "table" ("col", ...); index fields are resolved to their
// field or link columns in `r`.
std::string CreateIndexSql(const Resource& r, const Index& ix);
// CREATE INDEX on a link's column (every link column has one).
std::string CreateLinkIndexSql(const Resource& r, const Link& l);

// The statements that make one resource's table, by kind, so a plan can order them:
// the CREATE TABLE, its indexes (links' first, then the resource's own non-built-in indexes),
// and (PostgreSQL only) its foreign keys.
struct TableSql {
    std::string create_table;
    std::vector<std::string> indexes;
    std::vector<std::string> foreign_keys;
};
// The table: id, created_at, modified_at, the resource's non-built-in fields (nullable:
// `required` is checked by the application), then its link columns. A non-empty `table`
// replaces r.table in the CREATE TABLE only (the SQLite rebuild creates "x__new_<table>" and
// indexes the table after renaming it back).
TableSql ResourceTableSql(const Resource& r, SqlDialect dialect, std::string_view table = {});

// The statements that create one resource's table from nothing, in the order to run:
// CREATE TABLE, indexes, then (PostgreSQL) foreign keys. Used by PlanPublish and tests.
std::vector<std::string> CreateResourceSql(const Resource& r, SqlDialect dialect);

}  // namespace overture::schema
