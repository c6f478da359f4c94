#include "channels/email/maildir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace overture::email {
namespace {

std::string HostName() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
    // '/' and ':' may not appear in a Maildir name (the Maildir specification).
    std::string out(name);
    for (auto& c : out) {
        if (c == '/' || c == ':') c = '_';
    }
    return out;
}

Error Unavailable(const std::string& what, const std::string& path, int err) {
    return Error::Unavailable(what + " " + path + ": " + std::strerror(err));
}

// Writes all of `data` to `fd`; false with errno set on failure.
bool WriteAll(int fd, std::string_view data) {
    while (!data.empty()) {
        const auto n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

Status MaildirWriter::Prepare(const std::string& folder) {
    namespace fs = std::filesystem;
    for (const char* sub : {"tmp", "new", "cur"}) {
        std::error_code ec;
        fs::create_directories(fs::path(folder) / sub, ec);
        if (ec) {
            return Fail(Error::Unavailable("cannot create the maildir folder " +
                                           (fs::path(folder) / sub).string() + ": " +
                                           ec.message()));
        }
    }
    if (::access((fs::path(folder) / "tmp").c_str(), W_OK) != 0 ||
        ::access((fs::path(folder) / "new").c_str(), W_OK) != 0) {
        return Fail(Unavailable("cannot write in the maildir folder", folder, errno));
    }
    return {};
}

Result<MaildirWriter> MaildirWriter::Open(std::string folder) {
    if (auto st = Prepare(folder); !st) return Fail(st.error());
    return MaildirWriter(std::move(folder));
}

Result<std::string> MaildirWriter::Write(std::string_view mail_from, std::string_view rcpt_to,
                                         std::string_view message) const {
    static std::atomic<std::uint64_t> counter{0};
    static const std::string host = HostName();
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now).count();
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(now).count() % 1000000;
    char name[128];
    std::snprintf(name, sizeof name, "%lld.M%lldP%dQ%llu.", static_cast<long long>(seconds),
                  static_cast<long long>(micros), static_cast<int>(::getpid()),
                  static_cast<unsigned long long>(++counter));
    const std::string file = std::string(name) + host;
    const std::string tmp = folder_ + "/tmp/" + file;
    const std::string final_path = folder_ + "/new/" + file;

    std::string text;
    text.reserve(message.size() + rcpt_to.size() + mail_from.size() + 40);
    text.append("Return-Path: <").append(mail_from).append(">\n");
    text.append("Delivered-To: ").append(rcpt_to).append("\n");
    for (std::size_t i = 0; i < message.size(); ++i) {
        if (message[i] == '\r' && i + 1 < message.size() && message[i + 1] == '\n') continue;
        text.push_back(message[i]);
    }

    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) return Fail(Unavailable("cannot create", tmp, errno));
    const bool ok = WriteAll(fd, text) && ::fsync(fd) == 0;
    const int saved = errno;
    ::close(fd);
    if (!ok) {
        ::unlink(tmp.c_str());
        return Fail(Unavailable("cannot write", tmp, saved));
    }
    if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return Fail(Unavailable("cannot move the message into", final_path, err));
    }
    return final_path;
}

}  // namespace overture::email
