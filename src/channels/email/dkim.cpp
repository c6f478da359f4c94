// DKIM signer on OpenSSL 3 (see dkim.hpp for the contract).
//
// Sign makes one pass over the header block (splitting it into fields and finding the body),
// one streaming pass over the body (relaxed canonicalization straight into SHA-256: runs that
// are already canonical, usually the whole body, are hashed where they are, the rest goes
// through a stack buffer; the canonical body is never stored), then hashes the selected header
// fields and the DKIM-Signature header with an empty b=, and signs that digest: RSASSA-PKCS1-v1_5
// with the SHA-256 DigestInfo for rsa-sha256, PureEd25519 over the 32-byte digest for
// ed25519-sha256 (RFC 8463 section 3).
#include "channels/email/dkim.hpp"

#include <idn2.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstring>
#include <utility>

namespace overture::email {
namespace {

constexpr int kMinRsaBits = 1024;
constexpr int kMaxRsaBits = 4096;
constexpr std::size_t kMaxSignatureBytes = kMaxRsaBits / 8;
constexpr std::size_t kFoldColumn = 76;  // fold the DKIM-Signature header before this column

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
    void operator()(BIO* p) const { BIO_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

// The OpenSSL error queue of this thread as text, emptied, for an Error's detail.
std::string TakeOpenSslErrors() {
    std::string text;
    while (unsigned long e = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(e, buffer, sizeof buffer);
        if (!text.empty()) text += "; ";
        text += buffer;
    }
    return text;
}

Error OpenSslFailure(std::string_view what) {
    return Error::Internal(std::string(what) + ": " + TakeOpenSslErrors());
}

// SHA-256 fetched once: an explicit fetch avoids OpenSSL 3's per-call implicit lookup. Never
// freed (one object for the life of the process).
const EVP_MD* Sha256() {
    static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

std::string Base64(const unsigned char* data, std::size_t size) {
    std::string text(4 * ((size + 2) / 3), '\0');
    // EVP_EncodeBlock writes a NUL after the text; std::string keeps room for it at size().
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()), data, static_cast<int>(size));
    return text;
}

bool IsWsp(char c) { return c == ' ' || c == '\t'; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsLower(std::string_view name, std::string_view lower) {
    if (name.size() != lower.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (Lower(name[i]) != lower[i]) return false;
    }
    return true;
}

// Canonical bytes go either into a string (tests, the signature header) or into a digest
// through a stack buffer, so that the body is hashed in chunks without a copy of it.
class StringSink {
  public:
    explicit StringSink(std::string& out) : out_(out) {}
    void Put(char c) { out_.push_back(c); }
    void Put(const char* p, std::size_t n) { out_.append(p, n); }

  private:
    std::string& out_;
};

class DigestSink {
  public:
    explicit DigestSink(EVP_MD_CTX* ctx) : ctx_(ctx) {}
    DigestSink(const DigestSink&) = delete;
    DigestSink& operator=(const DigestSink&) = delete;

    void Put(char c) {
        if (used_ == sizeof buffer_) Flush();
        buffer_[used_++] = c;
    }
    void Put(const char* p, std::size_t n) {
        if (n >= kInPlace || n > sizeof buffer_ - used_) {
            Flush();
            if (n >= kInPlace) {  // a long run: hash it where it is
                ok_ = ok_ && EVP_DigestUpdate(ctx_, p, n) == 1;
                return;
            }
        }
        std::memcpy(buffer_ + used_, p, n);
        used_ += n;
    }
    // Hashes what is buffered; false if any update failed.
    bool Flush() {
        if (used_ > 0) ok_ = ok_ && EVP_DigestUpdate(ctx_, buffer_, used_) == 1;
        used_ = 0;
        return ok_;
    }

  private:
    static constexpr std::size_t kInPlace = 512;
    EVP_MD_CTX* ctx_;
    char buffer_[4096];
    std::size_t used_ = 0;
    bool ok_ = true;
};

// Whether the byte at `q` ends a run of body bytes that are already canonical: a TAB; a SP
// followed by WSP or CR or nothing (a run of WSP, or WSP at the end of a line); a CR that is
// not the CRLF of a line followed by an ordinary byte (the next line may be empty, start with
// WSP, or not exist). A lone CR, a bare LF and single spaces between words stay in the run, and
// so do line ends, so a typical MIME body is one run hashed in place.
inline bool EndsRun(const char* q, const char* end) {
    char c = *q;
    if (c == '\t') return true;
    if (c == ' ') return q + 1 == end || IsWsp(q[1]) || q[1] == '\r';
    if (c != '\r') return false;
    if (q + 1 == end || q[1] != '\n') return false;  // a lone CR is ordinary
    return q + 2 == end || IsWsp(q[2]) || q[2] == '\r';
}

// The first byte at or after `q` that ends a canonical run, or `end`. 16 bytes at a time with
// SSE2 where available: the tests on the next bytes become compares of the same block loaded
// one and two bytes further.
const char* CanonicalRunEnd(const char* q, const char* end) {
#if defined(__SSE2__)
    const __m128i sp = _mm_set1_epi8(' ');
    const __m128i tab = _mm_set1_epi8('\t');
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i lf = _mm_set1_epi8('\n');
    while (end - q >= 18) {
        __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
        __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 1));
        __m128i v2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 2));
        __m128i next_wsp_or_cr = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v1, sp), _mm_cmpeq_epi8(v1, tab)), _mm_cmpeq_epi8(v1, cr));
        __m128i after_wsp_or_cr = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v2, sp), _mm_cmpeq_epi8(v2, tab)), _mm_cmpeq_epi8(v2, cr));
        __m128i stop = _mm_or_si128(
            _mm_cmpeq_epi8(v0, tab),
            _mm_or_si128(
                _mm_and_si128(_mm_cmpeq_epi8(v0, sp), next_wsp_or_cr),
                _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(v0, cr), _mm_cmpeq_epi8(v1, lf)),
                              after_wsp_or_cr)));
        int mask = _mm_movemask_epi8(stop);
        if (mask != 0) return q + __builtin_ctz(static_cast<unsigned>(mask));
        q += 16;
    }
#endif
    while (q < end && !EndsRun(q, end)) ++q;
    return q;
}

// RFC 6376 3.4.4. Runs of WSP become one SP, WSP before a CRLF goes, CRLFs are held back until
// a non-empty line follows (so trailing empty lines vanish), and a body that has content ends
// with exactly one CRLF (added when the last line has none: an SMTP client adds it before the
// final dot anyway, which is why trailing WSP of an unterminated last line is dropped too).
// A CR not followed by LF, and a bare LF, are ordinary bytes.
template <typename Sink>
void RelaxedBody(std::string_view body, Sink& sink) {
    const char* p = body.data();
    const char* const end = p + body.size();
    std::size_t held_crlfs = 0;
    bool held_space = false;
    bool any = false;
    while (p < end) {
        char c = *p;
        if (IsWsp(c)) {
            held_space = true;
            ++p;
            continue;
        }
        if (c == '\r' && p + 1 < end && p[1] == '\n') {
            held_space = false;
            ++held_crlfs;
            p += 2;
            continue;
        }
        for (; held_crlfs > 0; --held_crlfs) sink.Put("\r\n", 2);
        if (held_space) {
            sink.Put(' ');
            held_space = false;
        }
        const char* run = CanonicalRunEnd(p + 1, end);
        sink.Put(p, static_cast<std::size_t>(run - p));
        p = run;
        any = true;
    }
    if (any) sink.Put("\r\n", 2);
}

// RFC 6376 3.4.2 for one field: lower-case name without trailing WSP, ':', the value unfolded
// with WSP runs as one SP and no WSP at either end, CRLF.
template <typename Sink>
void RelaxedHeader(std::string_view field, Sink& sink) {
    std::size_t colon = field.find(':');
    std::string_view name = field.substr(0, colon);
    while (!name.empty() && IsWsp(name.back())) name.remove_suffix(1);
    for (char c : name) sink.Put(Lower(c));
    sink.Put(':');
    if (colon != std::string_view::npos) {
        bool held_space = false;
        bool any = false;
        for (std::size_t i = colon + 1; i < field.size(); ++i) {
            char c = field[i];
            if (c == '\r' && i + 1 < field.size() && field[i + 1] == '\n') {
                ++i;  // unfolding: the CRLF goes, the WSP after it counts as WSP
                continue;
            }
            if (IsWsp(c)) {
                held_space = any;
                continue;
            }
            if (held_space) sink.Put(' ');
            held_space = false;
            sink.Put(c);
            any = true;
        }
    }
    sink.Put("\r\n", 2);
}

// One header field of the message: its name as written (without trailing WSP) and its full
// text including continuation lines and the final CRLF.
struct Field {
    std::string_view name;
    std::string_view text;
};

// Splits the header block into fields and returns the body: everything after the first empty
// line, or nothing when there is no empty line. A line that starts with WSP continues the field
// before it; a line without a colon is kept as a field with an empty name (never signed).
std::string_view SplitHeaders(std::string_view message, std::vector<Field>& fields) {
    std::size_t pos = 0;
    while (pos < message.size()) {
        std::size_t eol = message.find("\r\n", pos);
        std::size_t next = eol == std::string_view::npos ? message.size() : eol + 2;
        if (eol == pos) return message.substr(next);  // the empty line
        if (IsWsp(message[pos]) && !fields.empty()) {
            Field& last = fields.back();
            last.text =
                std::string_view(last.text.data(), message.data() + next - last.text.data());
        } else {
            std::string_view line = message.substr(pos, next - pos);
            std::size_t colon = line.find(':');
            std::string_view name =
                colon == std::string_view::npos ? std::string_view() : line.substr(0, colon);
            while (!name.empty() && IsWsp(name.back())) name.remove_suffix(1);
            fields.push_back({name, line});
        }
        pos = next;
    }
    return {};
}

// Appends `token` to a header being folded, breaking the line first ("\r\n\t") when the token
// would pass kFoldColumn. `space` puts one SP before the token when no break is needed.
class Folder {
  public:
    explicit Folder(std::string& text) : text_(text), line_start_(0) {}
    void Token(std::string_view token, bool space) {
        std::size_t column = text_.size() - line_start_;
        if (column + (space ? 1 : 0) + token.size() > kFoldColumn && column > 1) {
            text_ += "\r\n\t";
            line_start_ = text_.size() - 1;
        } else if (space) {
            text_ += ' ';
        }
        text_ += token;
    }

  private:
    std::string& text_;
    std::size_t line_start_;
};

int NoPassphrase(char*, int, int, void*) { return -1; }

struct LoadedKey {
    PkeyPtr pkey;
    DkimAlgorithm algorithm;
};

Result<LoadedKey> LoadPrivateKey(std::string_view pem) {
    if (pem.size() > 64 * 1024) {  // a 4096-bit RSA key is about 3.3 KB of PEM
        return Fail(Error::InvalidArgument("the DKIM private key text is too long"));
    }
    if (pem.find("-----BEGIN") == std::string_view::npos) {
        return Fail(Error::InvalidArgument(
            "the DKIM private key is not PEM text (no \"-----BEGIN\" line)"));
    }
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return Fail(OpenSslFailure("BIO_new_mem_buf"));
    PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
    if (!pkey) {
        Error e = Error::InvalidArgument(
            "the DKIM private key cannot be read: an unencrypted PKCS#8 or PKCS#1 PEM private "
            "key is expected");
        e.detail = TakeOpenSslErrors();
        return Fail(std::move(e));
    }
    if (EVP_PKEY_is_a(pkey.get(), "ED25519")) {
        return LoadedKey{std::move(pkey), DkimAlgorithm::kEd25519Sha256};
    }
    if (EVP_PKEY_is_a(pkey.get(), "RSA")) {
        int bits = EVP_PKEY_get_bits(pkey.get());
        if (bits < kMinRsaBits || bits > kMaxRsaBits) {
            return Fail(Error::InvalidArgument("the DKIM RSA key has " + std::to_string(bits) +
                                               " bits; 1024 to 4096 are accepted"));
        }
        return LoadedKey{std::move(pkey), DkimAlgorithm::kRsaSha256};
    }
    return Fail(Error::InvalidArgument(std::string("the DKIM private key is a ") +
                                       EVP_PKEY_get0_type_name(pkey.get()) +
                                       " key; DKIM signs with RSA or Ed25519 keys only"));
}

Result<DkimKeyPair> DescribeKey(EVP_PKEY* pkey, DkimAlgorithm algorithm) {
    DkimKeyPair pair;
    pair.algorithm = algorithm;
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        return Fail(OpenSslFailure("PEM_write_bio_PrivateKey"));
    }
    char* data = nullptr;
    long size = BIO_get_mem_data(bio.get(), &data);
    pair.private_key_pem.assign(data, static_cast<std::size_t>(size));

    if (algorithm == DkimAlgorithm::kEd25519Sha256) {
        unsigned char raw[32];
        std::size_t raw_size = sizeof raw;
        if (EVP_PKEY_get_raw_public_key(pkey, raw, &raw_size) != 1) {
            return Fail(OpenSslFailure("EVP_PKEY_get_raw_public_key"));
        }
        pair.public_key_base64 = Base64(raw, raw_size);
    } else {
        unsigned char* der = nullptr;
        int der_size = i2d_PUBKEY(pkey, &der);
        if (der_size <= 0) return Fail(OpenSslFailure("i2d_PUBKEY"));
        pair.public_key_base64 = Base64(der, static_cast<std::size_t>(der_size));
        OPENSSL_free(der);
    }
    return pair;
}

Result<std::string> ToALabel(std::string_view domain) {
    if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
    if (domain.empty()) return Fail(Error::InvalidArgument("the DKIM domain is empty"));
    bool ascii = std::all_of(domain.begin(), domain.end(),
                             [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    std::string out;
    if (ascii) {
        out.reserve(domain.size());
        for (char c : domain) out += Lower(c);
    } else {
        if (domain.find('\0') != std::string_view::npos || domain.size() > 1024) {
            return Fail(Error::InvalidArgument("the DKIM domain is not a domain name"));
        }
        std::string input(domain);
        char* raw = nullptr;
        int rc = idn2_to_ascii_8z(input.c_str(), &raw, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
        if (rc != IDN2_OK) {
            idn2_free(raw);
            return Fail(Error::InvalidArgument("the DKIM domain '" + input +
                                               "' is not a valid domain name (" +
                                               idn2_strerror(rc) + ")"));
        }
        out = raw;
        idn2_free(raw);
        for (char& c : out) c = Lower(c);
    }
    // LDH labels (RFC 6376 sub-domain), 1-63 bytes each, at most 253 in all.
    if (out.size() > 253) return Fail(Error::InvalidArgument("the DKIM domain is too long"));
    std::size_t start = 0;
    while (true) {
        std::size_t dot = out.find('.', start);
        std::string_view label(out.data() + start,
                               (dot == std::string::npos ? out.size() : dot) - start);
        bool ldh = std::all_of(label.begin(), label.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        });
        if (label.empty() || label.size() > 63 || !ldh || label.front() == '-' ||
            label.back() == '-') {
            return Fail(Error::InvalidArgument("the DKIM domain '" + std::string(domain) +
                                               "' is not a valid domain name"));
        }
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return out;
}

Status CheckSelector(std::string_view selector) {
    std::size_t start = 0;
    while (true) {
        std::size_t dot = selector.find('.', start);
        std::string_view label =
            selector.substr(start, (dot == std::string_view::npos ? selector.size() : dot) - start);
        bool ldh = std::all_of(label.begin(), label.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-';
        });
        if (label.empty() || label.size() > 63 || !ldh || label.front() == '-' ||
            label.back() == '-') {
            return Fail(Error::InvalidArgument("the DKIM selector '" + std::string(selector) +
                                               "' is not a DNS name of letters, digits and '-'"));
        }
        if (dot == std::string_view::npos) return {};
        start = dot + 1;
    }
}

}  // namespace

struct DkimSigner::State {
    PkeyPtr pkey;
    // Contexts initialised once for this key and copied per signature: initialising one costs
    // an algorithm fetch (2-3 us, under a global lock in OpenSSL 3.0), a copy 0.2 us. Copying
    // only reads the prototype (EVP_PKEY_CTX_dup and EVP_MD_CTX_copy_ex take it as const, which
    // openssl-threads(7) makes the mark of a thread-safe call).
    PkeyCtxPtr rsa_prototype;    // RSA: sign_init, PKCS#1 v1.5 padding, SHA-256
    MdCtxPtr ed25519_prototype;  // Ed25519: DigestSignInit (PureEd25519)
    DkimAlgorithm algorithm;
    std::string domain;
    std::vector<std::string> tags;     // "v=1;", "a=...;", "c=...;", "d=...;", "s=...;"
    std::vector<std::string> headers;  // lower case, no duplicates, "from" included
    const Clock* clock;
};

std::string_view DkimAlgorithmName(DkimAlgorithm algorithm) {
    return algorithm == DkimAlgorithm::kEd25519Sha256 ? "ed25519-sha256" : "rsa-sha256";
}

Result<DkimKeyPair> GenerateDkimKey(DkimAlgorithm algorithm, int rsa_bits) {
    PkeyPtr pkey;
    if (algorithm == DkimAlgorithm::kEd25519Sha256) {
        pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    } else {
        if (rsa_bits < kMinRsaBits || rsa_bits > kMaxRsaBits) {
            return Fail(Error::InvalidArgument("an RSA DKIM key has 1024 to 4096 bits, not " +
                                               std::to_string(rsa_bits)));
        }
        pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(rsa_bits)));
    }
    if (!pkey) return Fail(OpenSslFailure("EVP_PKEY_Q_keygen"));
    return DescribeKey(pkey.get(), algorithm);
}

Result<DkimKeyPair> DkimPublicFromPrivate(std::string_view private_key_pem) {
    auto key = LoadPrivateKey(private_key_pem);
    if (!key) return Fail(std::move(key.error()));
    return DescribeKey(key->pkey.get(), key->algorithm);
}

std::string DkimDnsRecord(const DkimKeyPair& key) {
    return std::string("v=DKIM1; k=") +
           (key.algorithm == DkimAlgorithm::kEd25519Sha256 ? "ed25519" : "rsa") +
           "; p=" + key.public_key_base64;
}

std::vector<std::string> SplitTxtStrings(std::string_view record) {
    std::vector<std::string> parts;
    for (std::size_t pos = 0; pos < record.size(); pos += 255) {
        parts.emplace_back(record.substr(pos, 255));
    }
    if (parts.empty()) parts.emplace_back();
    return parts;
}

std::string ZoneFileTxtValue(std::string_view record) {
    std::string out;
    for (const std::string& part : SplitTxtStrings(record)) {
        if (!out.empty()) out += ' ';
        out += '"';
        for (char c : part) {  // the record has no quotes or backslashes, but be safe
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out;
}

std::vector<std::string> DefaultSignedHeaders() {
    return {"from",
            "to",
            "subject",
            "date",
            "message-id",
            "mime-version",
            "content-type",
            "reply-to",
            "list-unsubscribe",
            "list-unsubscribe-post",
            "feedback-id"};
}

Result<DkimSigner> DkimSigner::Create(std::string_view domain, std::string_view selector,
                                      std::string_view private_key_pem,
                                      std::vector<std::string> headers, const Clock* clock) {
    auto a_label = ToALabel(domain);
    if (!a_label) return Fail(std::move(a_label.error()));
    if (auto ok = CheckSelector(selector); !ok) return Fail(std::move(ok.error()));
    auto key = LoadPrivateKey(private_key_pem);
    if (!key) return Fail(std::move(key.error()));

    auto state = std::make_unique<State>();
    state->headers.emplace_back("from");
    for (const std::string& name : headers) {
        bool printable = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
            return c > ' ' && c < 0x7f && c != ':';
        });
        if (!printable) {
            return Fail(Error::InvalidArgument("'" + name + "' is not a header field name"));
        }
        std::string lower;
        for (char c : name) lower += Lower(c);
        if (std::find(state->headers.begin(), state->headers.end(), lower) ==
            state->headers.end()) {
            state->headers.push_back(std::move(lower));
        }
    }
    if (key->algorithm == DkimAlgorithm::kRsaSha256) {
        state->rsa_prototype.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, key->pkey.get(), nullptr));
        if (!state->rsa_prototype || EVP_PKEY_sign_init(state->rsa_prototype.get()) != 1 ||
            EVP_PKEY_CTX_set_rsa_padding(state->rsa_prototype.get(), RSA_PKCS1_PADDING) != 1 ||
            EVP_PKEY_CTX_set_signature_md(state->rsa_prototype.get(), Sha256()) != 1) {
            return Fail(OpenSslFailure("RSA signing context"));
        }
    } else {
        state->ed25519_prototype.reset(EVP_MD_CTX_new());
        if (!state->ed25519_prototype ||
            EVP_DigestSignInit_ex(state->ed25519_prototype.get(), nullptr, nullptr, nullptr,
                                  nullptr, key->pkey.get(), nullptr) != 1) {
            return Fail(OpenSslFailure("Ed25519 signing context"));
        }
    }
    static const SystemClock system_clock;
    state->clock = clock != nullptr ? clock : &system_clock;
    state->algorithm = key->algorithm;
    state->pkey = std::move(key->pkey);
    state->domain = std::move(*a_label);
    state->tags = {"v=1;", "a=" + std::string(DkimAlgorithmName(state->algorithm)) + ";",
                   "c=relaxed/relaxed;", "d=" + state->domain + ";",
                   "s=" + std::string(selector) + ";"};
    return DkimSigner(std::move(state));
}

DkimSigner::DkimSigner(std::unique_ptr<State> state) : state_(std::move(state)) {}
DkimSigner::DkimSigner(DkimSigner&&) noexcept = default;
DkimSigner& DkimSigner::operator=(DkimSigner&&) noexcept = default;
DkimSigner::~DkimSigner() = default;

DkimAlgorithm DkimSigner::algorithm() const { return state_->algorithm; }
const std::string& DkimSigner::domain() const { return state_->domain; }

Status DkimSigner::Sign(std::string_view message, std::string& out) const {
    const State& s = *state_;
    std::vector<Field> fields;
    fields.reserve(32);
    std::string_view body = SplitHeaders(message, fields);

    MdCtxPtr md(EVP_MD_CTX_new());
    if (!md) return Fail(OpenSslFailure("EVP_MD_CTX_new"));

    // bh=
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_size = 0;
    {
        if (EVP_DigestInit_ex2(md.get(), Sha256(), nullptr) != 1) {
            return Fail(OpenSslFailure("EVP_DigestInit_ex2"));
        }
        DigestSink sink(md.get());
        RelaxedBody(body, sink);
        if (!sink.Flush() || EVP_DigestFinal_ex(md.get(), digest, &digest_size) != 1) {
            return Fail(OpenSslFailure("body hash"));
        }
    }
    std::string body_hash = Base64(digest, digest_size);

    // The selected fields, hashed as h= lists them. For a name that occurs n times, h= names it
    // n times and the occurrences are taken bottom-up (RFC 6376 5.4.2). "from" is listed once
    // more than it occurs (over-signing): a verifier then hashes an empty field for the extra
    // entry, so a From header added anywhere later breaks the signature, which keeps a replayed
    // message from showing a second, unsigned sender. Other names are not over-signed, so
    // relays that add headers we sign only when present (Reply-To, say) do not break it.
    if (EVP_DigestInit_ex2(md.get(), Sha256(), nullptr) != 1) {
        return Fail(OpenSslFailure("EVP_DigestInit_ex2"));
    }
    std::string header;
    header.reserve(512 + 2 * EVP_PKEY_get_size(s.pkey.get()));
    header += "DKIM-Signature: ";
    Folder folder(header);
    for (const std::string& tag : s.tags) folder.Token(tag, header.back() != ' ');
    auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(s.clock->Now().time_since_epoch());
    folder.Token("t=" + std::to_string(seconds.count()) + ";", true);

    DigestSink sink(md.get());
    std::vector<std::string_view> signed_names;  // h=, in order
    signed_names.reserve(s.headers.size() + 4);
    for (const std::string& name : s.headers) {
        bool present = false;
        for (auto it = fields.rbegin(); it != fields.rend(); ++it) {
            if (!EqualsLower(it->name, name)) continue;
            present = true;
            signed_names.push_back(name);
            RelaxedHeader(it->text, sink);
        }
        if (name == "from") {
            if (!present) {
                return Fail(Error::InvalidArgument("the message has no From header to sign"));
            }
            signed_names.push_back(name);
        }
    }
    for (std::size_t i = 0; i < signed_names.size(); ++i) {
        std::string token = i == 0 ? "h=" : "";
        token += signed_names[i];
        token += i + 1 == signed_names.size() ? ';' : ':';
        folder.Token(token, i == 0);
    }
    folder.Token("bh=" + body_hash + ";", true);
    folder.Token("b=", true);

    // The DKIM-Signature field itself, b= empty, canonicalized, without its final CRLF.
    std::string canonical;
    canonical.reserve(header.size() + 2);
    StringSink canonical_sink(canonical);
    RelaxedHeader(header, canonical_sink);
    sink.Put(canonical.data(), canonical.size() - 2);
    if (!sink.Flush() || EVP_DigestFinal_ex(md.get(), digest, &digest_size) != 1) {
        return Fail(OpenSslFailure("header hash"));
    }

    unsigned char signature[kMaxSignatureBytes];
    std::size_t signature_size = sizeof signature;
    if (s.algorithm == DkimAlgorithm::kRsaSha256) {
        PkeyCtxPtr ctx(EVP_PKEY_CTX_dup(s.rsa_prototype.get()));
        if (!ctx ||
            EVP_PKEY_sign(ctx.get(), signature, &signature_size, digest, digest_size) != 1) {
            return Fail(OpenSslFailure("RSA signature"));
        }
    } else {
        // PureEd25519 over the SHA-256 digest (RFC 8463 section 3): no pre-hash variant.
        if (EVP_MD_CTX_copy_ex(md.get(), s.ed25519_prototype.get()) != 1 ||
            EVP_DigestSign(md.get(), signature, &signature_size, digest, digest_size) != 1) {
            return Fail(OpenSslFailure("Ed25519 signature"));
        }
    }

    // b= in pieces that fold; FWS is allowed anywhere inside the base64 text.
    std::string b = Base64(signature, signature_size);
    for (std::size_t pos = 0; pos < b.size();) {
        std::size_t n = std::min<std::size_t>(kFoldColumn - 8, b.size() - pos);
        folder.Token(std::string_view(b).substr(pos, n), false);
        pos += n;
    }
    header += "\r\n";
    out += header;
    return {};
}

void CanonicalizeHeaderRelaxed(std::string_view field, std::string& out) {
    StringSink sink(out);
    RelaxedHeader(field, sink);
}

void CanonicalizeBodyRelaxed(std::string_view body, std::string& out) {
    StringSink sink(out);
    RelaxedBody(body, sink);
}

std::string DkimBodyHash(std::string_view body) {
    MdCtxPtr md(EVP_MD_CTX_new());
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_size = 0;
    if (!md || EVP_DigestInit_ex2(md.get(), Sha256(), nullptr) != 1) return {};
    DigestSink sink(md.get());
    RelaxedBody(body, sink);
    if (!sink.Flush() || EVP_DigestFinal_ex(md.get(), digest, &digest_size) != 1) return {};
    return Base64(digest, digest_size);
}

}  // namespace overture::email
