#include "service/schema_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "schema/model_json.hpp"
#include "service/queries.hpp"

namespace overture::service {

schema::SqlDialect SqlDialectOf(storage::Dialect d) {
    return d == storage::Dialect::kSqlite ? schema::SqlDialect::kSqlite
                                          : schema::SqlDialect::kPostgres;
}

SchemaService::SchemaService(storage::Database& db, const Clock& clock, const AuditLog& audit)
    : db_(db),
      clock_(clock),
      audit_(audit),
      current_(std::make_shared<schema::Model>(schema::BuiltinModel())) {}

Status SchemaService::Load() { return Reload(); }

Status SchemaService::Reload() const {
    auto rows = storage::WithRead(db_, [](storage::Transaction& tx) {
        return tx.Query(q::kSchemaVersionLatest, std::span<const storage::Value>());
    });
    if (!rows) return Fail(rows.error());
    auto model = std::make_shared<schema::Model>(schema::BuiltinModel());
    std::int64_t version = 0;
    if (!rows->empty()) {
        version = storage::AsInt(rows->rows[0][0]);
        boost::system::error_code ec;
        auto doc = boost::json::parse(storage::AsString(rows->rows[0][1]), ec);
        if (ec) return Fail(Error::Internal("schema_versions.model is not JSON: " + ec.message()));
        auto custom = schema::CustomModelFromJson(doc);
        if (!custom) return Fail(Error::Internal("stored model: " + custom.error().message));
        auto merged = schema::Merge(*custom);
        if (!merged) return Fail(Error::Internal("stored model: " + merged.error().message));
        model = std::make_shared<schema::Model>(std::move(*merged));
    }
    std::lock_guard lock(mu_);
    current_ = std::move(model);
    version_ = version;
    checked_at_ = clock_.Now();
    return {};
}

void SchemaService::RefreshIfStale() const {
    {
        std::lock_guard lock(mu_);
        auto now = clock_.Now();
        if (now - checked_at_ < std::chrono::seconds(2)) return;
        checked_at_ = now;
    }
    auto rows = storage::WithRead(db_, [](storage::Transaction& tx) {
        return tx.Query(q::kSchemaVersionCurrent, std::span<const storage::Value>());
    });
    if (!rows) return;  // keep serving the model we have; the next check tries again
    std::int64_t latest = storage::AsInt(rows->rows.at(0).at(0));
    {
        std::lock_guard lock(mu_);
        if (latest == version_) return;
    }
    if (auto st = Reload(); !st) {
        spdlog::error("reloading the data model failed: {}", st.error().message);
    }
}

std::shared_ptr<const schema::Model> SchemaService::Current() const {
    RefreshIfStale();
    std::lock_guard lock(mu_);
    return current_;
}

Result<PublishOutcome> SchemaService::Publish(const Actor& actor, const schema::Model& desired,
                                              bool dry_run, bool allow_data_loss) {
    if (auto st = Require(actor, Permission::kManageSchema); !st) return Fail(st.error());
    auto merged = schema::Merge(desired);
    if (!merged) return Fail(merged.error());
    std::lock_guard publishing(publish_mu_);
    // Plan against what is published now, even if another node published a moment ago.
    if (auto st = Load(); !st) return Fail(st.error());
    auto from = Current();
    auto plan = schema::PlanPublish(*from, *merged, SqlDialectOf(db_.dialect()));
    if (!plan) return Fail(plan.error());

    PublishOutcome outcome;
    outcome.plan = std::move(*plan);
    auto model_json = boost::json::serialize(schema::ModelToJson(schema::CustomPart(*merged)));
    bool model_changed =
        model_json != boost::json::serialize(schema::ModelToJson(schema::CustomPart(*from)));
    if (dry_run || (outcome.plan.empty() && !model_changed)) return outcome;
    if (outcome.plan.loses_data() && !allow_data_loss) {
        std::string lost;
        for (const auto& c : outcome.plan.changes) {
            if (c.loses_data) lost += (lost.empty() ? "" : "; ") + c.description;
        }
        return Fail(Error::FailedPrecondition(
                        fmt::format("this publish would delete data ({}); publish again with "
                                    "allowDataLoss: true if that is what you want",
                                    lost))
                        .With("lostData", lost));
    }

    std::string all_sql;
    for (const auto& s : outcome.plan.statements) all_sql += s + ";\n";
    auto tx = db_.Begin(storage::TxMode::kSchemaChange);
    if (!tx) return Fail(tx.error());
    auto version = [&](storage::Transaction& tx) -> Result<std::int64_t> {
        if (db_.dialect() == storage::Dialect::kPostgres) {
            // One publish at a time across nodes; held until this transaction ends.
            auto lock = tx.QuerySql("SELECT pg_advisory_xact_lock(7210002)", {});
            if (!lock) return Fail(lock.error());
        }
        for (const auto& statement : outcome.plan.statements) {
            if (auto st = tx.ExecScript(statement); !st) {
                auto e = st.error();
                e.message = fmt::format("publishing failed at `{}`: {}; nothing was changed",
                                        statement, e.message);
                return Fail(std::move(e));
            }
        }
        auto rows = tx.Query(q::kSchemaVersionInsert,
                             {ToUnixMillis(clock_.Now()), actor.username, model_json, all_sql});
        if (!rows) return Fail(rows.error());
        auto id = storage::AsInt(rows->rows.at(0).at(0));
        AuditDetails details;
        for (std::size_t i = 0; i < outcome.plan.changes.size(); ++i) {
            details.emplace_back(fmt::format("change{}", i + 1),
                                 outcome.plan.changes[i].description);
        }
        if (auto st =
                audit_.Record(tx, actor, "schema.publish", "schema", std::to_string(id), details);
            !st) {
            return Fail(st.error());
        }
        return id;
    }(**tx);
    if (!version) return Fail(version.error());
    if (auto st = (*tx)->Commit(); !st) return Fail(st.error());
    {
        std::lock_guard lock(mu_);
        current_ = std::make_shared<schema::Model>(std::move(*merged));
        version_ = *version;
    }
    outcome.applied = true;
    outcome.version = *version;
    return outcome;
}

}  // namespace overture::service
