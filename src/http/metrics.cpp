#include "http/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace overture::http {

namespace {

constexpr std::array<std::string_view, 9> kKnownMethods = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"};

std::string_view BoundedMethod(std::string_view method) {
    for (auto m : kKnownMethods) {
        if (m == method) return m;
    }
    return "OTHER";
}

// Label values escape backslash, double quote and newline (exposition format 0.0.4).
std::string EscapeLabel(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::atomic<std::uint64_t> next_metrics_id{1};  // 0 marks an empty cache entry

}  // namespace

Metrics::Metrics() : id_(next_metrics_id.fetch_add(1)) {}
Metrics::~Metrics() = default;

Metrics::Shard& Metrics::LocalShard() {
    // The shards of the last few Metrics this thread recorded into, most recent first. An id
    // is never reused, so an entry of a destroyed Metrics is never matched again.
    struct Entry {
        std::uint64_t id = 0;
        Shard* shard = nullptr;
    };
    thread_local std::array<Entry, 4> cache{};
    if (cache[0].id == id_) return *cache[0].shard;
    for (std::size_t i = 1; i < cache.size(); ++i) {
        if (cache[i].id == id_) {
            std::rotate(cache.begin(), cache.begin() + static_cast<std::ptrdiff_t>(i),
                        cache.begin() + static_cast<std::ptrdiff_t>(i) + 1);
            return *cache[0].shard;
        }
    }
    // Not in the cache (a thread that went through more Metrics since): the thread's own
    // shard if it has one here, else a new one.
    Shard* shard = nullptr;
    {
        const auto me = std::this_thread::get_id();
        std::lock_guard lock(mu_);
        for (const auto& s : shards_) {
            if (s->owner == me) shard = s.get();
        }
        if (shard == nullptr) {
            shard = shards_.emplace_back(std::make_unique<Shard>()).get();
            shard->owner = me;
        }
    }
    std::rotate(cache.begin(), cache.end() - 1, cache.end());
    cache[0] = {id_, shard};
    return *shard;
}

void Metrics::ObserveRequest(std::string_view method, std::string_view route, int status,
                             double seconds) {
    std::size_t bucket = 0;
    while (bucket < kBucketCount && seconds > kBuckets[bucket]) ++bucket;
    const KeyLess::View key{BoundedMethod(method), route, status};
    Shard& shard = LocalShard();
    std::lock_guard lock(shard.mu);
    auto counter = shard.requests.lower_bound(key);
    if (counter == shard.requests.end() || KeyLess()(key, counter->first)) {
        counter = shard.requests.emplace_hint(
            counter, RequestKey{std::string(std::get<0>(key)), std::string(route), status}, 0);
    }
    ++counter->second;
    auto it = shard.durations.find(route);
    if (it == shard.durations.end())
        it = shard.durations.emplace(std::string(route), Histogram{}).first;
    Histogram& h = it->second;
    ++h.counts[bucket];
    h.sum += seconds;
    ++h.count;
}

std::size_t Metrics::recording_threads() const {
    std::lock_guard lock(mu_);
    return shards_.size();
}

void Metrics::AddSource(std::function<void(std::string& out)> source) {
    std::lock_guard lock(mu_);
    sources_.push_back(std::move(source));
}

std::string Metrics::Render() const {
    std::string out;
    auto append = [&out]<typename... Args>(fmt::format_string<Args...> format, Args&&... args) {
        fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
    };
    // The shards added up. A shard is locked only while it is copied, so observers wait at
    // most that long.
    std::map<RequestKey, std::uint64_t, KeyLess> requests;
    std::map<std::string, Histogram, std::less<>> durations;
    std::vector<std::function<void(std::string&)>> sources;
    {
        std::lock_guard lock(mu_);
        sources = sources_;
        for (const auto& shard : shards_) {
            std::lock_guard shard_lock(shard->mu);
            for (const auto& [key, count] : shard->requests) requests[key] += count;
            for (const auto& [route, h] : shard->durations) {
                Histogram& sum = durations[route];
                for (std::size_t i = 0; i <= kBucketCount; ++i) sum.counts[i] += h.counts[i];
                sum.sum += h.sum;
                sum.count += h.count;
            }
        }
    }

    out += "# HELP overture_http_requests_total HTTP requests answered.\n";
    out += "# TYPE overture_http_requests_total counter\n";
    for (const auto& [key, count] : requests) {
        const auto& [method, route, status] = key;
        append("overture_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
               method, EscapeLabel(route), status, count);
    }

    out +=
        "# HELP overture_http_request_duration_seconds Time from a complete request to its "
        "response.\n";
    out += "# TYPE overture_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : durations) {
        const std::string label = EscapeLabel(route);
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < kBucketCount; ++i) {
            cumulative += h.counts[i];
            append("overture_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                   label, kBuckets[i], cumulative);
        }
        cumulative += h.counts[kBucketCount];
        append("overture_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n",
               label, cumulative);
        append("overture_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label, h.sum);
        append("overture_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label, h.count);
    }

    out += "# HELP overture_http_requests_in_flight HTTP requests being handled now.\n";
    out += "# TYPE overture_http_requests_in_flight gauge\n";
    append("overture_http_requests_in_flight {}\n", in_flight_.load());
    out += "# HELP overture_http_connections_open Open HTTP connections.\n";
    out += "# TYPE overture_http_connections_open gauge\n";
    append("overture_http_connections_open {}\n", connections_open_.load());

    for (const auto& source : sources) source(out);
    return out;
}

void AppendIngestMetrics(std::string& out, const tracking::IngestStats& counts) {
    auto metric = [&out](std::string_view name, std::string_view type, std::string_view help,
                         std::uint64_t value) {
        fmt::format_to(std::back_inserter(out), "# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name,
                       help, type, value);
    };
    metric("overture_tracking_events_accepted_total", "counter",
           "Tracking events accepted by the endpoints.", counts.accepted);
    metric("overture_tracking_events_written_total", "counter",
           "Tracking events committed to the database.", counts.written);
    metric("overture_tracking_events_queued", "gauge",
           "Tracking events accepted and not yet written (held in memory).", counts.queued);
    metric("overture_tracking_write_failures_total", "counter",
           "Failed tracking event writes (retried).", counts.failures);
    metric("overture_tracking_events_dropped_total", "counter",
           "Tracking events written for deliveries deleted meanwhile (not counted).",
           counts.dropped);
    metric("overture_tracking_events_refused_total", "counter",
           "Tracking events refused because too many waited for the database (not counted).",
           counts.refused);
}

}  // namespace overture::http
