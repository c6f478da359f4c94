// Scheduler (flow): starts a branch at each tick of a schedule. Parameters (workflow/schedule.hpp):
// {"kind": "once"|"daily"|"weekly"|"monthly"|"cron", "at", "time", "days", "dayOfMonth",
// "cron", "timeZone"}. No input; fires "out" without a population.
//
// How a tick is kept (engine.hpp): the first task of a run computes the next tick after now,
// keeps it in its state ("tick", Unix ms) and waits until then; woken at or after it, it fires
// and asks for a new task at the following tick (Outcome::again_at). That re-armed task starts
// with state {"rearmed": true} and is only run once its wake time has come (and, by the engine,
// not while the previous tick's branch is busy), so it fires as soon as it runs and asks for
// the next one. The next tick is always computed from the clock after firing, strictly later:
// a tick never fires twice, and ticks missed while the node was down fire once, late. A once
// schedule fires once and is not re-armed; one already past when the run starts fails. A dry
// run fires at once and is not re-armed.
#include <fmt/format.h>

#include "workflow/activities/activities.hpp"
#include "workflow/schedule.hpp"

namespace overture::workflow::activities {

namespace {

// The Problem of a ParseSchedule error: its field, and the message without the field prefix.
Problem ProblemOf(const Error& e) {
    Problem p;
    auto field = e.details.find("field");
    p.field = field == e.details.end() ? "" : field->second;
    p.message = e.message;
    if (!p.field.empty() && p.message.starts_with(p.field + ": ")) {
        p.message = p.message.substr(p.field.size() + 2);
    }
    return p;
}

class Scheduler final : public ActivityType {
  public:
    std::string_view type() const override { return "scheduler"; }
    std::string_view category() const override { return "flow"; }
    std::string_view label() const override { return "Scheduler"; }
    InputMode input_mode() const override { return InputMode::kNone; }
    std::vector<std::string> InputPorts(const boost::json::object&) const override { return {}; }
    std::vector<std::string> OutputPorts(const boost::json::object&) const override {
        return {"out"};
    }

    std::vector<Problem> Check(const boost::json::object& params,
                               const CheckContext&) const override {
        auto schedule = ParseSchedule(params);
        if (!schedule) return {ProblemOf(schedule.error())};
        return {};
    }

    Result<Outcome> Execute(Context& ctx) const override {
        auto schedule = ParseSchedule(ctx.activity().params);
        if (!schedule) return Fail(schedule.error());
        const TimePoint now = ctx.clock().Now();
        auto& state = ctx.state();
        if (ctx.dry_run()) {
            ctx.Log(LogLevel::kInfo,
                    fmt::format("Dry run: fired at once ({})", Describe(*schedule)));
            return Outcome::Done({Output{"out", {}}});
        }
        const auto* rearmed = state.if_contains("rearmed");
        const bool fire_now = rearmed != nullptr && rearmed->is_bool() && rearmed->as_bool();
        if (!fire_now) {
            const auto* tick = state.if_contains("tick");
            if (tick == nullptr || !tick->is_int64()) {
                auto next = NextAfter(*schedule, now);
                if (!next) {
                    return Fail(Error::FailedPrecondition(fmt::format(
                        "{} is in the past: the scheduler would never fire", Describe(*schedule))));
                }
                state["tick"] = ToUnixMillis(*next);
                ctx.Log(LogLevel::kInfo, fmt::format("{}; first tick {}", Describe(*schedule),
                                                     FormatRfc3339(*next)));
                return Outcome::WaitUntil(*next);
            }
            const TimePoint at = FromUnixMillis(tick->as_int64());
            if (now < at) return Outcome::WaitUntil(at);
        }
        Outcome outcome = Outcome::Done({Output{"out", {}}});
        outcome.again_at = NextAfter(*schedule, now);
        ctx.Log(LogLevel::kInfo, outcome.again_at ? fmt::format("Fired; next tick {}",
                                                                FormatRfc3339(*outcome.again_at))
                                                  : std::string("Fired; no further tick"));
        return outcome;
    }
};

}  // namespace

std::unique_ptr<ActivityType> MakeScheduler() { return std::make_unique<Scheduler>(); }

}  // namespace overture::workflow::activities
