#pragma once
// The data model in force, and publishing changes to it.
//
// The model is the built-in resources plus the custom items of the newest published version
// (table schema_versions). Publish turns the difference between the model in force and the one
// asked for into DDL (schema/plan.hpp), shows it (dry run), refuses to drop data unless told to,
// runs it in one transaction with the new version row and an audit entry, then makes the new
// model current. Readers take a snapshot with Current() and keep it for their whole request.
//
// Another process (a second node, `overture demo`) may publish too: Current() looks at the
// newest version number at most once every two seconds and reloads when it changed.
//
// Thread-safety: all methods are thread-safe.
#include <memory>
#include <mutex>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "schema/model.hpp"
#include "schema/plan.hpp"
#include "service/actor.hpp"
#include "service/audit.hpp"
#include "storage/database.hpp"

namespace overture::service {

struct PublishOutcome {
    schema::PublishPlan plan;
    bool applied = false;  // false for a dry run or when there was nothing to do
    std::int64_t version = 0;
};

class SchemaService {
  public:
    SchemaService(storage::Database& db, const Clock& clock, const AuditLog& audit);

    // Reads the newest published version. Fails when it cannot be read or no longer merges
    // with the built-ins (kInternal: the stored model is damaged).
    Status Load();

    // The model in force. shared_ptr: a request keeps the snapshot it started with while a
    // publish replaces the current one.
    std::shared_ptr<const schema::Model> Current() const;

    // Needs kManageSchema. `desired` holds the custom items wanted (CustomModelFromJson).
    // kInvalidArgument for an invalid model or a change the planner refuses;
    // kFailedPrecondition when the plan drops data and allow_data_loss is false (what would be
    // lost is in the error details as "lostData"). Changes without DDL (labels, enumeration
    // values, required flags) are saved as a new version too.
    Result<PublishOutcome> Publish(const Actor& actor, const schema::Model& desired, bool dry_run,
                                   bool allow_data_loss);

  private:
    storage::Database& db_;
    const Clock& clock_;
    const AuditLog& audit_;
    // Reloads when the database holds a newer version than current_.
    void RefreshIfStale() const;
    // Reads the newest version into current_ (the members it changes are mutable: reloading
    // does not change what the service is, only how fresh its copy is).
    Status Reload() const;

    mutable std::mutex mu_;
    mutable std::shared_ptr<const schema::Model> current_;  // guarded by mu_
    mutable std::int64_t version_ = 0;                      // guarded by mu_
    mutable TimePoint checked_at_{};                        // guarded by mu_
    std::mutex publish_mu_;                                 // one publish at a time in this process
};

schema::SqlDialect SqlDialectOf(storage::Dialect d);

}  // namespace overture::service
