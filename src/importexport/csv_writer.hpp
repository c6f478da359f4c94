#pragma once
// CsvWriter: writes RFC 4180 CSV to a file or a string, for exports and rejects files.
//
// A field is quoted when it contains the delimiter, the quote, CR or LF, or starts or ends with a
// space; quotes inside are doubled. A row of one empty field is written as "" so that it does not
// read back as an (ignored) empty line. Output is buffered (1 MiB) and reaches the file in whole
// buffers; Close() writes the rest and syncs, so that a full disk is reported there at the latest.
//
// Thread-safety: none. Not copyable. Destroying a writer that was not closed closes it and drops
// any error: call Close() to know whether the output is complete.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace overture::importexport {

enum class LineEnding { kLf, kCrLf };

struct CsvWriterOptions {
    char delimiter = ',';
    char quote = '"';
    LineEnding line_ending = LineEnding::kLf;
};

// Use: CsvWriter w; w.Open(path) (or w.OpenString(&s)); w.Row(...) per row; w.Close().
class CsvWriter {
  public:
    explicit CsvWriter(CsvWriterOptions options = {});
    CsvWriter(const CsvWriter&) = delete;
    CsvWriter& operator=(const CsvWriter&) = delete;
    ~CsvWriter();

    // Creates or truncates `path` (mode 0644) as the destination. Fails with kInvalidArgument
    // naming the path if it cannot be created, kFailedPrecondition if the writer was opened
    // before.
    Status Open(const std::string& path);
    // Makes `*out` the destination (appended to); it must outlive the writer and is complete
    // after Close(). Throws std::logic_error if the writer was opened before.
    void OpenString(std::string* out);

    // Appends one row. Fails with kInvalidArgument for a row without fields,
    // kFailedPrecondition before Open() or after Close(), kInvalidArgument (naming the path) when
    // writing fails, e.g. the disk is full; a write failure is sticky.
    Status Row(std::span<const std::string_view> fields);
    // Writes buffered rows, syncs and closes the file. Fails as Row() does; calling it again
    // returns the first result. Closing a writer never opened does nothing.
    Status Close();

  private:
    Status Flush();
    Status WriteFailed(int err);

    CsvWriterOptions options_;
    int fd_ = -1;                 // the destination file, or -1
    std::string* out_ = nullptr;  // the destination string, or null
    std::string name_;            // the path, for messages
    std::string buf_;
    bool opened_ = false;
    bool closed_ = false;
    Status status_;  // the first failure, returned from then on
};

}  // namespace overture::importexport
