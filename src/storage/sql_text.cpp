#include "storage/sql_text.hpp"

#include <fmt/format.h>

namespace overture::storage {

std::string QuoteIdent(std::string_view ident) {
    std::string out = "\"";
    for (char c : ident) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

std::string Params::Add(Value v) {
    values_.push_back(std::move(v));
    return fmt::format("{}{}", dialect_ == Dialect::kSqlite ? '?' : '$', values_.size());
}

std::string ReadExpr(const schema::Field& field, Dialect dialect, std::string_view table_alias) {
    std::string col = table_alias.empty()
                          ? QuoteIdent(field.column)
                          : fmt::format("{}.{}", table_alias, QuoteIdent(field.column));
    if (dialect == Dialect::kPostgres) {
        if (field.type == schema::FieldType::kDateTime) {
            return fmt::format(
                "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')", col);
        }
        if (field.type == schema::FieldType::kDate) {
            return fmt::format("to_char({}, 'YYYY-MM-DD')", col);
        }
    }
    return col;
}

std::string WriteExpr(const schema::Field& field, Dialect dialect, const std::string& placeholder) {
    if (dialect != Dialect::kPostgres) return placeholder;
    switch (field.type) {
        case schema::FieldType::kDateTime:
            return placeholder + "::timestamptz";
        case schema::FieldType::kDate:
            return placeholder + "::date";
        case schema::FieldType::kInteger:
            return placeholder + "::bigint";
        case schema::FieldType::kFloat:
            return placeholder + "::double precision";
        case schema::FieldType::kBoolean:
            return placeholder + "::boolean";
        default:
            return placeholder;
    }
}

std::string LikeExpr(const std::string& column_expr, const std::string& placeholder) {
    return fmt::format("lower({}) LIKE {} ESCAPE '\\'", column_expr, placeholder);
}

}  // namespace overture::storage
