#include "importexport/csv_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace overture::importexport {
namespace {

constexpr std::size_t kBufferBytes = std::size_t{1} << 20;

}  // namespace

CsvWriter::CsvWriter(CsvWriterOptions options) : options_(options) {}

CsvWriter::~CsvWriter() { (void)Close(); }

Status CsvWriter::Open(const std::string& path) {
    if (opened_) return Fail(Error::FailedPrecondition("the CSV writer is already open"));
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return Fail(Error::InvalidArgument("cannot create " + path + ": " + std::strerror(errno)));
    }
    opened_ = true;
    fd_ = fd;
    name_ = path;
    buf_.reserve(kBufferBytes + 4096);
    return {};
}

void CsvWriter::OpenString(std::string* out) {
    if (opened_) throw std::logic_error("the CSV writer is already open");
    opened_ = true;
    out_ = out;
    name_ = "<string>";
}

Status CsvWriter::Row(std::span<const std::string_view> fields) {
    if (!opened_ || closed_) {
        return Fail(Error::FailedPrecondition(closed_ ? "the CSV writer is closed"
                                                      : "the CSV writer is not open"));
    }
    if (!status_) return status_;
    if (fields.empty()) return Fail(Error::InvalidArgument("a CSV row needs at least one field"));
    const char delim = options_.delimiter;
    const char quote = options_.quote;
    const char specials[] = {delim, quote, '\r', '\n'};
    const std::string_view special_set(specials, sizeof specials);
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) buf_.push_back(delim);
        const std::string_view f = fields[i];
        const bool needs_quotes = f.find_first_of(special_set) != std::string_view::npos ||
                                  (!f.empty() && (f.front() == ' ' || f.back() == ' ')) ||
                                  (fields.size() == 1 && f.empty());
        if (!needs_quotes) {
            buf_.append(f);
            continue;
        }
        buf_.push_back(quote);
        for (std::size_t start = 0;;) {
            const std::size_t q = f.find(quote, start);
            if (q == std::string_view::npos) {
                buf_.append(f.substr(start));
                break;
            }
            buf_.append(f.substr(start, q + 1 - start));
            buf_.push_back(quote);
            start = q + 1;
        }
        buf_.push_back(quote);
    }
    if (options_.line_ending == LineEnding::kCrLf) buf_.push_back('\r');
    buf_.push_back('\n');
    if (buf_.size() >= kBufferBytes) return Flush();
    return {};
}

Status CsvWriter::Flush() {
    if (out_ != nullptr) {
        out_->append(buf_);
        buf_.clear();
        return {};
    }
    std::size_t done = 0;
    while (done < buf_.size()) {
        const ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return WriteFailed(errno);
        }
        done += static_cast<std::size_t>(n);
    }
    buf_.clear();
    return {};
}

Status CsvWriter::WriteFailed(int err) {
    status_ = Fail(Error::InvalidArgument("cannot write " + name_ + ": " + std::strerror(err)));
    buf_.clear();
    return status_;
}

Status CsvWriter::Close() {
    if (!opened_ || closed_) return status_;
    closed_ = true;
    if (status_) (void)Flush();
    if (fd_ < 0) return status_;
    // Some file systems report a full disk or a lost server only at fsync or close. Devices and
    // pipes cannot sync (EINVAL, EROFS); that is no failure.
    if (status_ && ::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS) {
        (void)WriteFailed(errno);
    }
    if (::close(fd_) != 0 && status_ && errno != EINTR) (void)WriteFailed(errno);
    fd_ = -1;
    return status_;
}

}  // namespace overture::importexport
