// And-join (flow): waits until every inbound transition has arrived, then goes on with one
// population. Parameters: {"primary": "<inbound transition id>"} (optional): whose working
// table goes on; without it, the table of the first inbound transition (in the graph's order)
// that carries one. The other inputs are released.
#include <fmt/format.h>

#include "workflow/activities/activities.hpp"

namespace overture::workflow::activities {

namespace {

class AndJoin final : public ActivityType {
  public:
    std::string_view type() const override { return "andJoin"; }
    std::string_view category() const override { return "flow"; }
    std::string_view label() const override { return "And-join"; }
    InputMode input_mode() const override { return InputMode::kAll; }
    std::vector<std::string> OutputPorts(const boost::json::object&) const override {
        return {"out"};
    }
    std::vector<Problem> Check(const boost::json::object& params,
                               const CheckContext& ctx) const override {
        const auto* primary = params.if_contains("primary");
        if (primary == nullptr || primary->is_null()) return {};
        if (!primary->is_string()) {
            return {{"", "", "params.primary", "must be the id of an inbound transition"}};
        }
        if (primary->as_string().empty()) return {};
        if (ctx.graph != nullptr && ctx.activity != nullptr) {
            for (const auto* t : ctx.graph->Inbound(ctx.activity->id)) {
                if (t->id == primary->as_string()) return {};
            }
            return {{"", "", "params.primary",
                     fmt::format("\"{}\" is not a transition leading to this activity",
                                 std::string_view(primary->as_string()))}};
        }
        return {};
    }
    Result<Outcome> Execute(Context& ctx) const override {
        std::string primary;
        if (const auto* p = ctx.activity().params.if_contains("primary");
            p != nullptr && p->is_string()) {
            primary = std::string(p->as_string());
        }
        auto inputs = ctx.inputs();
        auto table_of = [&](std::string_view transition) -> const Input* {
            for (const auto& in : inputs) {
                if (in.transition == transition && in.table) return &in;
            }
            return nullptr;
        };
        const Input* chosen = primary.empty() ? nullptr : table_of(primary);
        if (chosen == nullptr) {
            for (const auto* t : ctx.graph().Inbound(ctx.activity().id)) {
                if ((chosen = table_of(t->id)) != nullptr) break;
            }
        }
        if (chosen == nullptr) {
            for (const auto& in : inputs) {
                if (in.table) {
                    chosen = &in;
                    break;
                }
            }
        }
        std::optional<Table> table;
        if (chosen != nullptr) table = chosen->table;
        return Outcome::Done({Output{"out", std::move(table)}});
    }
};

}  // namespace

std::unique_ptr<ActivityType> MakeAndJoin() { return std::make_unique<AndJoin>(); }

}  // namespace overture::workflow::activities
