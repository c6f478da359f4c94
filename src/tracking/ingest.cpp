// Tracking event ingestion: a queue swapped out under a mutex, one writer thread, one
// transaction per batch (tracking/ingest.hpp).
//
// A batch is first aggregated in memory: the log rows, the counters per (delivery, hour), per
// (delivery, link, hour) and per (delivery, device, client), and the first event of each
// (delivery, profile, open or click) pair. The database then sees one bulk insert of the log,
// one unique-row insert per delivery with all its candidate rows as one JSON parameter (the
// rows it returns are the new uniques), and one ExecBatch per roll-up table. So the statements
// per batch grow with neither the events nor the recipients, only with the deliveries, links
// and hours in it. Rows that writers on several nodes may share (agents, uniques, roll-ups)
// are taken in key order, so that on PostgreSQL one transaction waits for another rather than
// both deadlocking.
#include "tracking/ingest.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/log.hpp"
#include "tracking/keys.hpp"

namespace overture::tracking {
namespace {

constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int32_t kOpenUnique = -1;   // tracking_uniques.link_id of an open
constexpr std::int32_t kClickUnique = -2;  // of a click on any link
constexpr auto kRetryPause = std::chrono::seconds(1);
constexpr auto kStopRetryFor = std::chrono::seconds(30);
constexpr std::size_t kMaxCachedAgents = 10'000;  // agent ids kept in memory

std::int64_t HourOf(std::int64_t at_ms) {
    std::int64_t r = at_ms % kHourMs;
    if (r < 0) r += kHourMs;
    return at_ms - r;
}

struct Counters {
    std::int64_t opens = 0, unique_opens = 0, machine_opens = 0, clicks = 0, unique_clicks = 0,
                 unsubscribes = 0, mirror_views = 0;
};
struct LinkCounters {
    std::int64_t clicks = 0, unique_clicks = 0;
};
struct AgentCounters {
    std::int64_t opens = 0, machine_opens = 0, clicks = 0;
};

// (delivery, profile) and (delivery, hour) keys.
struct Pair {
    std::int64_t a = 0, b = 0;
    bool operator==(const Pair&) const = default;
};
std::size_t Mix(std::uint64_t a, std::uint64_t b) {
    std::uint64_t h = (a * 0x9E3779B97F4A7C15ULL) ^ b;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    return static_cast<std::size_t>(h ^ (h >> 32));
}
struct PairHash {
    std::size_t operator()(const Pair& k) const {
        return Mix(static_cast<std::uint64_t>(k.a), static_cast<std::uint64_t>(k.b));
    }
};
// (delivery, profile, link) and (delivery, link, hour).
struct Triple {
    std::int64_t a = 0, b = 0, c = 0;
    bool operator==(const Triple&) const = default;
};
struct TripleHash {
    std::size_t operator()(const Triple& k) const {
        return Mix(Mix(static_cast<std::uint64_t>(k.a), static_cast<std::uint64_t>(k.b)),
                   static_cast<std::uint64_t>(k.c));
    }
};

// (delivery, device, client), viewing the strings of the batch's events.
struct AgentKey {
    std::int64_t delivery = 0;
    std::string_view device, client;
    bool operator==(const AgentKey&) const = default;
};
struct AgentKeyHash {
    std::size_t operator()(const AgentKey& k) const {
        return Mix(
            Mix(static_cast<std::uint64_t>(k.delivery), std::hash<std::string_view>()(k.device)),
            std::hash<std::string_view>()(k.client));
    }
};

// The first time (Unix ms) each key was seen in the batch.
template <typename Key, typename Hash>
void First(std::unordered_map<Key, std::int64_t, Hash>& map, const Key& key, std::int64_t at) {
    auto [it, added] = map.try_emplace(key, at);
    if (!added && at < it->second) it->second = at;
}

using ValueRows = std::vector<std::vector<storage::Value>>;

// `value` becomes the text, reusing its string when it holds one.
void SetText(storage::Value& value, std::string_view text) {
    if (auto* s = std::get_if<std::string>(&value)) {
        s->assign(text);
    } else {
        value = std::string(text);
    }
}

// `value` becomes a User-Agent as the log keeps it: at most 256 bytes, printable ASCII (a
// header may carry any byte; PostgreSQL refuses invalid UTF-8 and NUL, and one bad row must not
// block a batch).
void SetCleanAgent(storage::Value& value, std::string_view agent) {
    SetText(value, agent.substr(0, 256));
    for (char& ch : std::get<std::string>(value)) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c >= 0x7F) ch = '?';
    }
}

std::string CleanAgent(std::string_view agent) {
    storage::Value value;
    SetCleanAgent(value, agent);
    return std::move(std::get<std::string>(value));
}

// The columns of the log rows (tracking_events).
const std::array<std::string, 9> kLogColumns = {"delivery_id", "profile_id", "kind",
                                                "link_id",     "machine",    "at",
                                                "device",      "client",     "agent_id"};

// A unique row to try: (delivery, profile, link id: -1 open, -2 any click, n link n) and
// when it was first seen in the batch.
struct UniqueRow {
    std::int64_t delivery = 0, profile = 0, link = 0, first_at = 0;
    auto operator<=>(const UniqueRow&) const = default;
};

// Inserts the rows not there yet (`rows` sorted, so in the table's key order: every node takes
// the rows it may share with another in the same order, and on PostgreSQL one transaction waits
// for the other instead of both deadlocking), one statement per delivery, and calls
// `inserted(delivery, profile, link, first_at)` for each row it inserted.
template <typename Fn>
Status InsertUniques(storage::Transaction& tx, std::span<const UniqueRow> rows, Fn&& inserted) {
    std::string json;
    for (std::size_t i = 0; i < rows.size();) {
        const std::int64_t delivery = rows[i].delivery;
        json = "[";
        for (; i < rows.size() && rows[i].delivery == delivery; ++i) {
            fmt::format_to(std::back_inserter(json), "{}[{},{},{}]", json.size() == 1 ? "" : ",",
                           rows[i].profile, rows[i].link, rows[i].first_at);
        }
        json += ']';
        auto added = tx.Query("tracking-uniques-insert", {delivery, json});
        if (!added) return Fail(std::move(added.error()));
        for (const auto& row : added->rows) {
            inserted(delivery, storage::AsInt(row[0]), storage::AsInt(row[1]),
                     storage::AsInt(row[2]));
        }
    }
    return {};
}

// Sorts roll-up rows by their first `key_columns` values: the rows two nodes both update are
// then locked in the same order (see InsertUniques).
void SortByKey(ValueRows& rows, std::size_t key_columns) {
    std::sort(rows.begin(), rows.end(), [key_columns](const auto& a, const auto& b) {
        return std::lexicographical_compare(
            a.begin(), a.begin() + static_cast<std::ptrdiff_t>(key_columns), b.begin(),
            b.begin() + static_cast<std::ptrdiff_t>(key_columns));
    });
}

}  // namespace

std::string_view EventKindName(EventKind kind) {
    switch (kind) {
        case EventKind::kOpen:
            return "open";
        case EventKind::kClick:
            return "click";
        case EventKind::kUnsubscribe:
            return "unsubscribe";
        case EventKind::kMirror:
            return "mirror";
    }
    return "open";
}

Event MakeEvent(EventKind kind, const TokenData& token, std::int32_t link_id, TimePoint at,
                const AgentInfo& agent, std::string_view user_agent) {
    Event e;
    e.kind = kind;
    e.delivery_id = token.delivery_id;
    e.profile_id = token.profile_id;
    e.link_id = link_id;
    e.at = at;
    if (kind == EventKind::kOpen) e.rendered_at_s = token.extra;
    e.machine = agent.machine;
    e.device = agent.device;
    e.client = agent.client;
    e.agent = std::string(user_agent.substr(0, 256));
    return e;
}

Ingestor::Ingestor(storage::Database& db, const Clock& clock, IngestOptions options)
    : db_(db), clock_(clock), options_(options) {
    if (options_.max_batch == 0) options_.max_batch = 1;
}

Ingestor::~Ingestor() { Stop(); }

void Ingestor::Start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable() || stopping_) return;
    thread_ = std::thread([this] { Run(); });
}

void Ingestor::Stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    // What the writer had not written yet (and anything accepted since): written here, with
    // retries while the database fails, for at most kStopRetryFor.
    const auto give_up = std::chrono::steady_clock::now() + kStopRetryFor;
    while (true) {
        Status st = Flush();
        if (st) return;
        if (std::chrono::steady_clock::now() >= give_up) {
            spdlog::error("tracking: stopping with {} events not written: {} ({})", stats().queued,
                          st.error().message, st.error().detail);
            return;
        }
        std::this_thread::sleep_for(kRetryPause);
    }
}

bool Ingestor::Accept(Event event) {
    bool full = false;
    {
        std::lock_guard lock(mutex_);
        // Written events count in written_ before they leave pending_, so this may let a
        // batch's worth more in, never fewer.
        if (accepted_.load(std::memory_order_relaxed) - written_.load(std::memory_order_relaxed) >=
            options_.max_queued) {
            if (refused_.fetch_add(1, std::memory_order_relaxed) % 100'000 == 0) {
                spdlog::warn(
                    "tracking: {} events wait for the database; new events are refused (not "
                    "counted) until it catches up ({} refused so far)",
                    options_.max_queued, refused_.load());
            }
            return false;
        }
        queue_.push_back(std::move(event));
        full = queue_.size() == options_.max_batch;
        accepted_.fetch_add(1, std::memory_order_relaxed);
    }
    if (full) cv_.notify_one();  // a full batch is written without waiting for the interval
    return true;
}

Status Ingestor::Flush() {
    std::lock_guard write_lock(write_mutex_);
    {
        std::lock_guard lock(mutex_);
        if (pending_.empty()) {
            pending_.swap(queue_);
        } else {
            pending_.insert(pending_.end(), std::make_move_iterator(queue_.begin()),
                            std::make_move_iterator(queue_.end()));
            queue_.clear();
        }
    }
    std::size_t done = 0;
    Status result;
    while (done < pending_.size()) {
        const std::size_t n = std::min(options_.max_batch, pending_.size() - done);
        Status st = Write(std::span<const Event>(pending_.data() + done, n));
        if (!st) {
            failures_.fetch_add(1, std::memory_order_relaxed);
            result = std::move(st);
            break;
        }
        done += n;
        written_.fetch_add(n, std::memory_order_relaxed);
    }
    if (done == pending_.size()) {
        pending_.clear();
        // Keep the capacity of a normal batch, not of a burst.
        if (pending_.capacity() > 4 * options_.max_batch) pending_.shrink_to_fit();
    } else {
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(done));
    }
    return result;
}

IngestStats Ingestor::stats() const {
    IngestStats s;
    s.accepted = accepted_.load();
    s.written = written_.load();
    s.queued = s.accepted - std::min(s.accepted, s.written);
    s.failures = failures_.load();
    s.dropped = dropped_.load();
    s.refused = refused_.load();
    return s;
}

void Ingestor::Run() {
    SetThreadName("ov-tracking");
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        cv_.wait_for(lock, options_.flush_interval,
                     [&] { return stopping_ || queue_.size() >= options_.max_batch; });
        if (stopping_) break;  // Stop() writes the rest
        lock.unlock();
        Status st = Flush();
        if (!st) {
            spdlog::warn("tracking: writing events failed, retrying in 1 s: {} ({})",
                         st.error().message, st.error().detail);
        }
        if (options_.key_store != nullptr) {
            if (Status k = options_.key_store->Refresh(options_.key_reload); !k) {
                spdlog::warn("tracking: reloading the tracking keys failed: {} ({})",
                             k.error().message, k.error().detail);
            }
        }
        lock.lock();
        if (!st) cv_.wait_for(lock, kRetryPause, [&] { return stopping_; });
    }
}

Status Ingestor::Write(std::span<const Event> batch) {
    if (batch.empty()) return {};
    auto began = db_.Begin(storage::TxMode::kWrite);
    if (!began) return Fail(std::move(began.error()));
    storage::Transaction& tx = **began;

    // Deliveries that still exist (checked in this transaction: a delivery deleted later makes
    // a roll-up insert fail on its foreign key, and the retry drops its events).
    std::unordered_map<std::int64_t, bool> alive;
    for (const Event& e : batch) alive.try_emplace(e.delivery_id, false);
    for (auto& [id, exists] : alive) {
        auto rows = tx.Query("tracking-delivery-exists", {id});
        if (!rows) return Fail(std::move(rows.error()));
        exists = !rows->empty();
    }

    const std::int64_t machine_window_ms =
        static_cast<std::int64_t>(std::max(options_.machine_open_seconds, 0)) * 1000;
    // The log rows, written in place over the last batch's (see log_rows_).
    std::size_t logged = 0;
    auto next_log_row = [this, &logged]() -> std::vector<storage::Value>& {
        if (logged == log_rows_.size()) log_rows_.emplace_back(kLogColumns.size());
        return log_rows_[logged++];
    };
    std::unordered_map<Pair, Counters, PairHash> stats;               // (delivery, hour)
    std::unordered_map<Triple, LinkCounters, TripleHash> link_stats;  // (delivery, link, hour)
    std::unordered_map<AgentKey, AgentCounters, AgentKeyHash> agent_stats;
    std::unordered_map<Pair, std::int64_t, PairHash> opened, clicked;  // first at
    std::unordered_map<Triple, std::int64_t, TripleHash> link_clicked;
    std::uint64_t dropped = 0;
    opened.reserve(batch.size() / 2);
    clicked.reserve(batch.size() / 4);
    // Events come in time order, mostly of one delivery: the last lookups are kept (the maps
    // are node-based, so the pointers stay valid).
    std::int64_t last_delivery = -1, last_hour = -1;
    bool last_alive = false;
    Counters* last_counters = nullptr;

    // Each event's tracking_agents id, through a pointer to it: in the cache of committed ids,
    // or among this batch's new agents, which are looked up (or added) before the events, in the
    // order of their stored text, so that every node takes the rows of tracking_agents it may
    // share in the same order (see InsertUniques). One hash lookup per run of events with the
    // same agent. A new id enters the cache only once committed: a failed batch rolls its
    // tracking_agents rows back too.
    std::unordered_map<std::string, std::int64_t> new_agents;
    std::vector<const std::int64_t*> agent_of(batch.size());
    {
        const std::string* last_agent = nullptr;
        const std::int64_t* last_id = nullptr;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            const std::string& agent = batch[i].agent;
            if (last_agent == nullptr || *last_agent != agent) {
                auto cached = agent_ids_.find(agent);
                last_id = cached != agent_ids_.end()
                              ? &cached->second
                              : &new_agents.try_emplace(agent, 0).first->second;
                last_agent = &agent;
            }
            agent_of[i] = last_id;
        }
        std::vector<std::pair<std::string, std::int64_t*>> unknown;  // (stored text, its id)
        unknown.reserve(new_agents.size());
        for (auto& [agent, id] : new_agents) unknown.emplace_back(CleanAgent(agent), &id);
        std::sort(unknown.begin(), unknown.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto& [text, id] : unknown) {
            auto rows = tx.Query("tracking-agent-id", {text});
            if (!rows) return Fail(std::move(rows.error()));
            if (rows->empty()) return Fail(Error::Internal("no tracking agent id returned"));
            *id = storage::AsInt(rows->rows[0][0]);
        }
    }

    for (std::size_t i = 0; i < batch.size(); ++i) {
        const Event& e = batch[i];
        if (e.delivery_id != last_delivery) {
            last_delivery = e.delivery_id;
            last_alive = alive[e.delivery_id];
            last_counters = nullptr;
        }
        if (!last_alive) {
            ++dropped;
            continue;
        }
        const std::int64_t at = ToUnixMillis(e.at);
        const std::int64_t hour = HourOf(at);
        if (last_counters == nullptr || hour != last_hour) {
            last_counters = &stats[{e.delivery_id, hour}];
            last_hour = hour;
        }
        const bool machine =
            e.machine || (e.kind == EventKind::kOpen && machine_window_ms > 0 &&
                          e.rendered_at_s > 0 && at - e.rendered_at_s * 1000 < machine_window_ms);
        const bool has_link = e.kind == EventKind::kClick && e.link_id >= 0;
        std::vector<storage::Value>& row = next_log_row();
        row[0] = e.delivery_id;
        row[1] = e.profile_id;
        SetText(row[2], EventKindName(e.kind));
        row[3] = has_link ? storage::Value(static_cast<std::int64_t>(e.link_id)) : storage::Value();
        row[4] = machine;
        row[5] = at;
        SetCleanAgent(row[6], e.device);
        SetCleanAgent(row[7], e.client);
        row[8] = *agent_of[i];

        Counters& c = *last_counters;
        const Pair who{e.delivery_id, e.profile_id};
        auto agent = [&]() -> AgentCounters& {
            return agent_stats[{e.delivery_id, e.device, e.client}];
        };
        switch (e.kind) {
            case EventKind::kOpen:
                if (machine) {
                    ++c.machine_opens;
                    ++agent().machine_opens;
                } else {
                    ++c.opens;
                    ++agent().opens;
                    First(opened, who, at);
                }
                break;
            case EventKind::kClick:
                ++c.clicks;
                ++agent().clicks;
                First(clicked, who, at);
                if (has_link) {
                    ++link_stats[{e.delivery_id, e.link_id, hour}].clicks;
                    First(link_clicked, {e.delivery_id, e.profile_id, e.link_id}, at);
                }
                break;
            case EventKind::kUnsubscribe:
                ++c.unsubscribes;
                break;
            case EventKind::kMirror:
                ++c.mirror_views;
                break;
        }
    }

    if (logged > 0) {
        auto n =
            tx.BulkInsert("tracking_events", kLogColumns,
                          std::span<const std::vector<storage::Value>>(log_rows_.data(), logged));
        if (!n) return Fail(std::move(n.error()));
    }

    // Unique rows: a recipient's first open (a click without a human open in this batch
    // implies one), first click on any link, first click on each link. The rows inserted are the
    // new uniques, counted in the hour they were first seen; an open row inserted for a
    // recipient without a human open here is an implicit open, which counts as an open too.
    std::vector<UniqueRow> uniques;
    uniques.reserve(opened.size() + 2 * clicked.size() + link_clicked.size());
    for (const auto& [who, at] : opened) uniques.push_back({who.a, who.b, kOpenUnique, at});
    for (const auto& [who, at] : clicked) {
        if (!opened.contains(who)) uniques.push_back({who.a, who.b, kOpenUnique, at});
        uniques.push_back({who.a, who.b, kClickUnique, at});
    }
    for (const auto& [key, at] : link_clicked) uniques.push_back({key.a, key.b, key.c, at});
    std::sort(uniques.begin(), uniques.end());
    auto st = InsertUniques(
        tx, uniques,
        [&](std::int64_t d, std::int64_t profile, std::int64_t link, std::int64_t first_at) {
            const std::int64_t h = HourOf(first_at);
            if (link == kOpenUnique) {
                Counters& c = stats[{d, h}];
                ++c.unique_opens;
                if (!opened.contains({d, profile})) ++c.opens;  // implicit
            } else if (link == kClickUnique) {
                ++stats[{d, h}].unique_clicks;
            } else {
                ++link_stats[{d, link, h}].unique_clicks;
            }
        });
    if (!st) return st;

    // The roll-ups: one upsert per row, one ExecBatch per table.
    ValueRows rows;
    rows.reserve(stats.size());
    for (const auto& [key, c] : stats) {
        rows.push_back({key.a, key.b, c.opens, c.unique_opens, c.machine_opens, c.clicks,
                        c.unique_clicks, c.unsubscribes, c.mirror_views});
    }
    SortByKey(rows, 2);
    if (!rows.empty()) {
        if (auto n = tx.ExecBatch("tracking-stats-add", rows); !n)
            return Fail(std::move(n.error()));
    }
    rows.clear();
    for (const auto& [key, c] : link_stats) {
        rows.push_back({key.a, key.b, key.c, c.clicks, c.unique_clicks});
    }
    SortByKey(rows, 3);
    if (!rows.empty()) {
        if (auto n = tx.ExecBatch("tracking-link-stats-add", rows); !n) {
            return Fail(std::move(n.error()));
        }
    }
    rows.clear();
    for (const auto& [key, c] : agent_stats) {
        // Two keys may name one row ('' and "other"): two upserts, both add.
        rows.push_back({key.delivery, key.device.empty() ? "other" : CleanAgent(key.device),
                        key.client.empty() ? "other" : CleanAgent(key.client), c.opens,
                        c.machine_opens, c.clicks});
    }
    SortByKey(rows, 3);
    if (!rows.empty()) {
        if (auto n = tx.ExecBatch("tracking-agent-stats-add", rows); !n) {
            return Fail(std::move(n.error()));
        }
    }
    if (auto st = tx.Commit(); !st) return st;
    dropped_.fetch_add(dropped, std::memory_order_relaxed);
    if (!new_agents.empty()) {
        if (agent_ids_.size() + new_agents.size() > kMaxCachedAgents) agent_ids_.clear();
        agent_ids_.merge(new_agents);
    }
    return {};
}

}  // namespace overture::tracking
