#pragma once
// Byte sources under the CSV reader and sniffer: a file on disk, an in-memory string, and a gzip
// decompressor over either of them. They hand out bytes in the caller's chunks, so memory stays
// flat whatever the size of the input.
//
// Thread-safety: none; one source belongs to one reader. Failures are kInvalidArgument errors
// whose message names `name` (the path, or "<string>") and says what went wrong.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace overture::importexport {

class ByteSource {
  public:
    virtual ~ByteSource() = default;
    // Copies up to `n` bytes into `dst`. Returns 0 only at the end of the input (never a short
    // read of 0 before that). Fails on an I/O error or corrupt compressed data; after a failure
    // the source is unusable.
    virtual Result<std::size_t> Read(char* dst, std::size_t n) = 0;
    // Bytes taken from the underlying storage so far (compressed bytes for gzip).
    virtual std::uint64_t bytes_consumed() const = 0;
    // Size of the underlying storage (compressed size for gzip).
    virtual std::uint64_t total_size() const = 0;
};

// True if `data` starts with the gzip magic bytes 1f 8b.
bool LooksLikeGzip(std::string_view data);

// Opens `path` for reading. kNotFound if it does not exist, kInvalidArgument if it cannot be
// opened or is a directory. `*gzip` is set when the file starts with the gzip magic bytes, in which
// case the returned source already decompresses.
Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path, bool* gzip);

// A source over `data`; decompresses it if it starts with the gzip magic bytes (then `*gzip` is
// set, when non-null).
std::unique_ptr<ByteSource> MakeStringSource(std::string data, bool* gzip = nullptr);

}  // namespace overture::importexport
