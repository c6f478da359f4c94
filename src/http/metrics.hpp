#pragma once
// Metrics: the HTTP server's Prometheus metrics, rendered in text exposition format 0.0.4.
//
//   overture_http_requests_total{method,route,status}         counter
//   overture_http_request_duration_seconds{route}             histogram (0.001 s .. 10 s)
//   overture_http_requests_in_flight                          gauge
//   overture_http_connections_open                            gauge
//
// plus whatever the added sources write (for example the database pool gauges, and the
// tracking ingestion's counters with AppendIngestMetrics).
// Labels stay bounded: `route` is a route pattern (or "unmatched"), and methods outside the
// standard set are counted as "OTHER".
//
// Thread-safety: every method may be called from any thread at any time. Each thread records
// into its own shard (its own lock, never contended but by Render), so the I/O threads of the
// tracking fast path do not serialize on one lock per request; Render adds the shards up.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "tracking/ingest.hpp"

namespace overture::http {

class Metrics {
  public:
    // Histogram upper bounds, in seconds.
    static constexpr double kBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                          0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
    static constexpr std::size_t kBucketCount = sizeof(kBuckets) / sizeof(kBuckets[0]);

    Metrics();
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    // Records one answered request. `route` is the matched pattern, or "unmatched".
    void ObserveRequest(std::string_view method, std::string_view route, int status,
                        double seconds);

    // Gauges; the server calls these with +1 / -1.
    void AddInFlight(int delta) { in_flight_ += delta; }
    void AddConnections(int delta) { connections_open_ += delta; }

    // Adds a producer of extra exposition text, called on every Render. Each source appends
    // complete lines (with HELP/TYPE) to `out`. It must be thread-safe and must not call back
    // into this Metrics.
    void AddSource(std::function<void(std::string& out)> source);

    // The full exposition text (ends with a newline).
    std::string Render() const;

    // The threads that have recorded into this Metrics (one shard each).
    std::size_t recording_threads() const;

  private:
    struct Histogram {
        std::uint64_t counts[kBucketCount + 1] = {};  // per bucket, not cumulative; last = +Inf
        double sum = 0;
        std::uint64_t count = 0;
    };
    // (method, route, status), looked up by views without building strings.
    using RequestKey = std::tuple<std::string, std::string, int>;
    struct KeyLess {
        using is_transparent = void;
        using View = std::tuple<std::string_view, std::string_view, int>;
        static View AsView(const RequestKey& k) {
            return {std::get<0>(k), std::get<1>(k), std::get<2>(k)};
        }
        static const View& AsView(const View& k) { return k; }
        template <typename A, typename B>
        bool operator()(const A& a, const B& b) const {
            return AsView(a) < AsView(b);
        }
    };
    // One thread's observations; `mu` is taken by that thread and by Render only.
    struct Shard {
        std::thread::id owner;
        std::mutex mu;
        std::map<RequestKey, std::uint64_t, KeyLess> requests;    // guarded by mu
        std::map<std::string, Histogram, std::less<>> durations;  // guarded by mu
    };
    // The calling thread's shard, created on its first observation (one per thread, however
    // many Metrics the thread records into).
    Shard& LocalShard();

    const std::uint64_t id_;  // unique among all Metrics ever made: the threads' shard caches
    mutable std::mutex mu_;
    std::vector<std::unique_ptr<Shard>> shards_;  // guarded by mu_
    // Guarded by mu_.
    std::vector<std::function<void(std::string&)>> sources_;

    std::atomic<long> in_flight_{0};
    std::atomic<long> connections_open_{0};
};

// The tracking ingestion's counters (tracking::IngestStats), for a source to append:
//
//   overture_tracking_events_accepted_total    counter  events accepted by the endpoints
//   overture_tracking_events_written_total     counter  events committed to the database
//   overture_tracking_events_queued            gauge    accepted, not yet written (in memory)
//   overture_tracking_write_failures_total     counter  failed write attempts (retried)
//   overture_tracking_events_dropped_total     counter  written events of deleted deliveries
//   overture_tracking_events_refused_total     counter  events refused: too many waited
void AppendIngestMetrics(std::string& out, const tracking::IngestStats& counts);

}  // namespace overture::http
