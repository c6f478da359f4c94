// Intersection (targeting): the records present in every inbound population.
//
//   params: {}
//   ports:  in: two or more transitions (InputMode kAll: the task waits for all of them);
//           out: the records they have in common.
//
// The populations must be of one resource. A record keeps the segment code of the first input;
// the output has every additional column of the inputs, by name, each taken from the first
// input that has it (type as Union). One INSERT ... SELECT joining the tables on id.
#include <fmt/format.h>

#include "storage/sql_text.hpp"
#include "workflow/activities/activities.hpp"
#include "workflow/activities/targeting_sql.hpp"
#include "workflow/tables.hpp"

namespace overture::workflow::activities {

namespace {

namespace json = boost::json;
using storage::QuoteIdent;

class Intersection final : public ActivityType {
  public:
    std::string_view type() const override { return "intersection"; }
    std::string_view category() const override { return "targeting"; }
    std::string_view label() const override { return "Intersection"; }
    InputMode input_mode() const override { return InputMode::kAll; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }
    std::vector<Problem> Check(const json::object& params, const CheckContext& ctx) const override {
        return CheckOneResource(params, ctx, "Intersection");
    }

    Result<Outcome> Execute(Context& ctx) const override {
        auto tables = InputTables(ctx);
        auto resource = CommonResource(tables, "Intersection");
        if (!resource) return Fail(std::move(resource.error()));
        auto out = ctx.CreateTable(*resource, MergedColumns(tables));
        if (!out) return Fail(std::move(out.error()));
        const auto dialect = ctx.db().dialect();
        std::string from = QuoteIdent(tables[0]->name) + " w0";
        for (std::size_t i = 1; i < tables.size(); ++i) {
            from +=
                fmt::format(" JOIN {0} w{1} ON w{1}.id = w0.id", QuoteIdent(tables[i]->name), i);
        }
        std::string values;
        for (const auto& m : out->columns) {
            std::string v;
            for (std::size_t i = 0; i < tables.size() && v.empty(); ++i) {
                const Column* c = tables[i]->Find(m.name);
                if (c && c->type == m.type) v = fmt::format("w{}.{}", i, c->column);
            }
            if (v.empty()) {
                v = fmt::format("CAST(NULL AS {})",
                                ColumnSqlType(m.type, dialect).value_or("TEXT"));
            }
            values += ", " + v;
        }
        storage::Params none(dialect);
        auto n = ExecWrite(ctx.db(),
                           fmt::format("INSERT INTO {} (id, segment_code{}) SELECT w0.id, "
                                       "w0.segment_code{} FROM {}",
                                       QuoteIdent(out->name), ColumnNames(*out), values, from),
                           none);
        if (!n) return Fail(std::move(n.error()));
        auto done = Finish(ctx, std::move(*out), "Intersection");
        if (!done) return Fail(std::move(done.error()));
        return Outcome::Done({Output{"out", std::move(*done)}});
    }
};

}  // namespace

std::unique_ptr<ActivityType> MakeIntersection() { return std::make_unique<Intersection>(); }

}  // namespace overture::workflow::activities
