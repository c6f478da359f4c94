// Incremental query (targeting): a Query (query.cpp, same parameters) that leaves out the
// records it gave out in earlier runs of this workflow and activity, so that a scheduled
// workflow targets each record once.
//
//   params: as Query: {"resource", "expression", "additionalData"}.
//   ports:  out: the records found that this activity never gave out before.
//
// What it gave out is kept in workflow_seen (workflow, activity, row id, run), written in the
// transaction that fills the working table; a dry run reads it but does not add to it. Changing
// the activity's id starts afresh; deleting the workflow forgets it all.
#include "workflow/activities/activities.hpp"
#include "workflow/activities/targeting_sql.hpp"

namespace overture::workflow::activities {

namespace {

namespace json = boost::json;

class IncrementalQuery final : public ActivityType {
  public:
    std::string_view type() const override { return "incrementalQuery"; }
    std::string_view category() const override { return "targeting"; }
    std::string_view label() const override { return "Incremental query"; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }
    std::vector<Problem> Check(const json::object& params, const CheckContext& ctx) const override {
        return CheckQueryParams(params, ctx);
    }
    Result<Outcome> Execute(Context& ctx) const override { return ExecuteQuery(ctx, true); }
};

}  // namespace

std::unique_ptr<ActivityType> MakeIncrementalQuery() {
    return std::make_unique<IncrementalQuery>();
}

}  // namespace overture::workflow::activities
