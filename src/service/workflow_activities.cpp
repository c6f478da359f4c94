// RegisterServiceActivities: the service's workflow activity types (one file each,
// service/workflow_<name>.cpp).
#include "service/workflow_activities.hpp"

#include "service/workflow_files.hpp"

namespace overture::service {

void RegisterServiceActivities(workflow::Registry& registry, const ServiceActivityDeps& deps) {
    registry.Add(wf::MakeEmailDelivery(deps));
    registry.Add(wf::MakeLoadFile(deps));
    registry.Add(wf::MakeUpdateData(deps));
    registry.Add(wf::MakeExtractFile(deps));
    registry.Add(wf::MakeTransferFile(deps));
    registry.Add(wf::MakeSubscriptionServices(deps));
}

}  // namespace overture::service
