#pragma once
// The type-check pass: turns a parsed Expr into a Checked expression (checked.hpp), resolving
// every name through the resolve pass (resolve.hpp) and giving every node its type.
//
// Type rules (docs/query-language.md, "Types"):
// - Field types map to value types: string and text -> string, integer, float, boolean, date,
//   datetime, enum (with its values). Literals: null, boolean, integer, float (decimal), string.
// - Comparisons (= != < <= > >=, in, between) need compatible operands: integer with float;
//   string with string or enum; date with date or datetime; boolean with boolean. A string
//   literal meeting a date (datetime) becomes a typed date (datetime) if it parses with
//   schema::ParseIsoDate (ParseIsoDateTime); one meeting an enum must be one of its values.
//   Ordering (< <= > >= between) is not allowed on booleans and enums. Comparing with null is
//   an error (use `is empty`).
// - `like`: string subject (string or text field, or a string function) and string pattern.
// - `is empty`: any operand except a literal and count(...).
// - Windows (`in last/next N unit`): date or datetime subject.
// - and/or/not operands, `where` filters and the whole expression are boolean.
// - Functions have the fixed signatures of the docs; a string literal argument where a date
//   is expected is parsed like a date literal above. coalesce takes 2+ arguments of one
//   common type (numbers -> float if any is float; date with datetime -> datetime; enum with
//   string -> string); a null argument is allowed.
// - Aggregates: count -> integer; sum over integer or float -> that type; avg over numbers ->
//   float; min/max over numbers, dates, datetimes and strings -> the field's type.
//
// Thread-safety: a pure function.
#include <memory>
#include <string_view>

#include "common/error.hpp"
#include "query/ast.hpp"
#include "query/checked.hpp"
#include "schema/model.hpp"

namespace overture::query {

// Checks `expr` against `model`, with `root_resource` (usually "profile") as the resource the
// expression selects. `source` is the text `expr` was parsed from, used only for the excerpt
// of errors (pass "" for trees from JSON). On failure kInvalidArgument at the first problem in
// reading order, "line L, column C: <message>" with details line/column/offset/excerpt like
// parse errors (no position for nodes with zero spans); an unknown root resource is also
// kInvalidArgument.
Result<Checked> Check(const Expr& expr, std::shared_ptr<const schema::Model> model,
                      std::string_view root_resource, std::string_view source = {});

}  // namespace overture::query
