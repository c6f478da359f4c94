#pragma once
// The tracking keys' storage (docs/tracking.md, "Key rotation"): table tracking_keys, secrets
// sealed with the installation key (SecretBox, purpose "tracking-key").
//
// Load() creates the first key ("k1") when there is none. Rotate() adds "k<n+1>", which signs
// from then on; the older keys stay and still verify. Every node reloads the keys every
// `reload` interval (and at once after its own Rotate), so a rotation on one node reaches the
// others within that interval; links signed with the new key before a node reloads are
// verified after a reload on a miss (Current() is cheap: an atomic shared_ptr load).
//
// Thread-safe.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/error.hpp"
#include "storage/database.hpp"
#include "tracking/token.hpp"

namespace overture::tracking {

// What GET /api/v1/tracking/keys shows of a key: never its secret.
struct TrackingKeyInfo {
    std::string id;
    TimePoint created_at;
    std::optional<TimePoint> retired_at;
    bool current = false;  // the key that signs
};

class KeyStore {
  public:
    KeyStore(storage::Database& db, const Clock& clock, const SecretBox& secrets);

    // Reads every key (creating k1 when the table is empty). Call once before Current().
    Status Load();
    // The keys as last loaded. Never null after a successful Load().
    std::shared_ptr<const TrackingKeys> Current() const;
    // Adds a new signing key and reloads. Returns its id.
    Result<std::string> Rotate();
    // Reloads when the last load is older than `max_age` (the ingestion thread calls it every
    // flush with the configured interval; the endpoints call it with 0 s after a token named a
    // key id they do not have). Never reloads more than once a second, whatever `max_age`:
    // a flood of tokens naming unknown key ids costs no database reads.
    Status Refresh(std::chrono::milliseconds max_age);
    // Every key as stored, oldest first (read from the database, not the cache).
    Result<std::vector<TrackingKeyInfo>> List() const;

  private:
    Status LoadNow();
    // Inserts the key after the highest "k<n>" in one write transaction; returns its id ('' when
    // `only_if_empty` and the table has a key already).
    Result<std::string> Insert(bool only_if_empty);

    storage::Database& db_;
    const Clock& clock_;
    const SecretBox& secrets_;
    std::atomic<std::shared_ptr<const TrackingKeys>> keys_;
    std::atomic<std::int64_t> loaded_at_ms_{0};
    std::mutex refresh_mutex_;  // one reload at a time
};

}  // namespace overture::tracking
