// RegisterCoreActivities: every activity type of workflow/activities/.
#include "workflow/activities/activities.hpp"

namespace overture::workflow {

void RegisterCoreActivities(Registry& registry) {
    using namespace activities;
    for (auto* make : {MakeStart, MakeEnd, MakeFork, MakeAndJoin, MakeScheduler, MakeExternalSignal,
                       MakeWait, MakeTest, MakeAlert, MakeQuery, MakeIncrementalQuery,
                       MakeReadAudience, MakeSaveAudience, MakeUnion, MakeIntersection,
                       MakeExclusion, MakeSegmentation, MakeDeduplication, MakeEnrichment}) {
        registry.Add(make());
    }
}

}  // namespace overture::workflow
