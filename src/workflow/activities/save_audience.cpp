// Save audience (targeting): keeps the inbound population of profiles as a list audience
// (docs/audiences.md), for deliveries and later workflows, and passes the population on.
//
//   params: {"label": "Nightly import", "mode": "replace" (default) | "append"}
//   ports:  in: a population of profiles; out: the same table.
//
// The list audience of that label (resource profile; the oldest when several share it) is
// created when missing (created by the run's user). "replace" makes its members exactly the
// population; "append" adds the profiles that are not members yet. Members, the audience's
// modification time and a new audience are written in one transaction. A label held only by a
// query audience, or an expired list audience, fails the task. A dry run writes nothing and
// logs what it would have saved.
#include <fmt/format.h>

#include "common/strings.hpp"
#include "storage/sql_text.hpp"
#include "workflow/activities/activities.hpp"
#include "workflow/activities/targeting_sql.hpp"

namespace overture::workflow::activities {

namespace {

namespace json = boost::json;
using storage::Params;
using storage::QuoteIdent;

constexpr std::size_t kMaxLabel = 200;

std::string Label(const json::object& params) {
    return std::string(Trim(StringParam(params, "label").value_or("")));
}

class SaveAudience final : public ActivityType {
  public:
    std::string_view type() const override { return "saveAudience"; }
    std::string_view category() const override { return "targeting"; }
    std::string_view label() const override { return "Save audience"; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }

    std::vector<Problem> Check(const json::object& params, const CheckContext&) const override {
        std::vector<Problem> problems;
        auto label = StringParam(params, "label");
        if (!label || Label(params).empty() || Label(params).size() > kMaxLabel) {
            problems.push_back(ParamProblem("params.label", "a label of 1-200 characters"));
        }
        auto mode = StringParam(params, "mode", "replace");
        if (!mode || (*mode != "replace" && *mode != "append")) {
            problems.push_back(ParamProblem("params.mode", "must be replace or append"));
        }
        return problems;
    }

    Result<Outcome> Execute(Context& ctx) const override {
        const json::object& params = ctx.activity().params;
        const std::string label = Label(params);
        const std::string mode = StringParam(params, "mode", "replace").value_or("");
        if (label.empty() || label.size() > kMaxLabel) {
            return Fail(Error::InvalidField("params.label", "a label of 1-200 characters"));
        }
        if (mode != "replace" && mode != "append") {
            return Fail(Error::InvalidField("params.mode", "must be replace or append"));
        }
        auto input = SingleInput(ctx, "Save audience");
        if (!input) return Fail(std::move(input.error()));
        const Table& in = **input;
        if (in.resource != "profile") {
            return Fail(Error::FailedPrecondition(fmt::format(
                "Save audience keeps profiles only, but it received {} records", in.resource)));
        }
        if (ctx.dry_run()) {
            ctx.Log(
                LogLevel::kInfo,
                fmt::format("dry run: {} profiles not saved to the audience '{}'", in.count, label),
                in.count);
            return Outcome::Done({Output{"out", in}});
        }
        const auto dialect = ctx.db().dialect();
        const std::int64_t now = ToUnixMillis(ctx.clock().Now());
        auto saved =
            storage::WithWrite(ctx.db(), [&](storage::Transaction& tx) -> Result<std::int64_t> {
                // The text is built (adding its values to `p`) before the values are read.
                auto query = [&](const std::string& sql, const Params& p) {
                    return tx.QuerySql(sql, p.values());
                };
                auto exec = [&](const std::string& sql, const Params& p) {
                    return tx.ExecSql(sql, p.values());
                };
                Params find(dialect);
                auto rows = query(
                    fmt::format("SELECT id, kind, resource, expires_at FROM audiences WHERE label "
                                "= {} ORDER BY id",
                                find.Add(label)),
                    find);
                if (!rows) return Fail(std::move(rows.error()));
                std::optional<std::int64_t> id;
                bool other = false;
                for (const auto& r : rows->rows) {
                    if (storage::AsString(r[1]) != "list" || storage::AsString(r[2]) != "profile") {
                        other = true;
                        continue;
                    }
                    if (!storage::IsNull(r[3]) && storage::AsInt(r[3]) <= now) {
                        return Fail(Error::FailedPrecondition(fmt::format(
                            "the audience '{}' has expired; extend its expiry date to save to it",
                            label)));
                    }
                    id = storage::AsInt(r[0]);
                    break;
                }
                if (!id && other) {
                    return Fail(Error::FailedPrecondition(fmt::format(
                        "the audience '{}' is not a list of profiles; choose another label",
                        label)));
                }
                if (!id) {
                    Params p(dialect);
                    auto created =
                        query(fmt::format(
                                  "INSERT INTO audiences (label, description, kind, resource, "
                                  "created_at, created_by, modified_at, modified_by) VALUES "
                                  "({}, {}, 'list', 'profile', {}, {}, {}, {}) RETURNING id",
                                  p.Add(label),
                                  p.Add(fmt::format("Saved by workflow {}, activity {}",
                                                    ctx.workflow_id(), ctx.activity().id)),
                                  p.Add(now), p.Add(ctx.run_as()), p.Add(now), p.Add(ctx.run_as())),
                              p);
                    if (!created) return Fail(std::move(created.error()));
                    id = storage::AsInt(created->rows.at(0).at(0));
                } else {
                    Params p(dialect);
                    auto touched =
                        exec(fmt::format("UPDATE audiences SET modified_at = {}, modified_by = {} "
                                         "WHERE id = {}",
                                         p.Add(now), p.Add(ctx.run_as()), p.Add(*id)),
                             p);
                    if (!touched) return Fail(std::move(touched.error()));
                }
                if (mode == "replace") {
                    Params p(dialect);
                    auto cleared =
                        exec(fmt::format("DELETE FROM audience_members WHERE audience_id = {}",
                                         p.Add(*id)),
                             p);
                    if (!cleared) return Fail(std::move(cleared.error()));
                }
                // Only profiles that still exist (one may have been deleted since the
                // population was made); append skips members already there.
                Params p(dialect);
                const std::string aid = IntValue(p, *id);
                auto added = exec(
                    fmt::format("INSERT INTO audience_members (audience_id, profile_id, added_at) "
                                "SELECT {0}, w.id, {1} FROM {2} w WHERE EXISTS (SELECT 1 FROM "
                                "profiles p WHERE p.id = w.id) AND NOT EXISTS (SELECT 1 FROM "
                                "audience_members m WHERE m.audience_id = {0} AND m.profile_id "
                                "= w.id)",
                                aid, IntValue(p, now), QuoteIdent(in.name)),
                    p);
                if (!added) return Fail(std::move(added.error()));
                Params c(dialect);
                auto count = query(
                    fmt::format("SELECT count(*) FROM audience_members WHERE audience_id = {}",
                                c.Add(*id)),
                    c);
                if (!count) return Fail(std::move(count.error()));
                return storage::AsInt(count->rows.at(0).at(0));
            });
        if (!saved) return Fail(std::move(saved.error()));
        ctx.Log(LogLevel::kInfo,
                fmt::format("audience '{}' ({}): {} member{}", label, mode, *saved,
                            *saved == 1 ? "" : "s"),
                *saved);
        return Outcome::Done({Output{"out", in}});
    }
};

}  // namespace

std::unique_ptr<ActivityType> MakeSaveAudience() { return std::make_unique<SaveAudience>(); }

}  // namespace overture::workflow::activities
