#pragma once
// The workflow activities that need the service layer (docs/workflows.md, "Channel and data
// activities"): emailDelivery (a delivery from a template, prepared and confirmed as the run's
// user), loadFile, updateData, extractFile, transferFile (files of the workflow files folder)
// and subscriptionServices. One file each, service/workflow_<name>.cpp.
//
// Files: every path in the parameters is relative to `directory` (config workflow.directory);
// Check refuses absolute paths, "..", and (at run time) a path whose real location leaves the
// folder through a symbolic link (service/workflow_files.hpp).
//
// The activity types keep references to the services: the services must outlive the engine
// that runs them. Thread-safe: the types hold no mutable state.
#include <string>

#include "common/clock.hpp"
#include "service/audit.hpp"
#include "service/deliveries.hpp"
#include "service/records.hpp"
#include "service/schema_service.hpp"
#include "service/subscriptions.hpp"
#include "storage/database.hpp"
#include "workflow/activity.hpp"

namespace overture::service {

struct ServiceActivityDeps {
    storage::Database& db;
    const Clock& clock;
    const SchemaService& schema;
    const RecordService& records;
    const DeliveryService& deliveries;
    const SubscriptionService& subscriptions;
    const AuditLog& audit;
    std::string directory = "var/workflows";  // the workflow files folder
};

// Adds emailDelivery, loadFile, updateData, extractFile, transferFile and
// subscriptionServices to `registry`.
void RegisterServiceActivities(workflow::Registry& registry, const ServiceActivityDeps& deps);

}  // namespace overture::service
