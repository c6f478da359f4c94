#pragma once
// The SQL back end of the expression language: turns a checked expression (checked.hpp) into
// one boolean SQL condition over the root resource's table, aliased `t`, for SQLite or
// PostgreSQL:
//
//     SELECT t.id FROM profiles t WHERE <SqlFilter::condition>
//
// Every value (literals, the clock's now and today, window bounds, constants such as the
// characters trim() removes) is a bound parameter handed out by `params`; the text holds only
// SQL keywords, our own aliases and registry identifiers quoted with storage::QuoteIdent.
//
// Semantics (docs/query-language.md, "SQL back end"), the same on both dialects:
// - Two-valued logic: every predicate under `not`, in a value or negated is wrapped so that SQL
//   NULL becomes false (in the WHERE's own and/or/exists NULL already acts as false). A comparison
//   with a null operand is false; `not c` is true exactly when `c` is false, so
//   `not (x = 1)`, `x not in (...)`, `x not between ...` and `x not like ...` include rows
//   where x is null, while `x != 1` does not.
// - like is case-insensitive for ASCII letters (both sides lower-cased, ASCII only); `%` and
//   `_` are the wildcards, every other character (including `\`) is literal.
// - String ordering (< <= > >= between, min, max) is by code point (PostgreSQL: COLLATE "C").
// - A date meeting a datetime means midnight UTC; datetimes are UTC.
// - lower(), upper() map ASCII letters only; emailDomain() is null without an '@'.
// - Windows: a datetime subject is within [now - N units, now] (last) or [now, now + N units]
//   (next); a date subject within [today - N units, today] or [today, today + N units]. Months
//   and years clamp to the end of the month. Bounds are computed here, from `clock`.
//
// Thread-safety: a pure function of its arguments (reads the clock once).
#include <string>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "query/checked.hpp"
#include "storage/database.hpp"
#include "storage/sql_text.hpp"

namespace overture::query {

struct SqlFilter {
    // A boolean condition over `t` (the root resource's table): TRUE for the rows that match,
    // FALSE or NULL for the others, so it is for a WHERE clause (wrap it in
    // COALESCE((...), FALSE) to use it as a value). NULL only ever stands for false: the
    // two-valued logic holds inside it.
    std::string condition;
    // The root table, quoted: `SELECT ... FROM <table> t WHERE <condition>`.
    std::string table;
};

// Emits `checked` for `dialect`, adding its values to `params` (whose dialect must be the
// same). Fails with kInvalidArgument when the expression uses something the SQL back end does
// not support yet (none at present; the message then says "... is not supported yet").
Result<SqlFilter> EmitSql(const Checked& checked, storage::Dialect dialect, storage::Params& params,
                          const Clock& clock);

}  // namespace overture::query
