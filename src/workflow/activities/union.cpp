// Union (targeting): the records of every inbound population, each once.
//
//   params: {}
//   ports:  in: two or more transitions (the task waits for all of them: InputMode kAll);
//           out: the union.
//
// The populations must be of one resource. A record keeps the segment code and additional data
// of the first population (in the order of the inputs) that has it; the output has every
// additional column of the inputs, by name, with the type of the first input that has it (a
// record from an input without that column, or with another type, has it null). Set-wise: one
// INSERT ... SELECT per input, each leaving out the ids already in the output.
#include <fmt/format.h>

#include <set>

#include "storage/sql_text.hpp"
#include "workflow/activities/activities.hpp"
#include "workflow/activities/targeting_sql.hpp"
#include "workflow/tables.hpp"

namespace overture::workflow::activities {

namespace json = boost::json;
using storage::Params;
using storage::QuoteIdent;

std::vector<Column> MergedColumns(const std::vector<const Table*>& tables) {
    std::vector<Column> out;
    std::set<std::string, std::less<>> seen;
    for (const Table* t : tables) {
        for (const auto& c : t->columns) {
            if (seen.insert(c.name).second) out.push_back(Column{c.name, c.type, ""});
        }
    }
    return out;
}

std::string MergedValues(const std::vector<Column>& merged, const Table& t, std::string_view alias,
                         storage::Dialect dialect) {
    std::string out;
    for (const auto& m : merged) {
        const Column* c = t.Find(m.name);
        if (c && c->type == m.type) {
            out += fmt::format(", {}.{}", alias, c->column);
        } else {
            out +=
                fmt::format(", CAST(NULL AS {})", ColumnSqlType(m.type, dialect).value_or("TEXT"));
        }
    }
    return out;
}

Result<Table> UnionInto(Context& ctx, const std::vector<const Table*>& tables,
                        const std::vector<const Table*>& excluded, std::string_view label) {
    std::vector<const Table*> all = tables;
    all.insert(all.end(), excluded.begin(), excluded.end());
    if (tables.empty()) {
        return Fail(Error::FailedPrecondition(
            fmt::format("{} needs at least one inbound population", label)));
    }
    auto resource = CommonResource(all, label);
    if (!resource) return Fail(std::move(resource.error()));
    auto out = ctx.CreateTable(*resource, MergedColumns(tables));
    if (!out) return Fail(std::move(out.error()));
    const auto dialect = ctx.db().dialect();
    std::string not_excluded;
    for (const Table* e : excluded) {
        not_excluded += fmt::format(" AND NOT EXISTS (SELECT 1 FROM {} e WHERE e.id = w.id)",
                                    QuoteIdent(e->name));
    }
    std::vector<std::string> statements;
    for (std::size_t i = 0; i < tables.size(); ++i) {
        const Table& t = *tables[i];
        std::string sql = fmt::format(
            "INSERT INTO {0} (id, segment_code{1}) SELECT w.id, w.segment_code{2} FROM {3} w "
            "WHERE 1 = 1",
            QuoteIdent(out->name), ColumnNames(*out), MergedValues(out->columns, t, "w", dialect),
            QuoteIdent(t.name));
        if (i > 0) {
            sql += fmt::format(" AND NOT EXISTS (SELECT 1 FROM {} o WHERE o.id = w.id)",
                               QuoteIdent(out->name));
        }
        statements.push_back(sql + not_excluded);
    }
    auto done = storage::WithWrite(ctx.db(), [&](storage::Transaction& tx) -> Result<bool> {
        for (const auto& sql : statements) {
            if (auto n = tx.ExecSql(sql, {}); !n) return Fail(std::move(n.error()));
        }
        return true;
    });
    if (!done) return Fail(std::move(done.error()));
    return Finish(ctx, std::move(*out), label);
}

namespace {

class Union final : public ActivityType {
  public:
    std::string_view type() const override { return "union"; }
    std::string_view category() const override { return "targeting"; }
    std::string_view label() const override { return "Union"; }
    InputMode input_mode() const override { return InputMode::kAll; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }
    std::vector<Problem> Check(const json::object& params, const CheckContext& ctx) const override {
        return CheckOneResource(params, ctx, "Union");
    }
    Result<Outcome> Execute(Context& ctx) const override {
        auto out = UnionInto(ctx, InputTables(ctx), {}, "Union");
        if (!out) return Fail(std::move(out.error()));
        return Outcome::Done({Output{"out", std::move(*out)}});
    }
};

}  // namespace

std::unique_ptr<ActivityType> MakeUnion() { return std::make_unique<Union>(); }

}  // namespace overture::workflow::activities
