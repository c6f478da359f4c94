#pragma once
// A pool of connections of one kind, shared by the backends (storage/sqlite, storage/postgres).
// Internal to storage: the backends build their Database on it.
//
// The pool holds up to `max_open` connections of type Conn. Acquire() lends an idle one; when
// there is none and fewer than `max_open` are open, it opens one with the pool's opener (outside
// the lock, in a slot reserved for it); otherwise it waits for a Release() until the acquire
// timeout. Release() takes a connection back for reuse, or closes it and frees its slot: the
// pool never looks inside a connection, the caller says whether it may be reused. Stats() gives
// size (open, lent or being opened), in_use (lent) and the counters of PoolStats.
//
// Failures: Acquire() fails with kUnavailable ("the database is busy; try again", and the
// detail "<timeout_detail> within <N> ms" for the log) when nothing frees up in time, and with
// the opener's error when opening a connection fails. Prefill() fails with the opener's error.
//
// Thread-safety: thread-safe. A lent connection belongs to its borrower until it is released;
// every lent connection must be released, and the pool must outlive them.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "storage/database.hpp"

namespace overture::storage {

template <typename Conn>
class ConnectionPool {
  public:
    // Opens one new connection; called without the pool's lock held, possibly from several
    // threads at once.
    using Opener = std::function<Result<std::unique_ptr<Conn>>()>;

    // `max_open` below 1 counts as 1. `timeout_detail` starts the log detail of a timeout,
    // e.g. "postgres: no free connection".
    ConnectionPool(int max_open, std::chrono::milliseconds acquire_timeout,
                   std::string timeout_detail, Opener open)
        : max_open_(std::max(1, max_open)),
          acquire_timeout_(acquire_timeout),
          timeout_detail_(std::move(timeout_detail)),
          open_(std::move(open)) {}
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    // Opens one connection now and keeps it idle, so that a bad address fails at start-up.
    // Does nothing when the pool is full.
    Status Prefill() {
        {
            std::lock_guard lock(mu_);
            if (open_count_ >= max_open_) return {};
            ++open_count_;  // reserve the slot, open without holding the lock
        }
        auto opened = open_();
        {
            std::lock_guard lock(mu_);
            if (opened) {
                idle_.push_back(std::move(*opened));
            } else {
                --open_count_;
            }
        }
        released_.notify_one();
        if (!opened) return Fail(std::move(opened.error()));
        return {};
    }

    // Lends a connection, waiting up to the acquire timeout for one; see the header comment.
    Result<std::unique_ptr<Conn>> Acquire() {
        auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
        std::unique_lock lock(mu_);
        bool waited = false;
        std::unique_ptr<Conn> conn;
        while (!conn) {
            if (!idle_.empty()) {
                conn = std::move(idle_.back());
                idle_.pop_back();
            } else if (open_count_ < max_open_) {
                ++open_count_;  // reserve the slot, open without holding the lock
                lock.unlock();
                auto opened = open_();
                lock.lock();
                if (!opened) {
                    --open_count_;
                    released_.notify_one();  // a waiter may open in the freed slot
                    return Fail(std::move(opened.error()));
                }
                conn = std::move(*opened);
            } else if (std::chrono::steady_clock::now() >= deadline) {
                ++stats_.timeouts;
                return Fail(Error::Unavailable(
                    "the database is busy; try again",
                    fmt::format("{} within {} ms", timeout_detail_, acquire_timeout_.count())));
            } else {
                waited = true;
                released_.wait_until(lock, deadline);
            }
        }
        ++stats_.acquired;
        if (waited) ++stats_.waited;
        ++in_use_;
        return conn;
    }

    // Takes back a lent connection: kept idle when `reuse`, otherwise closed (outside the
    // lock) and its slot freed.
    void Release(std::unique_ptr<Conn> conn, bool reuse) {
        std::unique_ptr<Conn> dropped;  // closed after the lock is released
        {
            std::lock_guard lock(mu_);
            --in_use_;
            if (reuse) {
                idle_.push_back(std::move(conn));
            } else {
                --open_count_;
                dropped = std::move(conn);
            }
        }
        released_.notify_one();
    }

    PoolStats Stats() const {
        std::lock_guard lock(mu_);
        PoolStats s = stats_;
        s.size = open_count_;
        s.in_use = in_use_;
        return s;
    }

  private:
    const int max_open_;
    const std::chrono::milliseconds acquire_timeout_;
    const std::string timeout_detail_;
    const Opener open_;

    mutable std::mutex mu_;
    std::condition_variable released_;         // an idle connection or a free slot appeared
    std::vector<std::unique_ptr<Conn>> idle_;  // guarded by mu_
    int open_count_ = 0;                       // guarded by mu_; lent, idle or being opened
    int in_use_ = 0;                           // guarded by mu_
    PoolStats stats_;  // guarded by mu_; size and in_use are filled in by Stats()
};

// The stats of two pools that serve one Database (SQLite's writer and readers), added up.
inline PoolStats Sum(const PoolStats& a, const PoolStats& b) {
    return {a.size + b.size, a.in_use + b.in_use, a.acquired + b.acquired, a.waited + b.waited,
            a.timeouts + b.timeouts};
}

}  // namespace overture::storage
