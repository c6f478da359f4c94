#pragma once
// What the targeting activities share: reading their parameters, compiling expressions of the
// query language over a resource, the additional data columns (fields, fields through
// many-to-one links, aggregates over 1-N links) and the set-wise SQL around working tables.
//
// SQL text is built here from registry identifiers (quoted) and working-table names (from the
// engine); every value is a bound parameter (storage::Params). The statements refer to a
// working table as `w` and to the resource's table as `t` (the alias the expression emitter
// uses); joins added here are `d<n>` (many-to-one steps) and `g<n>` (aggregates).
//
// Stateless functions; thread-safe.
#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "query/checked.hpp"
#include "schema/model.hpp"
#include "storage/database.hpp"
#include "storage/sql_text.hpp"
#include "workflow/activity.hpp"

namespace overture::workflow::activities {

// ---- Parameters and problems.

Problem ParamProblem(std::string field, std::string message);
// Ok when `problems` is empty, else kInvalidArgument naming the first one's field (Execute
// runs with parameters that Check refused).
Status FirstProblem(const std::vector<Problem>& problems);

// params[key] as a string: `fallback` when absent or null, nullopt when of another type.
std::optional<std::string> StringParam(const boost::json::object& params, std::string_view key,
                                       std::string_view fallback = {});

// A segment code or other id: 1-64 characters of [A-Za-z0-9_-].
bool IsCode(std::string_view code);

// The resource named `name` of `model`, or kInvalidArgument saying it does not exist.
Result<const schema::Resource*> FindResource(const schema::Model& model, std::string_view name);

// ---- Expressions.

// Parses and type-checks `text` with `resource` as its root. kInvalidArgument with the
// parser's or checker's message ("line L, column C: ...").
Result<query::Checked> CompileExpression(std::string_view text,
                                         std::shared_ptr<const schema::Model> model,
                                         std::string_view resource);

// The SQL condition of `text` over the resource's table aliased `t` (normalized, every value
// bound to `params`); "1 = 1" for an empty or blank text. Errors as CompileExpression.
Result<std::string> ExpressionSql(std::string_view text, std::shared_ptr<const schema::Model> model,
                                  std::string_view resource, storage::Params& params,
                                  const Clock& clock);

// Problems of an expression parameter (`field` names it, "params.expression"): empty when the
// text is empty or compiles against `resource`.
void CheckExpression(const boost::json::object& params, std::string_view key,
                     const std::shared_ptr<const schema::Model>& model, std::string_view resource,
                     std::vector<Problem>& problems, std::string_view field_prefix = "params.");

// ---- Additional data: {"name": "city", "field": "city"} (a field, or "link.field" through
// many-to-one links) or {"name": "orders", "aggregate": "count" | "sum" | "min" | "max" |
// "avg", "link": "purchases" (a 1-N link), "field": "amount" (not for count), "filter":
// "<expression over the linked resource>"}.
struct DataEntry {
    std::string name;
    std::string field;
    std::string aggregate;  // "" for a field
    std::string link;
    std::string filter;
};

// Reads params[key] (absent: no entries). Problems of shape go to `problems` (field
// "params.<key>[i].<member>"); entries that are not objects are left out.
std::vector<DataEntry> ReadDataEntries(const boost::json::object& params, std::string_view key,
                                       std::vector<Problem>& problems);

// Checks entries against `resource` of `model`: names (1-64 of [A-Za-z0-9_], starting with a
// letter, unique, not "id" or "segmentCode" nor in `taken`), fields and links exist, aggregate
// types, filters compile.
void CheckDataEntries(const std::vector<DataEntry>& entries, std::string_view key,
                      const std::shared_ptr<const schema::Model>& model,
                      const schema::Resource& resource, std::vector<Problem>& problems,
                      const std::vector<std::string>& taken = {});

// The columns and SQL of entries, for a statement whose resource table is aliased `alias`:
//     SELECT ..., <values> FROM <resource table> <alias> <joins> WHERE ...
// `columns` have name and type; CreateTable fills `column`. kInvalidArgument as
// CheckDataEntries would report.
struct DataSql {
    std::vector<Column> columns;
    std::vector<std::string> values;
    std::string joins;
};
Result<DataSql> BuildDataSql(const std::vector<DataEntry>& entries,
                             const std::shared_ptr<const schema::Model>& model,
                             const schema::Resource& resource, std::string_view alias,
                             storage::Params& params, const Clock& clock);

// The working-table column type of a field: "string" (string, text, enum), "integer", "float",
// "boolean", "date", "datetime".
std::string ColumnTypeOf(const schema::Field& field);

// ---- SQL around working tables.

// "CAST(<placeholder> AS TEXT)" / "... AS BIGINT": a value in a SELECT list or ORDER BY
// (PostgreSQL cannot type a bare parameter there).
std::string TextValue(storage::Params& params, std::string value);
std::string IntValue(storage::Params& params, std::int64_t value);

// The deterministic random order of rows of alias `alias` for `seed` (docs: "Random
// choices"): (((id + seed % 1000003) * 2654435761) % 4294967311), id. The key is a
// permutation of ids modulo the prime 4294967311 that scatters them, rotated by an offset
// that seeds spread over the whole range: another seed takes another arc of the circle, so
// other rows. (id * 2654435761 + seed % 1000003 would rotate by at most a millionth of the
// range: every seed would pick nearly the same rows.) Exact on both dialects for ids below
// 3 * 10^9.
std::string RandomOrder(std::string_view alias, storage::Params& params, std::uint64_t seed);

// ", w.c1, w.c2" for the additional columns of `table` under `alias` ("" without columns),
// and ", c1, c2" for an INSERT's column list of the same table.
std::string ColumnValues(const Table& table, std::string_view alias);
std::string ColumnNames(const Table& table);

// Runs `sql` with `params` in a write transaction of its own; returns rows changed.
Result<std::int64_t> ExecWrite(storage::Database& db, const std::string& sql,
                               const storage::Params& params);

// Counts `table`, logs "<what>: N rows" and returns it with its count.
Result<Table> Finish(Context& ctx, Table table, std::string_view what);

// The tables of the task's inputs (those that carry one), optionally only of `port`.
std::vector<const Table*> InputTables(const Context& ctx, std::string_view port = {});

// The single input table of a kEach activity; kFailedPrecondition naming the activity type
// when no population reached the task.
Result<const Table*> SingleInput(const Context& ctx, std::string_view activity_label);

// kFailedPrecondition unless every table is of one resource; returns it.
Result<std::string> CommonResource(const std::vector<const Table*>& tables,
                                   std::string_view activity_label);

// ---- What the graph says about the population that reaches an activity, for Check: from
// ctx.activity (else the activity of ctx.graph whose params object is `params`), following the
// first inbound transition (into "in" if there is one) back through activities that pass their
// population on, to the activity that made it (a query's resource, "profile" for an audience,
// "file" for a loaded file). nullopt when that cannot be known (no graph, a population from a
// flow activity, a cycle).
struct Upstream {
    std::string resource;
    std::vector<std::string> columns;  // additional columns known to be there
    bool columns_known = true;         // false: there may be others (a union, a file's header)
};
std::optional<Upstream> FindUpstream(const boost::json::object& params, const CheckContext& ctx);
// The population `sender` sends on, by the same walk.
std::optional<Upstream> UpstreamOf(const ActivityDef& sender, const Graph& graph);
// For Union, Intersection and Exclusion: a problem for each inbound transition whose
// population is known to be of another resource than the first known one (naming the
// transition).
std::vector<Problem> CheckOneResource(const boost::json::object& params, const CheckContext& ctx,
                                      std::string_view label);

// ---- Query and Incremental query share their parameters and most of their work (query.cpp).
std::vector<Problem> CheckQueryParams(const boost::json::object& params, const CheckContext& ctx);
Result<Outcome> ExecuteQuery(Context& ctx, bool incremental);

// ---- Set operations (union.cpp): the columns of several tables of one resource, each name
// once with the type of the first table that has it.
std::vector<Column> MergedColumns(const std::vector<const Table*>& tables);
// For table `t` (alias `alias`), the value of each of `merged` (t's column of that name and
// type, else a typed NULL), as ", <v1>, <v2>".
std::string MergedValues(const std::vector<Column>& merged, const Table& t, std::string_view alias,
                         storage::Dialect dialect);
// Union (and Exclusion): the rows of `tables` (each row once, with the segment code and
// columns of the first table that has it) that are in none of `excluded`, into a new table.
// `label` names the activity in errors and the log.
Result<Table> UnionInto(Context& ctx, const std::vector<const Table*>& tables,
                        const std::vector<const Table*>& excluded, std::string_view label);

}  // namespace overture::workflow::activities
