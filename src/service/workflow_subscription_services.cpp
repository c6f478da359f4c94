// The subscriptionServices activity (data): subscribes or unsubscribes the inbound profiles.
//
// params: {"service": "newsletter" (the service's name), "action": "subscribe" | "unsubscribe"}
// ports: in -> out (passes its inbound table).
//
// Every profile of the population goes through SubscriptionService (so validity, the history
// row with origin "workflow <label>" and the checks are those of the API), as the run's user,
// in pages of ids with a Checkpoint between them. Subscribing a subscribed profile and
// unsubscribing one that is not subscribed change nothing and are counted apart. A dry run
// changes nothing.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "common/strings.hpp"
#include "service/workflow_files.hpp"
#include "storage/sql_text.hpp"

namespace overture::service::wf {

namespace {

namespace json = boost::json;
using workflow::Context;
using workflow::Outcome;
using workflow::Problem;

constexpr std::int64_t kPage = 1000;

// The id of the service named `name`, 0 when there is none.
Result<std::int64_t> ServiceId(storage::Database& db, const std::string& name) {
    storage::Params p(db.dialect());
    const std::string sql = "SELECT id FROM services WHERE name = " + p.Add(name);
    auto rows = storage::WithRead(
        db, [&](storage::Transaction& tx) { return tx.QuerySql(sql, p.values()); });
    if (!rows) return Fail(rows.error());
    return rows->empty() ? 0 : storage::AsInt(rows->rows[0][0]);
}

class SubscriptionServices final : public workflow::ActivityType {
  public:
    explicit SubscriptionServices(const ServiceActivityDeps& deps) : deps_(deps) {}

    std::string_view type() const override { return "subscriptionServices"; }
    std::string_view category() const override { return "data"; }
    std::string_view label() const override { return "Subscription services"; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }

    std::vector<Problem> Check(const json::object& params,
                               const workflow::CheckContext& ctx) const override {
        std::vector<Problem> out;
        auto name = StringParam(params, "service");
        if (!name || name->empty()) {
            out.push_back(MakeProblem("params.service", "choose a service"));
        } else if (ctx.db) {
            auto id = ServiceId(*ctx.db, *name);
            if (id && *id == 0) {
                out.push_back(MakeProblem("params.service",
                                          fmt::format("there is no service named '{}'", *name)));
            }
        }
        auto action = StringParam(params, "action").value_or("");
        if (action != "subscribe" && action != "unsubscribe") {
            out.push_back(MakeProblem("params.action", "action must be subscribe or unsubscribe"));
        }
        return out;
    }

    Result<Outcome> Execute(Context& ctx) const override {
        auto table = InboundTable(ctx);
        if (!table) return Fail(table.error());
        if (table->resource != "profile") {
            return Fail(Error::FailedPrecondition(fmt::format(
                "subscriptions need profiles, but the population is of '{}'", table->resource)));
        }
        const auto& params = ctx.activity().params;
        const std::string name = StringParam(params, "service").value_or("");
        const bool subscribe = StringParam(params, "action").value_or("") == "subscribe";
        auto service = ServiceId(ctx.db(), name);
        if (!service) return Fail(service.error());
        if (*service == 0) {
            return Fail(
                Error::FailedPrecondition(fmt::format("there is no service named '{}'", name)));
        }
        if (ctx.dry_run()) {
            ctx.Log(workflow::LogLevel::kInfo,
                    fmt::format("dry run: {} profiles would be {} '{}'", table->count,
                                subscribe ? "subscribed to" : "unsubscribed from", name),
                    table->count);
            return Pass(std::move(*table));
        }
        auto info = LoadRunInfo(ctx);
        if (!info) return Fail(info.error());
        std::string origin = "workflow " + info->workflow_label;
        origin.resize(CutUtf8Bytes(origin, 100).size());
        const Actor actor = RunActor(ctx);
        if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());

        std::int64_t after = -1, changed = 0, unchanged = 0;
        while (true) {
            storage::Params p(ctx.db().dialect());
            const std::string sql =
                fmt::format("SELECT w.id FROM {} w WHERE w.id > {} ORDER BY w.id LIMIT {}",
                            storage::QuoteIdent(table->name), p.Add(after), kPage);
            auto rows = storage::WithRead(
                ctx.db(), [&](storage::Transaction& tx) { return tx.QuerySql(sql, p.values()); });
            if (!rows) return Fail(rows.error());
            if (rows->empty()) break;
            for (const auto& r : rows->rows) {
                after = storage::AsInt(r[0]);
                if (subscribe) {
                    auto s = deps_.subscriptions.Subscribe(actor, *service, after, origin);
                    if (s) {
                        ++(s->created ? changed : unchanged);
                    } else if (s.error().code == ErrorCode::kInvalidArgument) {
                        ++unchanged;  // the profile was deleted meanwhile
                    } else {
                        return Fail(s.error());
                    }
                } else {
                    auto s = deps_.subscriptions.Unsubscribe(actor, *service, after, origin);
                    if (s) {
                        ++changed;
                    } else if (s.error().code == ErrorCode::kNotFound) {
                        ++unchanged;
                    } else {
                        return Fail(s.error());
                    }
                }
            }
            if (auto st = ctx.Checkpoint(); !st) return Fail(st.error());
        }
        ctx.Log(workflow::LogLevel::kInfo,
                subscribe
                    ? fmt::format("{} profiles subscribed to '{}', {} already were", changed, name,
                                  unchanged)
                    : fmt::format("{} profiles unsubscribed from '{}', {} were not subscribed",
                                  changed, name, unchanged),
                changed);
        return Pass(std::move(*table));
    }

  private:
    ServiceActivityDeps deps_;
};

}  // namespace

std::unique_ptr<workflow::ActivityType> MakeSubscriptionServices(const ServiceActivityDeps& deps) {
    return std::make_unique<SubscriptionServices>(deps);
}

}  // namespace overture::service::wf
