// The tracking keys' storage: table tracking_keys, secrets sealed with the installation key.
// The signing key is the one with the highest number ("k<n>"); every stored key verifies. A
// new key's number is the highest + 1, chosen in a write transaction; two nodes rotating at
// the same moment on PostgreSQL collide on the primary key, and the loser tries once more.
#include "tracking/keys.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <map>

namespace overture::tracking {
namespace {

constexpr std::string_view kPurpose = "tracking-key";
// Refresh() reloads at most this often, whatever `max_age` says: a flood of tokens that name
// unknown key ids must not turn into a flood of database reads.
constexpr std::int64_t kMinReloadMs = 1000;

// The number of a key id "k<n>", or -1 for any other id.
std::int64_t KeyNumber(std::string_view id) {
    if (id.size() < 2 || id[0] != 'k') return -1;
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(id.data() + 1, id.data() + id.size(), n);
    if (ec != std::errc() || end != id.data() + id.size() || n < 0) return -1;
    return n;
}

}  // namespace

KeyStore::KeyStore(storage::Database& db, const Clock& clock, const SecretBox& secrets)
    : db_(db), clock_(clock), secrets_(secrets) {}

Status KeyStore::Load() {
    std::lock_guard lock(refresh_mutex_);
    if (auto st = LoadNow(); !st) return st;
    if (keys_.load() == nullptr) {
        // The table is empty: create k1 (another node may do the same; Insert retries).
        if (auto id = Insert(/*only_if_empty=*/true); !id) return Fail(std::move(id.error()));
        return LoadNow();
    }
    return {};
}

std::shared_ptr<const TrackingKeys> KeyStore::Current() const { return keys_.load(); }

Result<std::string> KeyStore::Rotate() {
    std::lock_guard lock(refresh_mutex_);
    auto id = Insert(/*only_if_empty=*/false);
    if (!id) return id;
    if (auto st = LoadNow(); !st) return Fail(std::move(st.error()));
    return id;
}

Status KeyStore::Refresh(std::chrono::milliseconds max_age) {
    const std::int64_t now = ToUnixMillis(clock_.Now());
    const std::int64_t age = now - loaded_at_ms_.load();
    if (age < std::max<std::int64_t>(max_age.count(), kMinReloadMs)) return {};
    std::lock_guard lock(refresh_mutex_);
    // Another thread may have reloaded while this one waited.
    if (ToUnixMillis(clock_.Now()) - loaded_at_ms_.load() <
        std::max<std::int64_t>(max_age.count(), kMinReloadMs)) {
        return {};
    }
    return LoadNow();
}

Result<std::vector<TrackingKeyInfo>> KeyStore::List() const {
    auto rows = storage::WithRead(
        db_, [](storage::Transaction& tx) { return tx.Query("tracking-keys-list", {}); });
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<TrackingKeyInfo> out;
    std::int64_t best = -1;
    std::size_t best_index = 0;
    for (const auto& row : rows->rows) {
        TrackingKeyInfo info;
        info.id = storage::AsString(row[0]);
        info.created_at = FromUnixMillis(storage::AsInt(row[2]));
        if (!storage::IsNull(row[3])) info.retired_at = FromUnixMillis(storage::AsInt(row[3]));
        const std::int64_t n = KeyNumber(info.id);
        if (n > best) {
            best = n;
            best_index = out.size();
        }
        out.push_back(std::move(info));
    }
    if (best >= 0) out[best_index].current = true;
    return out;
}

Status KeyStore::LoadNow() {
    auto rows = storage::WithRead(
        db_, [](storage::Transaction& tx) { return tx.Query("tracking-keys-list", {}); });
    if (!rows) return Fail(std::move(rows.error()));
    std::map<std::string, std::string> keys;
    std::string current;
    std::int64_t best = -1;
    for (const auto& row : rows->rows) {
        std::string id = storage::AsString(row[0]);
        auto secret = secrets_.Open(storage::AsString(row[1]), kPurpose);
        if (!secret) {
            Error e = secret.error();
            e.message = "the tracking key " + id + " cannot be opened: " + e.message;
            return Fail(std::move(e));
        }
        const std::int64_t n = KeyNumber(id);
        if (n > best) {
            best = n;
            current = id;
        }
        keys.emplace(std::move(id), std::move(*secret));
    }
    if (keys.empty()) return {};  // Load() creates k1
    if (current.empty()) {
        return Fail(Error::Internal("tracking_keys holds no key named k<n>"));
    }
    auto made = TrackingKeys::Create(std::move(keys), std::move(current));
    if (!made) {
        return Fail(Error::Internal("tracking_keys: " + made.error().message));
    }
    keys_.store(std::make_shared<const TrackingKeys>(std::move(*made)));
    loaded_at_ms_.store(ToUnixMillis(clock_.Now()));
    return {};
}

Result<std::string> KeyStore::Insert(bool only_if_empty) {
    for (int attempt = 0;; ++attempt) {
        auto id = storage::WithWrite(db_, [&](storage::Transaction& tx) -> Result<std::string> {
            auto rows = tx.Query("tracking-keys-list", {});
            if (!rows) return Fail(std::move(rows.error()));
            // Two nodes starting on an empty table: the second finds the first one's k1.
            if (only_if_empty && !rows->empty()) return std::string();
            std::int64_t highest = 0;
            for (const auto& row : rows->rows) {
                highest = std::max(highest, KeyNumber(storage::AsString(row[0])));
            }
            std::string id = "k" + std::to_string(highest + 1);
            std::string raw(TrackingKeys::kKeyBytes, '\0');
            randombytes_buf(raw.data(), raw.size());
            std::string sealed = secrets_.Seal(raw, kPurpose);
            sodium_memzero(raw.data(), raw.size());
            const std::int64_t now = ToUnixMillis(clock_.Now());
            auto done = tx.Exec("tracking-key-insert", {id, std::move(sealed), now});
            if (!done) return Fail(std::move(done.error()));
            // The keys before it stop signing from now on; they keep verifying.
            if (auto retired = tx.Exec("tracking-keys-retire", {id, now}); !retired) {
                return Fail(std::move(retired.error()));
            }
            return id;
        });
        if (id || attempt > 0 || id.error().code != ErrorCode::kAlreadyExists) return id;
        // Another node took that number between our read and our insert: once more.
    }
}

}  // namespace overture::tracking
