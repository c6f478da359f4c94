#pragma once
// Tracking event ingestion (docs/tracking.md, "Ingestion"): the endpoints Accept() events on
// any thread (an I/O thread for opens and clicks); one writer thread writes them to the
// database in grouped commits, at most `flush_interval` after they were accepted, and updates
// the roll-ups in the same transaction:
//
//   tracking_events        one row per event (BulkInsert: COPY on PostgreSQL), its User-Agent
//                          by id in tracking_agents (ids cached in memory, at most 10,000);
//   tracking_uniques       INSERT ... ON CONFLICT DO NOTHING per (delivery, profile, link_id);
//                          the rows inserted are the new unique opens / clickers / link clickers
//                          (one statement per delivery, kind and hour gives the count directly);
//   delivery_stats         opens, unique_opens, machine_opens, clicks, unique_clicks,
//                          unsubscribes, mirror_views per (delivery, hour), one upsert each;
//   delivery_link_stats    clicks, unique_clicks per (delivery, link, hour);
//   delivery_agent_stats   opens, machine_opens, clicks per (delivery, device, client).
//
// Rules: a machine open (Event::machine, or an open within machine_open_seconds of its render
// time) counts in machine_opens only. A click counts as an open when the recipient had no open
// yet (an implicit open: +1 opens and +1 unique_opens), so unique opens are never fewer than
// unique clicks. Events of deliveries that no longer exist are dropped at write time.
//
// Durability: Stop() (a graceful shutdown) writes everything accepted before it returns. A
// crash loses what was accepted since the last commit: at most flush_interval of events. A
// failed write (database down) keeps the batch and retries it every second; accepted events
// are never dropped, and Accept() never blocks on the database. Memory is bounded: past
// `max_queued` events accepted and not yet written (a database down for long), Accept()
// refuses new events (counted in IngestStats::refused) until the writer catches up.
//
// Thread-safety: Accept, stats and Flush may be called from any thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "storage/database.hpp"
#include "tracking/agents.hpp"
#include "tracking/token.hpp"

namespace overture::tracking {

class KeyStore;

enum class EventKind { kOpen, kClick, kUnsubscribe, kMirror };
std::string_view EventKindName(EventKind kind);  // open, click, unsubscribe, mirror

struct Event {
    EventKind kind = EventKind::kOpen;
    std::int64_t delivery_id = 0;
    std::int64_t profile_id = 0;
    std::int32_t link_id = -1;       // clicks
    TimePoint at;                    // when it was accepted
    std::int64_t rendered_at_s = 0;  // opens: the token's render time (0: unknown)
    bool machine = false;            // the agent rule said so (tracking/agents.hpp)
    std::string device, client;      // AgentInfo
    std::string agent;               // User-Agent, cut to 256 bytes
};

// The event of a verified token: its delivery and profile, `link_id` for a click (else -1), the
// open's render time from the token, the agent's classification and the User-Agent (cut to 256
// bytes).
Event MakeEvent(EventKind kind, const TokenData& token, std::int32_t link_id, TimePoint at,
                const AgentInfo& agent, std::string_view user_agent);

struct IngestOptions {
    std::chrono::milliseconds flush_interval{1000};
    std::size_t max_batch = 50'000;  // events per transaction
    int machine_open_seconds = 2;    // 0 disables the timing rule
    // When set, the writer thread calls key_store->Refresh(key_reload) after each flush, so
    // that a key rotated on another node reaches this one (tracking/keys.hpp).
    KeyStore* key_store = nullptr;
    std::chrono::milliseconds key_reload{60'000};
    // Events held in memory (accepted, not yet written) at most: some 300 bytes each.
    std::size_t max_queued = 2'000'000;
};

struct IngestStats {
    std::uint64_t accepted = 0;
    std::uint64_t written = 0;
    std::uint64_t queued = 0;    // accepted, not yet written
    std::uint64_t failures = 0;  // failed write attempts (retried)
    std::uint64_t dropped = 0;   // of those written, events of deliveries that no longer exist
    std::uint64_t refused = 0;   // not accepted: max_queued events were waiting
};

class Ingestor {
  public:
    Ingestor(storage::Database& db, const Clock& clock, IngestOptions options = {});
    ~Ingestor();  // Stop()

    void Start();
    // Writes every event accepted so far (retrying for at most 30 s when the database fails),
    // then stops the writer. Idempotent.
    void Stop();

    // Queues `event` for the writer; false (and the event is not kept) when max_queued events
    // are already waiting.
    bool Accept(Event event);
    // Writes what is queued now, on the calling thread (tests, and Stop()).
    Status Flush();

    IngestStats stats() const;

  private:
    void Run();
    // Writes one batch in one transaction; on failure nothing of it is written.
    Status Write(std::span<const Event> batch);

    storage::Database& db_;
    const Clock& clock_;
    IngestOptions options_;

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<Event> queue_;    // guarded by mutex_
    bool stopping_ = false;       // guarded by mutex_
    std::mutex write_mutex_;      // one Write at a time (writer thread or Flush)
    std::vector<Event> pending_;  // guarded by write_mutex_: taken from queue_, not yet written
    // User-Agent as accepted -> tracking_agents.id, of committed rows. Guarded by write_mutex_.
    std::unordered_map<std::string, std::int64_t> agent_ids_;
    // The log rows of the batch being written, kept across batches so that their vectors and
    // strings are reused rather than allocated for every event (at most max_batch rows, some
    // 400 bytes each). Guarded by write_mutex_.
    std::vector<std::vector<storage::Value>> log_rows_;
    std::atomic<std::uint64_t> accepted_{0}, written_{0}, failures_{0}, dropped_{0}, refused_{0};
    std::thread thread_;
};

}  // namespace overture::tracking
