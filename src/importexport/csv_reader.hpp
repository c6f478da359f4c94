#pragma once
// CsvReader: a streaming RFC 4180 reader over a file (plain or gzip) or a string.
//
// Memory stays flat whatever the input size: input is read in chunks of about 1 MiB and only the
// record being parsed is held (at most kCsvMaxRecordBytes). Fields point into that buffer; only
// fields with "" escapes are copied.
//
// Accepted input, RFC 4180 plus real-world leniency:
//   - line ends CRLF, LF or a lone CR; empty lines are skipped (they are not records);
//   - quoted fields may hold delimiters, "" (an escaped quote) and line ends; a quote inside an
//     unquoted field is kept literally;
//   - a UTF-8 byte-order mark at the start is skipped; Encoding::kLatin1 input is converted to
//     UTF-8, Encoding::kUtf8 input must be valid UTF-8.
// Malformed records are returned, not failed (see CsvRecord::error), and reading goes on:
//   - a character after a closing quote other than the delimiter or a line end: the rest of that
//     physical line is skipped;
//   - a quote never closed before the end of the input, a field over kCsvMaxFieldBytes, a record
//     over kCsvMaxFields fields or kCsvMaxRecordBytes bytes: these usually come from a stray
//     quote, so reading resumes at the line after the record's first line;
//   - invalid UTF-8 (kUtf8 mode): the record is complete, its error says which field.
//
// Thread-safety: none; a reader belongs to one thread at a time. Not copyable.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "importexport/csv_source.hpp"

namespace overture::importexport {

inline constexpr std::size_t kCsvMaxFieldBytes = std::size_t{1} << 20;
inline constexpr std::size_t kCsvMaxFields = 10'000;
inline constexpr std::size_t kCsvMaxRecordBytes = std::size_t{32} << 20;

enum class Encoding { kUtf8, kLatin1 };

struct CsvOptions {
    char delimiter = ',';  // ASCII, not a quote, CR or LF
    char quote = '"';      // ASCII, not CR or LF
    Encoding encoding = Encoding::kUtf8;
    // Bytes asked of the source per read. Tests set it tiny to put records across refills.
    std::size_t read_chunk_bytes = std::size_t{1} << 20;
};

struct CsvRecord {
    // Valid until the next Next() call on the same reader (or its destruction). Quotes removed,
    // "" unescaped, always UTF-8 unless `error` says otherwise.
    std::vector<std::string_view> fields;
    // 1-based physical line where the record starts (for rejects files).
    std::uint64_t line = 0;
    // Non-empty: the record is malformed; says what and where, e.g. "unexpected character 'x'
    // after a closing quote in field 3". `fields` may then be partial.
    std::string error;
};

class CsvReader {
  public:
    // Opens `path`; gzip is detected by its magic bytes and decompressed on the fly. Reads the
    // first chunk, so a bad gzip header fails here. Fails with kNotFound if the file does not
    // exist, kInvalidArgument if it cannot be read, is not valid gzip, or `options` are invalid;
    // the message names the path.
    static Result<std::unique_ptr<CsvReader>> Open(const std::string& path, CsvOptions options);
    // A reader over `data` (decompressed if it starts with the gzip magic bytes), for tests and
    // previews. Throws std::invalid_argument if `options` are invalid (a programmer error).
    static std::unique_ptr<CsvReader> FromString(std::string data, CsvOptions options);

    CsvReader(const CsvReader&) = delete;
    CsvReader& operator=(const CsvReader&) = delete;
    ~CsvReader();

    // Reads the next record into `out` (reusing its storage). Returns false at the end of the
    // input. Fails (kInvalidArgument, naming the file) only for errors that stop reading: corrupt
    // or truncated gzip, an I/O error; the failure is sticky. A malformed record is returned with
    // `error` set, and reading resumes as described above.
    Result<bool> Next(CsvRecord& out);

    // Bytes of the file on disk consumed so far (compressed bytes for gzip), for progress bars.
    std::uint64_t bytes_consumed() const;
    // Size of the file on disk (compressed size for gzip).
    std::uint64_t file_size() const;

  private:
    enum class Outcome { kRecord, kNeedMore };
    struct Fixup {  // a field unescaped into scratch_, turned into a view when the record ends
        std::size_t index;
        std::size_t offset;
        std::size_t length;
    };

    CsvReader(std::unique_ptr<ByteSource> source, std::string name, CsvOptions options);
    Status Refill();
    Result<std::size_t> ReadDecoded(char* dst, std::size_t n);
    bool SkipRestOfLine();
    Outcome ParseRecord(CsvRecord& out);
    Outcome NeedMore(CsvRecord& out, const char* field_start, bool quoted,
                     const char* record_start);
    void EndRecord(CsvRecord& out, const char* p, std::uint64_t line);
    void FailRecord(CsvRecord& out, const char* resume_at, std::uint64_t line, std::string error);
    void MaterializeFixups(CsvRecord& out);

    std::unique_ptr<ByteSource> source_;
    std::string name_;
    CsvOptions options_;
    std::unique_ptr<char[]> buf_;
    std::size_t capacity_ = 0;
    std::size_t pos_ = 0;  // next unparsed byte in buf_
    std::size_t end_ = 0;  // end of valid bytes in buf_
    bool eof_ = false;     // the source is exhausted; buf_ holds the rest of the input
    bool bom_checked_ = false;
    bool pending_cr_ = false;   // the last line ended with CR at the end of buf_: skip one LF
    bool skip_to_eol_ = false;  // resync after a malformed record: drop bytes up to a line end
    std::uint64_t line_ = 1;    // physical line of buf_[pos_]
    std::unique_ptr<Error> failed_;
    std::vector<char> raw_;  // undecoded Latin-1 bytes
    std::string head_;       // the first bytes of the input, kept back to look for a BOM
    std::string scratch_;    // unescaped fields of the current record
    std::vector<Fixup> fixups_;
};

}  // namespace overture::importexport
