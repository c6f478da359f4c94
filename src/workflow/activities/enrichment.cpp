// Enrichment (targeting): adds additional data columns to the inbound population.
//
//   params: {"add": [{"name": "city", "field": "city"},
//                    {"name": "orders", "aggregate": "count", "link": "purchases",
//                     "filter": "paid = true"}, ...]}   (entries as Query's additionalData)
//   ports:  in: a population of records of a resource; out: the same rows with the columns
//           they had and the new ones.
//
// The population is copied into a new table in one INSERT ... SELECT that joins the resource's
// table on id (a LEFT JOIN: a record deleted since keeps its row, with null data) and the
// joins of the new columns. A new column may not take the name of one the population has.
#include <fmt/format.h>

#include "storage/sql_text.hpp"
#include "workflow/activities/activities.hpp"
#include "workflow/activities/targeting_sql.hpp"

namespace overture::workflow::activities {

namespace {

namespace json = boost::json;
using storage::Params;
using storage::QuoteIdent;

class Enrichment final : public ActivityType {
  public:
    std::string_view type() const override { return "enrichment"; }
    std::string_view category() const override { return "targeting"; }
    std::string_view label() const override { return "Enrichment"; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }

    std::vector<Problem> Check(const json::object& params, const CheckContext& ctx) const override {
        std::vector<Problem> problems;
        auto entries = ReadDataEntries(params, "add", problems);
        if (entries.empty() && problems.empty()) {
            problems.push_back(ParamProblem("params.add", "add at least one column"));
        }
        auto up = FindUpstream(params, ctx);
        const schema::Resource* r = up && ctx.model ? ctx.model->Find(up->resource) : nullptr;
        if (r) {
            CheckDataEntries(entries, "add", ctx.model, *r, problems, up->columns);
        } else if (up && up->resource == "file") {
            problems.push_back(
                ParamProblem("params.add", "rows of a file have no fields to add; use a query"));
        } else {
            // The resource is not known here: names only (fields are checked when it runs).
            CheckDataEntries(entries, "add", nullptr, schema::Resource{}, problems);
        }
        return problems;
    }

    Result<Outcome> Execute(Context& ctx) const override {
        std::vector<Problem> problems;
        auto entries = ReadDataEntries(ctx.activity().params, "add", problems);
        if (auto st = FirstProblem(problems); !st) return Fail(std::move(st.error()));
        auto input = SingleInput(ctx, "Enrichment");
        if (!input) return Fail(std::move(input.error()));
        const Table& in = **input;
        auto model = ctx.model();
        const schema::Resource* r = model->Find(in.resource);
        if (!r) {
            return Fail(Error::FailedPrecondition(
                fmt::format("Enrichment needs records of a resource; {} rows have no fields to add",
                            in.resource)));
        }
        for (const auto& e : entries) {
            if (in.Find(e.name)) {
                return Fail(Error::InvalidField(
                    "params.add", fmt::format("params.add: the population already has a column "
                                              "named '{}'",
                                              e.name)));
            }
        }
        Params p(ctx.db().dialect());
        auto data = BuildDataSql(entries, model, *r, "t", p, ctx.clock());
        if (!data) return Fail(std::move(data.error()).With("field", "params.add"));
        std::vector<Column> columns = in.columns;
        for (auto& c : data->columns) columns.push_back(c);
        auto out = ctx.CreateTable(in.resource, std::move(columns));
        if (!out) return Fail(std::move(out.error()));
        std::string values = ColumnValues(in, "w");
        for (const auto& v : data->values) values += ", " + v;
        auto n = ExecWrite(
            ctx.db(),
            fmt::format("INSERT INTO {} (id, segment_code{}) SELECT w.id, w.segment_code{} FROM {} "
                        "w LEFT JOIN {} t ON t.id = w.id{}",
                        QuoteIdent(out->name), ColumnNames(*out), values, QuoteIdent(in.name),
                        QuoteIdent(r->table), data->joins),
            p);
        if (!n) return Fail(std::move(n.error()));
        auto done = Finish(ctx, std::move(*out), "enriched");
        if (!done) return Fail(std::move(done.error()));
        return Outcome::Done({Output{"out", std::move(*done)}});
    }
};

}  // namespace

std::unique_ptr<ActivityType> MakeEnrichment() { return std::make_unique<Enrichment>(); }

}  // namespace overture::workflow::activities
