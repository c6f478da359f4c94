// Fork (flow): sends what reaches it down several branches at once. No parameters; every
// transition leaving "out" gets the same population (the inbound working table, shared).
#include "workflow/activities/activities.hpp"

namespace overture::workflow::activities {

namespace {

class Fork final : public ActivityType {
  public:
    std::string_view type() const override { return "fork"; }
    std::string_view category() const override { return "flow"; }
    std::string_view label() const override { return "Fork"; }
    std::vector<std::string> OutputPorts(const boost::json::object&) const override {
        return {"out"};
    }
    std::vector<Problem> Check(const boost::json::object&, const CheckContext&) const override {
        return {};
    }
    Result<Outcome> Execute(Context& ctx) const override {
        std::optional<Table> table;
        for (const auto& in : ctx.inputs()) {
            if (in.table) {
                table = in.table;
                break;
            }
        }
        return Outcome::Done({Output{"out", std::move(table)}});
    }
};

}  // namespace

std::unique_ptr<ActivityType> MakeFork() { return std::make_unique<Fork>(); }

}  // namespace overture::workflow::activities
