#pragma once
// A compact set of 64-bit hashes of the key values of an import's accepted lines, kept while
// the file is read so that the importer can tell, without the SQL duplicate step, that no two
// lines share a key.
//
// Only a "no" is certain: when no hash repeats, no two keys are equal. A repeated hash is a
// real duplicate or (rarely) a collision of two different keys; the caller then runs its exact
// check. Keys that the database compares as equal always hash alike (-0.0 and 0.0, a double
// that holds a whole number and that integer, a bool and 0/1), so the "no" holds whatever the
// column types.
//
// Memory: a power-of-two table of 8-byte slots, doubled when 3/4 full (the old table lives
// until the new one is filled), up to the smallest power of two above `max_entries`, which
// then fills further: at most 8 bytes x 2 x max_entries. Past `max_entries` hashes the set
// stops tracking, frees its table and becomes Inconclusive(); the caller then falls back too.
//
// Not thread-safe; one per import.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "storage/value.hpp"

namespace overture::importexport {

// The hash of a composite key: every value's type class and canonical bytes, in order.
std::uint64_t HashKey(std::span<const storage::Value* const> values);

class KeyHashes {
  public:
    explicit KeyHashes(std::size_t max_entries) : max_entries_(max_entries) {}

    // Adds `hash`. Returns false when it was already present (a possible duplicate; the set
    // then stops tracking, since the caller will run its exact check anyway) or when the set
    // has stopped tracking; true for a hash seen for the first time.
    bool Add(std::uint64_t hash);

    // True once Add() has met a repeated hash or more than max_entries hashes: the set can no
    // longer say that the keys are distinct.
    bool Inconclusive() const { return inconclusive_; }
    // True when it stopped for having more than max_entries hashes (not for a repeat).
    bool Overflowed() const { return overflowed_; }

    std::size_t size() const { return size_; }
    // Bytes held by the table now.
    std::size_t memory_bytes() const { return slots_.capacity() * sizeof(std::uint64_t); }

  private:
    void Grow();
    void Stop();

    std::size_t max_entries_;
    std::size_t size_ = 0;
    bool inconclusive_ = false;
    bool overflowed_ = false;
    // Open addressing with linear probing; 0 marks an empty slot (a hash of 0 is stored as 1).
    std::vector<std::uint64_t> slots_;
};

}  // namespace overture::importexport
