// Wait (flow): holds the population for a while, then passes it on to "out". Parameters:
//   {"kind": "duration", "seconds": 3600}            1 second to 366 days after the task starts
//   {"kind": "until", "at": "2026-12-01T09:00:00Z"}  an instant (Z or an offset), or a local
//                                                    time in "timeZone" (IANA, default UTC)
// The moment is computed once, when the task first runs, and kept in its state ("until", Unix
// ms), so a restart neither shortens nor lengthens the wait. A moment already past goes on at
// once. A dry run does not wait.
#include <fmt/format.h>

#include <expected>

#include "workflow/activities/activities.hpp"
#include "workflow/schedule.hpp"

namespace overture::workflow::activities {

namespace {

namespace json = boost::json;

constexpr std::int64_t kMaxSeconds = 366LL * 24 * 3600;

std::optional<Table> InboundTable(const Context& ctx) {
    for (const auto& in : ctx.inputs()) {
        if (in.table) return in.table;
    }
    return std::nullopt;
}

std::optional<std::int64_t> IntegerOf(const json::value& v) {
    if (v.is_int64()) return v.as_int64();
    if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v.as_uint64());
    }
    if (v.is_double()) {
        const double d = v.as_double();
        if (d >= -1e15 && d <= 1e15 && d == static_cast<double>(static_cast<std::int64_t>(d))) {
            return static_cast<std::int64_t>(d);
        }
    }
    return std::nullopt;
}

// The moment to wait for, given when the task starts; or the Problem of bad params.
std::expected<TimePoint, Problem> Until(const json::object& params, TimePoint start) {
    const auto* kind = params.if_contains("kind");
    if (kind == nullptr || !kind->is_string() ||
        (kind->as_string() != "duration" && kind->as_string() != "until")) {
        return std::unexpected(Problem{"", "", "params.kind", "choose duration or until"});
    }
    if (kind->as_string() == "duration") {
        const auto* seconds = params.if_contains("seconds");
        std::optional<std::int64_t> n;
        if (seconds != nullptr) n = IntegerOf(*seconds);
        if (!n || *n < 1 || *n > kMaxSeconds) {
            return std::unexpected(
                Problem{"", "", "params.seconds",
                        fmt::format("must be a whole number of seconds from 1 to {} (366 days)",
                                    kMaxSeconds)});
        }
        return start + std::chrono::seconds(*n);
    }
    std::string zone = "UTC";
    if (const auto* z = params.if_contains("timeZone"); z != nullptr && !z->is_null()) {
        if (!z->is_string()) {
            return std::unexpected(Problem{"", "", "params.timeZone", "must be a string"});
        }
        if (!z->as_string().empty()) zone = std::string(z->as_string());
    }
    const auto* at = params.if_contains("at");
    if (at == nullptr || !at->is_string()) {
        return std::unexpected(
            Problem{"", "", "params.at", "must be a date and time such as 2026-12-01T09:00:00Z"});
    }
    auto t = ParseTimeIn(at->as_string(), zone, "params.at");
    if (!t) {
        std::string message = t.error().message;
        if (message.starts_with("params.at: ")) message = message.substr(11);
        // An unknown zone is the zone's problem.
        const bool zone_problem = message.starts_with("unknown time zone");
        return std::unexpected(
            Problem{"", "", zone_problem ? "params.timeZone" : "params.at", message});
    }
    return *t;
}

class Wait final : public ActivityType {
  public:
    std::string_view type() const override { return "wait"; }
    std::string_view category() const override { return "flow"; }
    std::string_view label() const override { return "Wait"; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }

    std::vector<Problem> Check(const json::object& params, const CheckContext&) const override {
        auto until = Until(params, TimePoint{});
        if (!until) return {until.error()};
        return {};
    }

    Result<Outcome> Execute(Context& ctx) const override {
        const TimePoint now = ctx.clock().Now();
        if (ctx.dry_run()) {
            ctx.Log(LogLevel::kInfo, "Dry run: went on without waiting");
            return Outcome::Done({Output{"out", InboundTable(ctx)}});
        }
        auto& state = ctx.state();
        TimePoint until;
        if (const auto* kept = state.if_contains("until"); kept != nullptr && kept->is_int64()) {
            until = FromUnixMillis(kept->as_int64());
        } else {
            auto t = Until(ctx.activity().params, now);
            if (!t) {
                return Fail(Error::InvalidField(t.error().field,
                                                t.error().field + ": " + t.error().message));
            }
            until = *t;
            state["until"] = ToUnixMillis(until);
            if (until > now) {
                ctx.Log(LogLevel::kInfo, fmt::format("Waiting until {}", FormatRfc3339(until)));
            }
        }
        if (now < until) return Outcome::WaitUntil(until);
        return Outcome::Done({Output{"out", InboundTable(ctx)}});
    }
};

}  // namespace

std::unique_ptr<ActivityType> MakeWait() { return std::make_unique<Wait>(); }

}  // namespace overture::workflow::activities
