// Read audience (targeting): the members of an audience (docs/audiences.md) into a working
// table.
//
//   params: {"audienceId": 3}
//   ports:  out: the audience's records (of its resource, "profile").
//
// A list audience gives its members (audience_members); a query audience is computed now: its
// stored expression is parsed and checked again against the data model in force, like every
// use of it. An audience whose expiry date has passed fails the task with a message that says
// so; a deleted one fails as not found.
#include <fmt/format.h>

#include "storage/sql_text.hpp"
#include "workflow/activities/activities.hpp"
#include "workflow/activities/targeting_sql.hpp"

namespace overture::workflow::activities {

namespace {

namespace json = boost::json;
using storage::Params;
using storage::QuoteIdent;

std::optional<std::int64_t> AudienceId(const json::object& params) {
    const json::value* v = params.if_contains("audienceId");
    if (!v) return std::nullopt;
    if (v->is_int64() && v->get_int64() > 0) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v->get_uint64());
    }
    return std::nullopt;
}

struct AudienceRow {
    std::string label;
    std::string kind;
    std::string resource;
    std::optional<std::string> expression;
    std::optional<std::int64_t> expires_at;
};

Result<std::optional<AudienceRow>> LoadAudience(storage::Database& db, std::int64_t id) {
    Params p(db.dialect());
    auto sql = fmt::format(
        "SELECT label, kind, resource, expression, expires_at FROM audiences WHERE id = {}",
        p.Add(id));
    auto rows = storage::WithRead(
        db, [&](storage::Transaction& tx) { return tx.QuerySql(sql, p.values()); });
    if (!rows) return Fail(std::move(rows.error()));
    if (rows->empty()) return std::optional<AudienceRow>();
    const auto& r = rows->rows[0];
    AudienceRow a{
        storage::AsString(r[0]), storage::AsString(r[1]), storage::AsString(r[2]), {}, {}};
    if (!storage::IsNull(r[3])) a.expression = storage::AsString(r[3]);
    if (!storage::IsNull(r[4])) a.expires_at = storage::AsInt(r[4]);
    return std::optional<AudienceRow>(std::move(a));
}

class ReadAudience final : public ActivityType {
  public:
    std::string_view type() const override { return "readAudience"; }
    std::string_view category() const override { return "targeting"; }
    std::string_view label() const override { return "Read audience"; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }

    std::vector<Problem> Check(const json::object& params, const CheckContext& ctx) const override {
        std::vector<Problem> problems;
        auto id = AudienceId(params);
        if (!id) {
            problems.push_back(ParamProblem("params.audienceId", "choose an audience"));
            return problems;
        }
        if (ctx.db) {
            auto a = LoadAudience(*ctx.db, *id);
            if (a && !*a) {
                problems.push_back(ParamProblem("params.audienceId",
                                                fmt::format("audience {} does not exist", *id)));
            }
        }
        return problems;
    }

    Result<Outcome> Execute(Context& ctx) const override {
        auto id = AudienceId(ctx.activity().params);
        if (!id) {
            return Fail(Error::InvalidField("params.audienceId", "choose an audience"));
        }
        auto loaded = LoadAudience(ctx.db(), *id);
        if (!loaded) return Fail(std::move(loaded.error()));
        if (!*loaded) {
            return Fail(Error::NotFound(fmt::format("audience {} does not exist", *id)));
        }
        const AudienceRow& a = **loaded;
        if (a.expires_at && *a.expires_at <= ToUnixMillis(ctx.clock().Now())) {
            return Fail(Error::FailedPrecondition(
                            fmt::format("the audience '{}' expired on {}; extend its expiry date "
                                        "to use it",
                                        a.label, FormatRfc3339(FromUnixMillis(*a.expires_at))))
                            .With("audienceId", std::to_string(*id)));
        }
        auto model = ctx.model();
        Params p(ctx.db().dialect());
        std::string select;
        if (a.kind == "list") {
            select = fmt::format(
                "SELECT m.profile_id FROM audience_members m WHERE m.audience_id = {}", p.Add(*id));
        } else {
            auto resource = FindResource(*model, a.resource);
            if (!resource) return Fail(std::move(resource.error()));
            auto cond = ExpressionSql(a.expression.value_or(""), model, a.resource, p, ctx.clock());
            if (!cond) {
                return Fail(Error::FailedPrecondition(
                    fmt::format("the expression of audience '{}' no longer applies: {}", a.label,
                                cond.error().message)));
            }
            select = fmt::format("SELECT t.id FROM {} t WHERE {}", QuoteIdent((*resource)->table),
                                 *cond);
        }
        auto table = ctx.CreateTable(a.resource, {});
        if (!table) return Fail(std::move(table.error()));
        auto n = ExecWrite(
            ctx.db(), fmt::format("INSERT INTO {} (id) {}", QuoteIdent(table->name), select), p);
        if (!n) return Fail(std::move(n.error()));
        auto out = Finish(ctx, std::move(*table), fmt::format("audience '{}'", a.label));
        if (!out) return Fail(std::move(out.error()));
        return Outcome::Done({Output{"out", std::move(*out)}});
    }
};

}  // namespace

std::unique_ptr<ActivityType> MakeReadAudience() { return std::make_unique<ReadAudience>(); }

}  // namespace overture::workflow::activities
