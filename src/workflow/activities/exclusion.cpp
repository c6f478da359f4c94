// Exclusion (targeting): the records of the main population that are in none of the excluded
// populations.
//
//   params: {}
//   ports:  in: the main population (several transitions into "in" are taken as their union);
//           exclude: one or more populations to leave out (InputMode kAll: the task waits for
//           every inbound transition); out: what remains.
//
// Every population must be of one resource. Records keep their segment code and additional
// data (as Union does when several reach "in"). One INSERT ... SELECT with NOT EXISTS per
// excluded table.
#include "workflow/activities/activities.hpp"
#include "workflow/activities/targeting_sql.hpp"

namespace overture::workflow::activities {

namespace {

namespace json = boost::json;

class Exclusion final : public ActivityType {
  public:
    std::string_view type() const override { return "exclusion"; }
    std::string_view category() const override { return "targeting"; }
    std::string_view label() const override { return "Exclusion"; }
    InputMode input_mode() const override { return InputMode::kAll; }
    std::vector<std::string> InputPorts(const json::object&) const override {
        return {"in", "exclude"};
    }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }
    std::vector<Problem> Check(const json::object& params, const CheckContext& ctx) const override {
        return CheckOneResource(params, ctx, "Exclusion");
    }
    Result<Outcome> Execute(Context& ctx) const override {
        auto out = UnionInto(ctx, InputTables(ctx, "in"), InputTables(ctx, "exclude"), "Exclusion");
        if (!out) return Fail(std::move(out.error()));
        return Outcome::Done({Output{"out", std::move(*out)}});
    }
};

}  // namespace

std::unique_ptr<ActivityType> MakeExclusion() { return std::make_unique<Exclusion>(); }

}  // namespace overture::workflow::activities
