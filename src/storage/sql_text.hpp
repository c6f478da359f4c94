#pragma once
// Building SQL text at run time from identifiers of the data model registry, for statements
// that cannot be named .sql files because the tables and columns are the operator's (custom
// resources and fields). Values never enter the text: Params hands out placeholders and keeps
// the values to bind. Identifiers are quoted; they come only from the registry, which accepts
// only [a-z][A-Za-z0-9_]* names. Plain values; not thread-safe (one per statement).
#include <string>
#include <string_view>
#include <vector>

#include "schema/model.hpp"
#include "storage/database.hpp"

namespace overture::storage {

// "name" with embedded double quotes doubled.
std::string QuoteIdent(std::string_view ident);

class Params {
  public:
    explicit Params(Dialect dialect) : dialect_(dialect) {}

    // Keeps `v` and returns its placeholder: "?3" (SQLite) or "$3" (PostgreSQL).
    std::string Add(Value v);
    const std::vector<Value>& values() const { return values_; }
    Dialect dialect() const { return dialect_; }

  private:
    Dialect dialect_;
    std::vector<Value> values_;
};

// The expression that reads `column` of a field of this type as the API shows it: on
// PostgreSQL a timestamptz becomes ISO 8601 UTC text with milliseconds and a date becomes
// "YYYY-MM-DD"; elsewhere the column itself. `table_alias` may be empty.
std::string ReadExpr(const schema::Field& field, Dialect dialect, std::string_view table_alias);

// The expression a placeholder must be wrapped in to be written to a column of this type
// (PostgreSQL needs explicit casts for parameters sent as text: "$1::timestamptz").
std::string WriteExpr(const schema::Field& field, Dialect dialect, const std::string& placeholder);

// A case-insensitive LIKE test of `column_expr` against a placeholder holding a lower-case
// pattern with '\' as the escape character.
std::string LikeExpr(const std::string& column_expr, const std::string& placeholder);

}  // namespace overture::storage
