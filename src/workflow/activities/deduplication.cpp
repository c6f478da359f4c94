// Deduplication (targeting): keeps one record of each group of records that have the same
// values of some fields, and sends the others apart.
//
//   params: {"fields": ["email"] (fields of the population's resource, or additional columns
//                                  of the population), "keep": "lowestId" (default) | "highestId"}
//   ports:  in: the population; out: one record per group; duplicates: the others.
//
// Text values are compared in lower case (ASCII on SQLite, every letter on PostgreSQL). A record
// with a null in any of the fields is no one's duplicate: it goes to `out`. Records keep their
// segment code and additional data. Set-wise: row_number() over the groups, ordered by id,
// then the duplicates as the rows not kept.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "storage/sql_text.hpp"
#include "workflow/activities/activities.hpp"
#include "workflow/activities/targeting_sql.hpp"

namespace overture::workflow::activities {

namespace {

namespace json = boost::json;
using storage::Params;
using storage::QuoteIdent;

constexpr std::size_t kMaxFields = 20;

struct Spec {
    std::vector<std::string> fields;
    bool keep_lowest = true;
};

Spec Read(const json::object& params, std::vector<Problem>& problems) {
    Spec spec;
    const json::value* f = params.if_contains("fields");
    if (!f || !f->is_array() || f->get_array().empty()) {
        problems.push_back(ParamProblem("params.fields", "choose at least one field"));
    } else if (f->get_array().size() > kMaxFields) {
        problems.push_back(ParamProblem("params.fields", "at most 20 fields"));
    } else {
        std::set<std::string, std::less<>> seen;
        const auto& arr = f->get_array();
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const std::string at = fmt::format("params.fields[{}]", i);
            if (!arr[i].is_string() || arr[i].get_string().empty()) {
                problems.push_back(ParamProblem(at, "must be a field name"));
            } else if (!seen.insert(std::string(arr[i].get_string())).second) {
                problems.push_back(ParamProblem(at, "is listed twice"));
            } else {
                spec.fields.emplace_back(arr[i].get_string());
            }
        }
    }
    auto keep = StringParam(params, "keep", "lowestId");
    if (!keep || (*keep != "lowestId" && *keep != "highestId")) {
        problems.push_back(ParamProblem("params.keep", "must be lowestId or highestId"));
    } else {
        spec.keep_lowest = *keep == "lowestId";
    }
    return spec;
}

class Deduplication final : public ActivityType {
  public:
    std::string_view type() const override { return "deduplication"; }
    std::string_view category() const override { return "targeting"; }
    std::string_view label() const override { return "Deduplication"; }
    std::vector<std::string> OutputPorts(const json::object&) const override {
        return {"out", "duplicates"};
    }

    std::vector<Problem> Check(const json::object& params, const CheckContext& ctx) const override {
        std::vector<Problem> problems;
        Spec spec = Read(params, problems);
        // Fields are checked against the resource when the graph tells which it is.
        auto up = FindUpstream(params, ctx);
        const schema::Resource* r = up && ctx.model ? ctx.model->Find(up->resource) : nullptr;
        if (up && up->columns_known && (r || up->resource == "file")) {
            for (std::size_t i = 0; i < spec.fields.size(); ++i) {
                const auto& name = spec.fields[i];
                if (r && r->FindField(name)) continue;
                if (std::find(up->columns.begin(), up->columns.end(), name) != up->columns.end()) {
                    continue;
                }
                problems.push_back(
                    ParamProblem(fmt::format("params.fields[{}]", i),
                                 fmt::format("{} has no field named '{}'", up->resource, name)));
            }
        }
        return problems;
    }

    Result<Outcome> Execute(Context& ctx) const override {
        std::vector<Problem> problems;
        Spec spec = Read(ctx.activity().params, problems);
        if (auto st = FirstProblem(problems); !st) return Fail(std::move(st.error()));
        auto input = SingleInput(ctx, "Deduplication");
        if (!input) return Fail(std::move(input.error()));
        const Table& in = **input;
        auto model = ctx.model();
        const schema::Resource* resource = model->Find(in.resource);

        bool join = false;
        std::vector<std::string> keys;
        for (const auto& name : spec.fields) {
            if (const Column* c = in.Find(name)) {
                std::string e = "w." + c->column;
                keys.push_back(c->type == "string" ? "lower(" + e + ")" : e);
                continue;
            }
            const schema::Field* f = resource ? resource->FindField(name) : nullptr;
            if (!f) {
                return Fail(Error::InvalidField(
                    "params.fields",
                    fmt::format("params.fields: '{}' is neither a field of {} nor a column of the "
                                "population",
                                name, in.resource)));
            }
            join = true;
            std::string e = "t." + QuoteIdent(f->column);
            keys.push_back(ColumnTypeOf(*f) == "string" ? "lower(" + e + ")" : e);
        }
        std::string partition;
        std::string any_null;
        for (const auto& k : keys) {
            partition += (partition.empty() ? "" : ", ") + k;
            any_null += (any_null.empty() ? "" : " OR ") + k + " IS NULL";
        }
        // A null key makes the row a group of its own.
        partition += ", CASE WHEN " + any_null + " THEN w.id END";

        auto out = ctx.CreateTable(in.resource, in.columns);
        if (!out) return Fail(std::move(out.error()));
        auto dups = ctx.CreateTable(in.resource, in.columns);
        if (!dups) return Fail(std::move(dups.error()));
        std::string inner_cols;
        std::string outer_cols;
        for (const auto& c : in.columns) {
            inner_cols += ", w." + c.column;
            outer_cols += ", x." + c.column;
        }
        const std::string keep_sql = fmt::format(
            "INSERT INTO {} (id, segment_code{}) SELECT x.id, x.segment_code{} FROM (SELECT w.id, "
            "w.segment_code{}, row_number() OVER (PARTITION BY {} ORDER BY w.id {}) AS rn FROM {} "
            "w{}) x WHERE x.rn = 1",
            QuoteIdent(out->name), ColumnNames(*out), outer_cols, inner_cols, partition,
            spec.keep_lowest ? "ASC" : "DESC", QuoteIdent(in.name),
            join ? fmt::format(" LEFT JOIN {} t ON t.id = w.id", QuoteIdent(resource->table))
                 : std::string());
        const std::string dup_sql = fmt::format(
            "INSERT INTO {} (id, segment_code{}) SELECT w.id, w.segment_code{} FROM {} w WHERE NOT "
            "EXISTS (SELECT 1 FROM {} o WHERE o.id = w.id)",
            QuoteIdent(dups->name), ColumnNames(*dups), inner_cols, QuoteIdent(in.name),
            QuoteIdent(out->name));
        auto done = storage::WithWrite(ctx.db(), [&](storage::Transaction& tx) -> Result<bool> {
            if (auto n = tx.ExecSql(keep_sql, {}); !n) return Fail(std::move(n.error()));
            if (auto n = tx.ExecSql(dup_sql, {}); !n) return Fail(std::move(n.error()));
            return true;
        });
        if (!done) return Fail(std::move(done.error()));
        auto kept = Finish(ctx, std::move(*out), "kept");
        if (!kept) return Fail(std::move(kept.error()));
        auto removed = Finish(ctx, std::move(*dups), "duplicates");
        if (!removed) return Fail(std::move(removed.error()));
        return Outcome::Done(
            {Output{"out", std::move(*kept)}, Output{"duplicates", std::move(*removed)}});
    }
};

}  // namespace

std::unique_ptr<ActivityType> MakeDeduplication() { return std::make_unique<Deduplication>(); }

}  // namespace overture::workflow::activities
