#include "importexport/csv_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace overture::importexport {
namespace {

constexpr std::size_t kCompressedChunkBytes = 1 << 20;

class StringSource final : public ByteSource {
  public:
    explicit StringSource(std::string data) : data_(std::move(data)) {}

    Result<std::size_t> Read(char* dst, std::size_t n) override {
        const std::size_t take = std::min(n, data_.size() - offset_);
        std::memcpy(dst, data_.data() + offset_, take);
        offset_ += take;
        return take;
    }
    std::uint64_t bytes_consumed() const override { return offset_; }
    std::uint64_t total_size() const override { return data_.size(); }

  private:
    std::string data_;
    std::size_t offset_ = 0;
};

class FileSource final : public ByteSource {
  public:
    FileSource(int fd, std::string path, std::uint64_t size)
        : fd_(fd), path_(std::move(path)), size_(size) {}
    ~FileSource() override { ::close(fd_); }
    FileSource(const FileSource&) = delete;
    FileSource& operator=(const FileSource&) = delete;

    Result<std::size_t> Read(char* dst, std::size_t n) override {
        for (;;) {
            const ssize_t got = ::read(fd_, dst, n);
            if (got >= 0) {
                consumed_ += static_cast<std::uint64_t>(got);
                return static_cast<std::size_t>(got);
            }
            if (errno == EINTR) continue;
            return Fail(
                Error::InvalidArgument("cannot read " + path_ + ": " + std::strerror(errno)));
        }
    }
    std::uint64_t bytes_consumed() const override { return consumed_; }
    std::uint64_t total_size() const override { return size_; }

  private:
    int fd_;
    std::string path_;
    std::uint64_t size_;
    std::uint64_t consumed_ = 0;
};

// Inflates a gzip stream (several concatenated members are allowed, as gzip itself writes them)
// from an inner source, reading it in chunks of kCompressedChunkBytes.
class GzipSource final : public ByteSource {
  public:
    GzipSource(std::unique_ptr<ByteSource> inner, std::string name)
        : inner_(std::move(inner)), name_(std::move(name)), in_(kCompressedChunkBytes) {
        // 15 + 16: the largest window, gzip wrapper only.
        if (inflateInit2(&stream_, 15 + 16) != Z_OK) {
            throw std::bad_alloc();
        }
    }
    ~GzipSource() override { inflateEnd(&stream_); }
    GzipSource(const GzipSource&) = delete;
    GzipSource& operator=(const GzipSource&) = delete;

    Result<std::size_t> Read(char* dst, std::size_t n) override {
        if (done_ || n == 0) return 0;
        // zlib counts in uInt; keep each call well inside it.
        n = std::min<std::size_t>(n, 1u << 30);
        stream_.next_out = reinterpret_cast<Bytef*>(dst);
        stream_.avail_out = static_cast<uInt>(n);
        while (stream_.avail_out == n) {
            if (stream_.avail_in == 0) {
                auto got = inner_->Read(in_.data(), in_.size());
                if (!got) return Fail(std::move(got.error()));
                if (*got == 0) {
                    if (member_ended_) {
                        done_ = true;
                        return 0;
                    }
                    return Fail(Error::InvalidArgument("gzip data in " + name_ + " is truncated"));
                }
                stream_.next_in = reinterpret_cast<Bytef*>(in_.data());
                stream_.avail_in = static_cast<uInt>(*got);
            }
            if (member_ended_) {
                // More bytes after a complete member: the next member of a multi-member file.
                inflateReset(&stream_);
                member_ended_ = false;
            }
            const int rc = inflate(&stream_, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) {
                member_ended_ = true;
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                const char* why = stream_.msg != nullptr ? stream_.msg : "corrupt data";
                return Fail(
                    Error::InvalidArgument(name_ + " is not a valid gzip file (" + why + ")"));
            }
        }
        return n - stream_.avail_out;
    }
    std::uint64_t bytes_consumed() const override {
        return inner_->bytes_consumed() - stream_.avail_in;
    }
    std::uint64_t total_size() const override { return inner_->total_size(); }

  private:
    std::unique_ptr<ByteSource> inner_;
    std::string name_;
    std::vector<char> in_;
    z_stream stream_{};
    bool member_ended_ = false;
    bool done_ = false;
};

}  // namespace

bool LooksLikeGzip(std::string_view data) {
    return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
           static_cast<unsigned char>(data[1]) == 0x8b;
}

Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path, bool* gzip) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return Fail(Error::NotFound("file not found: " + path));
        }
        return Fail(Error::InvalidArgument("cannot open " + path + ": " + std::strerror(errno)));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        ::close(fd);
        return Fail(Error::InvalidArgument("cannot read " + path + ": not a regular file"));
    }
    unsigned char magic[2] = {0, 0};
    const ssize_t got = ::pread(fd, magic, sizeof magic, 0);
    *gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    auto file = std::make_unique<FileSource>(fd, path, static_cast<std::uint64_t>(st.st_size));
    if (!*gzip) return file;
    return std::make_unique<GzipSource>(std::move(file), path);
}

std::unique_ptr<ByteSource> MakeStringSource(std::string data, bool* gzip) {
    const bool is_gzip = LooksLikeGzip(data);
    if (gzip != nullptr) *gzip = is_gzip;
    auto source = std::make_unique<StringSource>(std::move(data));
    if (!is_gzip) return source;
    return std::make_unique<GzipSource>(std::move(source), "<string>");
}

}  // namespace overture::importexport
