// Start (flow): begins a run. No parameters, no input; fires "out" once, without a
// population.
#include "workflow/activities/activities.hpp"

namespace overture::workflow::activities {

namespace {

class Start final : public ActivityType {
  public:
    std::string_view type() const override { return "start"; }
    std::string_view category() const override { return "flow"; }
    std::string_view label() const override { return "Start"; }
    InputMode input_mode() const override { return InputMode::kNone; }
    std::vector<std::string> InputPorts(const boost::json::object&) const override { return {}; }
    std::vector<std::string> OutputPorts(const boost::json::object&) const override {
        return {"out"};
    }
    std::vector<Problem> Check(const boost::json::object&, const CheckContext&) const override {
        return {};
    }
    Result<Outcome> Execute(Context&) const override { return Outcome::Done({Output{"out", {}}}); }
};

}  // namespace

std::unique_ptr<ActivityType> MakeStart() { return std::make_unique<Start>(); }

}  // namespace overture::workflow::activities
