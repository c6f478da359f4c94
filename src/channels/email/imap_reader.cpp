// The IMAP bounce reader over libcurl's easy interface; see imap_reader.hpp for the protocol.
//
// libcurl speaks IMAP through URLs: "imap://host/INBOX/;UID=7" fetches a message, and
// CURLOPT_CUSTOMREQUEST sends any other command after libcurl has logged in and SELECTed the
// URL's mailbox (it keeps the connection and the selection between performs on one handle).
// Untagged answers to custom commands arrive through the write callback; the server's status
// lines are read from the debug callback so that errors can quote them.
#include "channels/email/imap_reader.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <mutex>
#include <vector>

#include "common/strings.hpp"

namespace overture::email {
namespace {

void GlobalInit() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// A mailbox name as an IMAP quoted string, with '%' escaped because libcurl URL-decodes
// CURLOPT_CUSTOMREQUEST before sending it.
std::string Quote(std::string_view name) {
    std::string out = "\"";
    for (const char c : name) {
        if (c == '%') {
            out += "%25";
            continue;
        }
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

// The host part of a URL, for messages (the URL never carries the password: it is an option).
std::string HostOf(std::string_view url) {
    const auto scheme = url.find("://");
    std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
    if (const auto at = rest.find('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
    return std::string(rest.substr(0, rest.find('/')));
}

}  // namespace

// One connection: a curl handle with the options every request shares.
struct ImapBounceReader::Session {
    CURL* curl = nullptr;
    char error_buffer[CURL_ERROR_SIZE] = {};
    std::string response;            // what the write callback received for the last request
    std::size_t response_limit = 0;  // bytes kept; the rest is dropped
    std::string last_server_line;    // the last status line the server sent

    Session() = default;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session() {
        if (curl != nullptr) curl_easy_cleanup(curl);
    }

    static std::size_t Write(char* data, std::size_t size, std::size_t count, void* user) {
        auto* self = static_cast<Session*>(user);
        const std::size_t n = size * count;
        if (self->response.size() < self->response_limit) {
            self->response.append(data, std::min(n, self->response_limit - self->response.size()));
        }
        return n;
    }

    static int Debug(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
        if (type != CURLINFO_HEADER_IN) return 0;  // never the commands we send (the password)
        auto* self = static_cast<Session*>(user);
        std::string_view line = Trim(std::string_view(data, size));
        if (line.empty() || line.starts_with("* ") || line.starts_with("+")) return 0;
        // "A003 NO [AUTHENTICATIONFAILED] Authentication failed." without the tag.
        if (const auto space = line.find(' '); space != std::string_view::npos) {
            line.remove_prefix(space + 1);
        }
        self->last_server_line = std::string(line.substr(0, 300));
        return 0;
    }
};

ImapBounceReader::ImapBounceReader(ImapSettings settings, const Classifier& classifier)
    : settings_(std::move(settings)), classifier_(classifier) {}

ImapBounceReader::~ImapBounceReader() = default;

Result<std::unique_ptr<ImapBounceReader>> ImapBounceReader::Create(ImapSettings settings,
                                                                   const Classifier& classifier) {
    const std::string_view url = settings.url;
    if (!url.starts_with("imap://") && !url.starts_with("imaps://")) {
        return Fail(Error::InvalidArgument("IMAP URL must start with imap:// or imaps://")
                        .With("field", "url"));
    }
    const auto scheme_end = url.find("://") + 3;
    const auto slash = url.find('/', scheme_end);
    if (slash == std::string_view::npos || Trim(url.substr(slash + 1)).empty() ||
        url.find(';', scheme_end) != std::string_view::npos ||
        url.find('?', scheme_end) != std::string_view::npos) {
        return Fail(Error::InvalidArgument(
                        "IMAP URL must name the mailbox and nothing more, e.g. imaps://host/INBOX")
                        .With("field", "url"));
    }
    if (settings.max_messages_per_poll <= 0 || settings.max_message_bytes < 1024 ||
        settings.connect_timeout.count() <= 0 || settings.command_timeout.count() <= 0) {
        return Fail(Error::InvalidArgument(
            "IMAP limits and timeouts must be positive (max message size at least 1 KiB)"));
    }
    while (settings.url.ends_with('/')) settings.url.pop_back();
    GlobalInit();
    return std::unique_ptr<ImapBounceReader>(new ImapBounceReader(std::move(settings), classifier));
}

Result<int> ImapBounceReader::PollOnce(const std::function<void(const BounceEvent&)>& sink) {
    Session s;
    s.curl = curl_easy_init();
    if (s.curl == nullptr) return Fail(Error::Internal("curl_easy_init failed"));
    CURL* c = s.curl;
    curl_easy_setopt(c, CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, settings_.password.c_str());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
                     static_cast<long>(settings_.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(settings_.command_timeout.count()));
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s.error_buffer);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Session::Write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, &Session::Debug);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, &s);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);  // feeds the debug callback only
    if (settings_.starttls) curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, settings_.verify_certificate ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, settings_.verify_certificate ? 2L : 0L);
    if (!settings_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, settings_.ca_file.c_str());

    const std::string host = HostOf(settings_.url);
    // One request: `custom` is an IMAP command, or "" to fetch `url`.
    auto perform = [&](const std::string& url, const std::string& custom, std::size_t limit,
                       std::string_view step) -> Result<std::string> {
        s.response.clear();
        s.response_limit = limit;
        s.error_buffer[0] = '\0';
        s.last_server_line.clear();
        curl_easy_setopt(c, CURLOPT_URL, url.c_str());
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, custom.empty() ? nullptr : custom.c_str());
        const CURLcode rc = curl_easy_perform(c);
        if (rc == CURLE_OK) return std::move(s.response);
        std::string what = "IMAP " + std::string(step) + " on " + host + " failed: ";
        what += s.last_server_line.empty()
                    ? (s.error_buffer[0] != '\0' ? std::string(s.error_buffer)
                                                 : std::string(curl_easy_strerror(rc)))
                    : "server answered \"" + s.last_server_line + "\"";
        if (rc == CURLE_LOGIN_DENIED) return Fail(Error::Unauthenticated(std::move(what)));
        return Fail(Error::Unavailable(std::move(what), curl_easy_strerror(rc)));
    };

    const std::string& mailbox = settings_.url;
    auto search = perform(mailbox, "UID SEARCH UNDELETED", 1 << 20, "login and search");
    if (!search) return Fail(std::move(search.error()));
    std::vector<std::uint64_t> uids;
    for (const auto line : Split(*search, '\n')) {
        const std::string_view l = Trim(line);
        if (!l.starts_with("* SEARCH")) continue;
        for (const auto token : Split(l.substr(8), ' ')) {
            std::uint64_t uid = 0;
            const auto t = Trim(token);
            if (!t.empty() &&
                std::from_chars(t.data(), t.data() + t.size(), uid).ec == std::errc()) {
                uids.push_back(uid);
            }
        }
    }
    std::sort(uids.begin(), uids.end());
    if (uids.size() > static_cast<std::size_t>(settings_.max_messages_per_poll)) {
        uids.resize(static_cast<std::size_t>(settings_.max_messages_per_poll));
    }
    if (uids.empty()) return 0;

    const bool move = !settings_.processed_folder.empty();
    bool move_supported = true;
    if (move) {
        // Fails when the folder exists, which is fine; a real problem shows at the first MOVE.
        (void)perform(mailbox, "CREATE " + Quote(settings_.processed_folder), 4096, "create");
    }
    // UID EXPUNGE (RFC 4315) removes only the message we flagged; plain EXPUNGE where the
    // server does not offer it. Right after each flag, so that a poll cut short (a failing
    // sink, a lost connection) leaves no flagged message behind.
    bool uid_expunge = true;
    auto expunge = [&](const std::string& id) -> Status {
        if (uid_expunge && perform(mailbox, "UID EXPUNGE " + id, 4096, "expunge")) return {};
        uid_expunge = false;
        auto expunged = perform(mailbox, "EXPUNGE", 1 << 16, "expunge");
        if (!expunged) return Fail(std::move(expunged.error()));
        return {};
    };
    int handled = 0;
    for (const std::uint64_t uid : uids) {
        const std::string id = std::to_string(uid);
        auto raw =
            perform(mailbox + "/;UID=" + id, "", settings_.max_message_bytes, "fetch of UID " + id);
        if (!raw) return Fail(std::move(raw.error()));
        for (const BounceEvent& event : ParseBounce(*raw, classifier_)) sink(event);

        if (move && move_supported) {
            const auto moved =
                perform(mailbox, "UID MOVE " + id + " " + Quote(settings_.processed_folder), 4096,
                        "move of UID " + id);
            if (moved) {
                ++handled;
                continue;
            }
            move_supported = false;  // try COPY + \Deleted instead
        }
        if (move) {
            auto copied =
                perform(mailbox, "UID COPY " + id + " " + Quote(settings_.processed_folder), 4096,
                        "copy of UID " + id);
            if (!copied) return Fail(std::move(copied.error()));
        }
        auto stored = perform(mailbox, "UID STORE " + id + " +FLAGS.SILENT (\\Seen \\Deleted)",
                              4096, "flagging of UID " + id);
        if (!stored) return Fail(std::move(stored.error()));
        if (auto st = expunge(id); !st) return Fail(std::move(st.error()));
        ++handled;
    }
    return handled;
}

}  // namespace overture::email
