#pragma once
// What the service's workflow activities share (service/workflow_*.cpp): the factories that
// RegisterServiceActivities calls, the rules of the workflow files folder, the run-as actor,
// parameter readers and the reading of working tables. Internal to those files.
//
// The files folder (config workflow.directory): a path in the parameters is relative, uses '/'
// between its parts, has no "." or ".." part, no NUL, no backslash, and is at most 1,000
// characters; "{run}" (the run id) and "{date}" (the run's day, YYYY-MM-DD, UTC) are replaced
// when the task runs. At run time the real location (symbolic links resolved) of the file, or
// of the folder that will hold it, must still be inside the folder.
//
// Thread-safety: pure functions.
#include <boost/json/object.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "service/actor.hpp"
#include "service/workflow_activities.hpp"
#include "storage/value.hpp"
#include "workflow/activity.hpp"

namespace overture::service::wf {

std::unique_ptr<workflow::ActivityType> MakeEmailDelivery(const ServiceActivityDeps& deps);
std::unique_ptr<workflow::ActivityType> MakeLoadFile(const ServiceActivityDeps& deps);
std::unique_ptr<workflow::ActivityType> MakeUpdateData(const ServiceActivityDeps& deps);
std::unique_ptr<workflow::ActivityType> MakeExtractFile(const ServiceActivityDeps& deps);
std::unique_ptr<workflow::ActivityType> MakeTransferFile(const ServiceActivityDeps& deps);
std::unique_ptr<workflow::ActivityType> MakeSubscriptionServices(const ServiceActivityDeps& deps);

// ---- parameters ----------------------------------------------------------------------------

workflow::Problem MakeProblem(std::string field, std::string message);
// The member as a string; nullopt when missing or not a string.
std::optional<std::string> StringParam(const boost::json::object& params, std::string_view key);
// The member as an integer; nullopt when missing or not an integer.
std::optional<std::int64_t> IntParam(const boost::json::object& params, std::string_view key);
// The member as a boolean, `fallback` when missing; nullopt when present but not a boolean.
std::optional<bool> BoolParam(const boost::json::object& params, std::string_view key,
                              bool fallback);

// ---- the files folder ----------------------------------------------------------------------

// What is wrong with `path` as a relative path of the files folder (the rules above), or
// nullopt when it is acceptable.
std::optional<std::string> PathProblem(std::string_view path);
// The problem of the path parameter `key` of an activity: `missing` when it is absent or empty,
// else PathProblem's, on the field "params.<key>"; nullopt when the path is acceptable.
std::optional<workflow::Problem> PathParamProblem(const boost::json::object& params,
                                                  std::string_view key, std::string missing);
// `path` with "{run}" and "{date}" replaced for the task's run.
std::string ExpandPath(std::string_view path, const workflow::Context& ctx);
// The absolute location of `relative` (already expanded) in `directory`, checked again by
// PathProblem and, with symbolic links resolved, to be inside the folder. With `create_parent`
// the folders leading to it are created first (inside the folder). kInvalidArgument naming the
// path when it leaves the folder.
Result<std::filesystem::path> Resolve(const std::string& directory, std::string_view relative,
                                      bool create_parent);

// ---- the run --------------------------------------------------------------------------------

// The run's user as an Actor (name and role; no user id, no API key).
Actor RunActor(const workflow::Context& ctx);
// The first inbound table, or kFailedPrecondition saying that the activity needs one.
Result<workflow::Table> InboundTable(const workflow::Context& ctx);
// The inbound table when there is one (activities that also run without a population).
std::optional<workflow::Table> MaybeInboundTable(const workflow::Context& ctx);
// Outputs that pass `table` on "out".
workflow::Outcome Pass(std::optional<workflow::Table> table);

// The workflow's label and the run's number (for labels of what the run creates).
struct RunInfo {
    std::string workflow_label;
    std::int64_t number = 0;
};
Result<RunInfo> LoadRunInfo(workflow::Context& ctx);

// A cell as CSV text: NULL is empty, booleans "true"/"false", floats without trailing noise.
std::string CellText(const storage::Value& v);

}  // namespace overture::service::wf
