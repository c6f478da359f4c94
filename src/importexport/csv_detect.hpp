#pragma once
// Sniffing a CSV file before import: compression, encoding, delimiter, header, and a preview.
//
// Only the first kSniffBytes (after decompression) are read; the guess is about that sample, so
// the import itself must still treat malformed records as rejects. Thread-safe (no shared state).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "importexport/csv_reader.hpp"

namespace overture::importexport {

inline constexpr std::size_t kSniffBytes = std::size_t{64} << 10;
inline constexpr std::size_t kSniffPreviewRecords = 30;

struct CsvSniff {
    bool gzip = false;
    Encoding encoding = Encoding::kUtf8;  // kUtf8 if the sample is valid UTF-8 (BOM or not)
    bool bom = false;                     // the sample starts with a UTF-8 byte-order mark
    char delimiter = ',';                 // one of , ; \t | (',' when nothing splits the lines)
    bool has_header = false;              // the first record looks like column names
    std::size_t column_count = 0;         // the most common field count in the sample
    // The first records of the sample (header included), as UTF-8; malformed ones hold the fields
    // that could be read.
    std::vector<std::vector<std::string>> preview;
    // Options that read the file as sniffed.
    CsvOptions options() const {
        CsvOptions o;
        o.delimiter = delimiter;
        o.encoding = encoding;
        return o;
    }
};

// Sniffs the file at `path` (gzip is decompressed). Fails with kNotFound if it does not exist,
// kInvalidArgument if it cannot be read or its gzip data is corrupt.
Result<CsvSniff> Sniff(const std::string& path);

// Sniffs `data`, the start of a file (decompressed first if it starts with the gzip magic bytes).
// Fails only for corrupt gzip data.
Result<CsvSniff> SniffString(std::string_view data);

}  // namespace overture::importexport
