#pragma once
// The normalize pass of the expression language: rewrites a checked expression (checked.hpp)
// into an equivalent one that the SQL back end (sql_emit.hpp) turns into simpler and faster
// SQL, and that the evaluator (evaluate.hpp) runs with less work. It runs between the
// type-check pass and the back ends: Parse -> Check -> Normalize -> EmitSql / Evaluate.
//
// It never changes which records match, for any data and any clock (with the two-valued logic
// of docs/query-language.md: a predicate over a null operand is false, `not c` is true exactly
// when c is false). The rewrites, each exact (normalize_test.cpp checks the printed forms, and
// a property test runs thousands of random expressions through the evaluator before and after):
// - and/or nested in the same kind are flattened; `not not c` is c.
// - Constant sub-expressions are folded with the clock read once: now(), today(), daysAgo(n),
//   addDays/addMonths of a constant, year/month/day/weekday/age/daysSince of a constant, and
//   lower/upper of a literal. A fold whose result would be null (a date beyond the years
//   0001-9999) is not done; the back ends handle those as before.
// - Windows (`d in last 7 days`) become `d between <lo> and <hi>` with literal bounds.
// - Sargable forms: `age(d) <op> n` and `age(d) between a and b` (integer literals) become a
//   range of d (whole years as the evaluator counts them, Feb 29 birthdays included);
//   `year(d) <op> n` becomes a range of d. For a datetime d the range is
//   `d >= <day>T00:00Z and d < <day after>T00:00Z`.
// - `x in (v)` is `x = v`, `x not in (v)` is `not (x = v)`.
// - `count(L [where c]) >= 1` (> 0, != 0) is `exists L [where (c)]`; `count(...) = 0` (< 1,
//   <= 0) is `not exists ...`.
// - With `use_derived_fields`: `emailDomain(email)` on a resource that stores the derived
//   `emailDomain` field is that field. This one relies on an invariant of the data, not of the
//   language: every writer (RecordService, the importer, the demo) stores emailDomain as the
//   lower-case domain of the normalized email, and a normalized email always has a non-empty
//   domain. Tests over hand-made rows that skip the writers must turn it off.
//
// Thread-safety: a pure function of its arguments (reads the clock once).
#include "common/clock.hpp"
#include "query/ast.hpp"
#include "query/checked.hpp"

namespace overture::query {

struct NormalizeOptions {
    // Rewrite function calls to derived fields that the writers maintain (see above).
    bool use_derived_fields = true;
};

// The normalized form of `checked` (same model and root). Never fails: a sub-expression that
// no rule applies to is kept as it is.
Checked Normalize(const Checked& checked, const Clock& clock, const NormalizeOptions& options = {});

// The checked expression back as an AST, for printing (printer.hpp) in tests and logs: fields
// and links by their path names, literals as written (dates as strings), calls by name.
Expr ToExpr(const CheckedExpr& e);

}  // namespace overture::query
