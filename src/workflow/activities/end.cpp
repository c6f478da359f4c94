// End (flow): where a branch ends. No parameters, no output; the population that reaches it
// is released (its working table is dropped once nothing else reads it).
#include "workflow/activities/activities.hpp"

namespace overture::workflow::activities {

namespace {

class End final : public ActivityType {
  public:
    std::string_view type() const override { return "end"; }
    std::string_view category() const override { return "flow"; }
    std::string_view label() const override { return "End"; }
    std::vector<std::string> OutputPorts(const boost::json::object&) const override { return {}; }
    std::vector<Problem> Check(const boost::json::object&, const CheckContext&) const override {
        return {};
    }
    Result<Outcome> Execute(Context&) const override { return Outcome::Done(); }
};

}  // namespace

std::unique_ptr<ActivityType> MakeEnd() { return std::make_unique<End>(); }

}  // namespace overture::workflow::activities
