// Query (targeting): selects the records of a resource that an expression of the query
// language matches, with optional additional data, into a working table.
//
//   params: {"resource": "profile" (default; or a custom resource),
//            "expression": "country in (\"FR\", \"DE\")" (empty or absent: every record),
//            "additionalData": [{"name": "city", "field": "city"},
//                               {"name": "referrerCity", "field": "referrer.city"},
//                               {"name": "orders", "aggregate": "count", "link": "purchases",
//                                "filter": "paid = true"},
//                               {"name": "spent", "aggregate": "sum", "link": "purchases",
//                                "field": "amount"}]}
//   ports:  in: none needed (it may follow any transition); out: the records found.
//
// One INSERT ... SELECT: the expression is emitted as a WHERE over the resource's table, fields
// through many-to-one links are LEFT JOINs, aggregates are LEFT JOINs on grouped derived
// tables (count is 0, the others null, for records with no linked row). Incremental query
// (incremental_query.cpp) runs the same with the rows it gave out before left out.
#include <fmt/format.h>

#include "storage/sql_text.hpp"
#include "workflow/activities/activities.hpp"
#include "workflow/activities/targeting_sql.hpp"

namespace overture::workflow::activities {

namespace json = boost::json;
using storage::Params;
using storage::QuoteIdent;

std::vector<Problem> CheckQueryParams(const json::object& params, const CheckContext& ctx) {
    std::vector<Problem> problems;
    auto name = StringParam(params, "resource", "profile");
    const schema::Resource* resource = nullptr;
    if (!name) {
        problems.push_back(ParamProblem("params.resource", "must be a text"));
    } else if (ctx.model) {
        resource = ctx.model->Find(*name);
        if (!resource) {
            problems.push_back(
                ParamProblem("params.resource", fmt::format("there is no resource '{}'", *name)));
        }
    }
    auto entries = ReadDataEntries(params, "additionalData", problems);
    if (resource) {
        CheckExpression(params, "expression", ctx.model, resource->name, problems);
        CheckDataEntries(entries, "additionalData", ctx.model, *resource, problems);
    } else if (!ctx.model) {
        CheckExpression(params, "expression", nullptr, "", problems);
    }
    return problems;
}

Result<Outcome> ExecuteQuery(Context& ctx, bool incremental) {
    const json::object& params = ctx.activity().params;
    auto model = ctx.model();
    std::vector<Problem> problems;
    auto name = StringParam(params, "resource", "profile");
    auto expression = StringParam(params, "expression");
    auto entries = ReadDataEntries(params, "additionalData", problems);
    if (!name) problems.push_back(ParamProblem("params.resource", "must be a text"));
    if (!expression) problems.push_back(ParamProblem("params.expression", "must be a text"));
    if (auto st = FirstProblem(problems); !st) return Fail(std::move(st.error()));
    auto resource = FindResource(*model, *name);
    if (!resource) return Fail(std::move(resource.error()).With("field", "params.resource"));
    const schema::Resource& r = **resource;

    Params p(ctx.db().dialect());
    auto data = BuildDataSql(entries, model, r, "t", p, ctx.clock());
    if (!data) return Fail(std::move(data.error()).With("field", "params.additionalData"));
    auto cond = ExpressionSql(*expression, model, r.name, p, ctx.clock());
    if (!cond) return Fail(std::move(cond.error()).With("field", "params.expression"));

    auto table = ctx.CreateTable(r.name, data->columns);
    if (!table) return Fail(std::move(table.error()));
    std::string values;
    for (const auto& v : data->values) values += ", " + v;
    std::string sql = fmt::format("INSERT INTO {} (id{}) SELECT t.id{} FROM {} t{} WHERE {}",
                                  QuoteIdent(table->name), ColumnNames(*table), values,
                                  QuoteIdent(r.table), data->joins, *cond);
    if (incremental) {
        sql += fmt::format(
            " AND NOT EXISTS (SELECT 1 FROM workflow_seen s WHERE s.workflow_id = {} AND "
            "s.activity = {} AND s.row_id = t.id)",
            p.Add(ctx.workflow_id()), p.Add(ctx.activity().id));
    }
    // Incremental: the rows given out are remembered in the same transaction that fills the
    // table (not in a dry run, which writes nothing outside its working tables).
    Params seen(ctx.db().dialect());
    std::string remember;
    if (incremental && !ctx.dry_run()) {
        remember = fmt::format(
            "INSERT INTO workflow_seen (workflow_id, activity, row_id, run_id, task_id) SELECT "
            "{}, {}, w.id, {}, {} FROM {} w",
            IntValue(seen, ctx.workflow_id()), TextValue(seen, ctx.activity().id),
            IntValue(seen, ctx.run_id()), IntValue(seen, ctx.task_id()), QuoteIdent(table->name));
    }
    // A task run again after its node died gives out again what its first attempt recorded:
    // those rows never reached the next activity.
    Params forget(ctx.db().dialect());
    const std::string forget_sql =
        fmt::format("DELETE FROM workflow_seen WHERE task_id = {}", forget.Add(ctx.task_id()));
    auto done = storage::WithWrite(ctx.db(), [&](storage::Transaction& tx) -> Result<bool> {
        if (!remember.empty()) {
            if (auto n = tx.ExecSql(forget_sql, forget.values()); !n) {
                return Fail(std::move(n.error()));
            }
        }
        if (auto n = tx.ExecSql(sql, p.values()); !n) return Fail(std::move(n.error()));
        if (!remember.empty()) {
            if (auto n = tx.ExecSql(remember, seen.values()); !n) {
                return Fail(std::move(n.error()));
            }
        }
        return true;
    });
    if (!done) return Fail(std::move(done.error()));
    auto out = Finish(ctx, std::move(*table), incremental ? "new records" : "records found");
    if (!out) return Fail(std::move(out.error()));
    return Outcome::Done({Output{"out", std::move(*out)}});
}

namespace {

class Query final : public ActivityType {
  public:
    std::string_view type() const override { return "query"; }
    std::string_view category() const override { return "targeting"; }
    std::string_view label() const override { return "Query"; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }
    std::vector<Problem> Check(const json::object& params, const CheckContext& ctx) const override {
        return CheckQueryParams(params, ctx);
    }
    Result<Outcome> Execute(Context& ctx) const override { return ExecuteQuery(ctx, false); }
};

}  // namespace

std::unique_ptr<ActivityType> MakeQuery() { return std::make_unique<Query>(); }

}  // namespace overture::workflow::activities
