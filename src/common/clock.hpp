#pragma once
// Time comes in through Clock so that tests can move it by hand.
// SystemClock is thread-safe; FakeClock is thread-safe (atomic).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace overture {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

class Clock {
  public:
    virtual ~Clock() = default;
    virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
  public:
    TimePoint Now() const override {
        return std::chrono::time_point_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now());
    }
};

class FakeClock final : public Clock {
  public:
    explicit FakeClock(TimePoint start) : ms_(start.time_since_epoch().count()) {}
    TimePoint Now() const override { return TimePoint(std::chrono::milliseconds(ms_.load())); }
    void Advance(std::chrono::milliseconds d) { ms_ += d.count(); }

  private:
    std::atomic<std::int64_t> ms_;
};

// Milliseconds since the Unix epoch: how times are stored in the database.
inline std::int64_t ToUnixMillis(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromUnixMillis(std::int64_t ms) {
    return TimePoint(std::chrono::milliseconds(ms));
}

// RFC 3339 UTC with milliseconds, e.g. "2026-11-28T19:25:57.123Z".
std::string FormatRfc3339(TimePoint t);

}  // namespace overture
