#pragma once
// The factories of the core activity types, one per file of workflow/activities/ (each file
// says what its activity does and which parameters it takes; docs/workflows.md has the
// reference). RegisterCoreActivities (activities/register.cpp) adds them all.
#include <memory>

#include "workflow/activity.hpp"

namespace overture::workflow::activities {

// Flow.
std::unique_ptr<ActivityType> MakeStart();
std::unique_ptr<ActivityType> MakeEnd();
std::unique_ptr<ActivityType> MakeFork();
std::unique_ptr<ActivityType> MakeAndJoin();
std::unique_ptr<ActivityType> MakeScheduler();
std::unique_ptr<ActivityType> MakeExternalSignal();
std::unique_ptr<ActivityType> MakeWait();
std::unique_ptr<ActivityType> MakeTest();
std::unique_ptr<ActivityType> MakeAlert();

// Targeting.
std::unique_ptr<ActivityType> MakeQuery();
std::unique_ptr<ActivityType> MakeIncrementalQuery();
std::unique_ptr<ActivityType> MakeReadAudience();
std::unique_ptr<ActivityType> MakeSaveAudience();
std::unique_ptr<ActivityType> MakeUnion();
std::unique_ptr<ActivityType> MakeIntersection();
std::unique_ptr<ActivityType> MakeExclusion();
std::unique_ptr<ActivityType> MakeSegmentation();
std::unique_ptr<ActivityType> MakeDeduplication();
std::unique_ptr<ActivityType> MakeEnrichment();

}  // namespace overture::workflow::activities
