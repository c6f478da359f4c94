#include "http/metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace overture::http {
namespace {

bool Contains(const std::string& text, const std::string& line) {
    return text.find(line) != std::string::npos;
}

// The value of the sample line starting with `prefix` ("name{labels} "), or -1.
long long Sample(const std::string& text, const std::string& prefix) {
    const auto at = text.find(prefix);
    if (at == std::string::npos) return -1;
    return std::stoll(text.substr(at + prefix.size()));
}

TEST(MetricsTest, RendersCounterAndHistogram) {
    Metrics metrics;
    metrics.ObserveRequest("GET", "/api/v1/users/{id}", 200, 0.00390625);
    metrics.ObserveRequest("GET", "/api/v1/users/{id}", 200, 0.125);
    metrics.ObserveRequest("BREW", "unmatched", 404, 20);
    const std::string text = metrics.Render();

    EXPECT_TRUE(Contains(text, "# TYPE overture_http_requests_total counter\n"));
    EXPECT_TRUE(Contains(text, "# HELP overture_http_requests_total "));
    EXPECT_TRUE(Contains(text,
                         "overture_http_requests_total{method=\"GET\",route=\"/api/v1/users/"
                         "{id}\",status=\"200\"} 2\n"));
    EXPECT_TRUE(Contains(
        text,
        "overture_http_requests_total{method=\"OTHER\",route=\"unmatched\",status=\"404\"} 1\n"));

    EXPECT_TRUE(Contains(text, "# TYPE overture_http_request_duration_seconds histogram\n"));
    const std::string b =
        "overture_http_request_duration_seconds_bucket{route=\"/api/v1/users/{id}\",";
    EXPECT_TRUE(Contains(text, b + "le=\"0.001\"} 0\n"));
    EXPECT_TRUE(Contains(text, b + "le=\"0.005\"} 1\n"));
    EXPECT_TRUE(Contains(text, b + "le=\"0.1\"} 1\n"));
    EXPECT_TRUE(Contains(text, b + "le=\"0.25\"} 2\n"));
    EXPECT_TRUE(Contains(text, b + "le=\"10\"} 2\n"));
    EXPECT_TRUE(Contains(text, b + "le=\"+Inf\"} 2\n"));
    EXPECT_TRUE(Contains(
        text,
        "overture_http_request_duration_seconds_sum{route=\"/api/v1/users/{id}\"} 0.12890625\n"));
    EXPECT_TRUE(Contains(
        text, "overture_http_request_duration_seconds_count{route=\"/api/v1/users/{id}\"} 2\n"));
    EXPECT_TRUE(Contains(
        text, "overture_http_request_duration_seconds_bucket{route=\"unmatched\",le=\"10\"} 0\n"));
    EXPECT_TRUE(Contains(
        text,
        "overture_http_request_duration_seconds_bucket{route=\"unmatched\",le=\"+Inf\"} 1\n"));
    EXPECT_EQ(text.back(), '\n');
}

// Each thread records into its own shard; Render adds them up, and two Metrics used by the same
// threads keep their counts apart.
TEST(MetricsTest, ObservationsFromManyThreadsAddUp) {
    Metrics first;
    auto second = std::make_unique<Metrics>();
    second->ObserveRequest("GET", "/t/o/{token}", 200, 0.0001);
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&first, &second, t] {
            for (int i = 0; i < 1000; ++i) {
                first.ObserveRequest("GET", "/t/o/{token}", 200, 0.0001);
                if (i % 2 == 0) first.ObserveRequest("HEAD", "/t/c/{token}", 302, 0.002);
                if (t == 0) second->ObserveRequest("GET", "/t/o/{token}", 200, 0.0001);
            }
        });
    }
    // Renders while the threads record: the count only ever grows, up to the total.
    const std::string get =
        "overture_http_requests_total{method=\"GET\",route=\"/t/o/{token}\",status=\"200\"} ";
    long long seen = 0;
    for (int i = 0; i < 50; ++i) {
        const long long now = std::max(0LL, Sample(first.Render(), get));  // -1: none yet
        EXPECT_GE(now, seen);
        EXPECT_LE(now, 6000);
        seen = std::max(seen, now);
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(first.recording_threads(), 6u);
    EXPECT_EQ(second->recording_threads(), 2u);  // this thread and thread 0
    const std::string text = first.Render();
    EXPECT_TRUE(Contains(
        text,
        "overture_http_requests_total{method=\"GET\",route=\"/t/o/{token}\",status=\"200\"} "
        "6000\n"));
    EXPECT_TRUE(Contains(
        text,
        "overture_http_requests_total{method=\"HEAD\",route=\"/t/c/{token}\",status=\"302\"} "
        "3000\n"));
    EXPECT_TRUE(Contains(
        text, "overture_http_request_duration_seconds_count{route=\"/t/o/{token}\"} 6000\n"));
    EXPECT_TRUE(Contains(
        text,
        "overture_http_request_duration_seconds_bucket{route=\"/t/c/{token}\",le=\"0.001\"} 0\n"));
    EXPECT_TRUE(Contains(
        text,
        "overture_http_request_duration_seconds_bucket{route=\"/t/c/{token}\",le=\"0.0025\"} "
        "3000\n"));
    EXPECT_TRUE(Contains(
        second->Render(),
        "overture_http_requests_total{method=\"GET\",route=\"/t/o/{token}\",status=\"200\"} "
        "1001\n"));
    // A Metrics made after one is destroyed (perhaps at the same address) starts at zero.
    second.reset();
    Metrics third;
    third.ObserveRequest("GET", "/t/o/{token}", 200, 0.0001);
    EXPECT_TRUE(Contains(
        third.Render(),
        "overture_http_requests_total{method=\"GET\",route=\"/t/o/{token}\",status=\"200\"} "
        "1\n"));
}

// One thread going through more Metrics than its cache holds keeps one shard in each.
TEST(MetricsTest, AThreadHasOneShardPerMetrics) {
    std::vector<std::unique_ptr<Metrics>> all;
    for (int i = 0; i < 6; ++i) all.push_back(std::make_unique<Metrics>());
    for (int round = 0; round < 10; ++round) {
        for (auto& m : all) m->ObserveRequest("GET", "/x", 200, 0.0001);
    }
    for (auto& m : all) {
        EXPECT_EQ(m->recording_threads(), 1u);
        EXPECT_EQ(
            Sample(m->Render(),
                   "overture_http_requests_total{method=\"GET\",route=\"/x\",status=\"200\"} "),
            10);
    }
}

TEST(MetricsTest, GaugesAndSources) {
    Metrics metrics;
    metrics.AddInFlight(1);
    metrics.AddInFlight(1);
    metrics.AddInFlight(-1);
    metrics.AddConnections(3);
    metrics.AddSource([](std::string& out) {
        out += "# TYPE overture_db_pool_idle gauge\noverture_db_pool_idle 4\n";
    });
    const std::string text = metrics.Render();
    EXPECT_TRUE(Contains(text, "# TYPE overture_http_requests_in_flight gauge\n"));
    EXPECT_TRUE(Contains(text, "\noverture_http_requests_in_flight 1\n"));
    EXPECT_TRUE(Contains(text, "# TYPE overture_http_connections_open gauge\n"));
    EXPECT_TRUE(Contains(text, "\noverture_http_connections_open 3\n"));
    EXPECT_TRUE(Contains(text, "\noverture_db_pool_idle 4\n"));
}

TEST(MetricsTest, IngestCounts) {
    std::string out;
    AppendIngestMetrics(
        out, {.accepted = 3, .written = 2, .queued = 1, .failures = 0, .dropped = 1, .refused = 7});
    EXPECT_TRUE(Contains(out,
                         "# TYPE overture_tracking_events_accepted_total counter\n"
                         "overture_tracking_events_accepted_total 3\n"));
    EXPECT_TRUE(Contains(out, "\noverture_tracking_events_written_total 2\n"));
    EXPECT_TRUE(Contains(out,
                         "# TYPE overture_tracking_events_queued gauge\n"
                         "overture_tracking_events_queued 1\n"));
    EXPECT_TRUE(Contains(out, "\noverture_tracking_write_failures_total 0\n"));
    EXPECT_TRUE(Contains(out, "\noverture_tracking_events_dropped_total 1\n"));
    EXPECT_TRUE(Contains(out,
                         "# TYPE overture_tracking_events_refused_total counter\n"
                         "overture_tracking_events_refused_total 7\n"));
}

TEST(MetricsTest, EscapesLabelValues) {
    Metrics metrics;
    metrics.ObserveRequest("GET", "a\"b\\c\nd", 200, 0.01);
    EXPECT_TRUE(Contains(metrics.Render(), "route=\"a\\\"b\\\\c\\nd\""));
}

}  // namespace
}  // namespace overture::http
