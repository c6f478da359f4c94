#pragma once
// DKIM signing (RFC 6376) on OpenSSL 3: relaxed/relaxed canonicalization with rsa-sha256 or
// ed25519-sha256 (RFC 8463), plus key generation and the DNS TXT record to publish.
//
// Our own signer rather than libopendkim: research/stack.md measured 0.4-0.7 ms of library
// overhead per message, more than an Ed25519 signature costs, and the bench target needs
// thousands of signed messages per second on two cores.
//
// What a signature covers: the headers named in h= (bottom-up when a name occurs several times,
// RFC 6376 section 5.4.2) and the body hash bh= over the whole body (no l=). The tags written are
// v, a, c, d, s, t (from the Clock), h, bh, b; no x= and no i= (the identity defaults to @d).
//
// Input: an RFC 5322 message with CRLF line ends, headers + CRLF CRLF + body. A bare LF or CR
// is an ordinary byte to the signer (it is hashed as written, not taken as a line end), so a
// transport that rewrites line ends after signing breaks the signature; our MIME writer never
// writes one.
//
// Thread-safety: DkimSigner is immutable after Create; Sign may run on any number of threads at
// once (the key is read-only and shared; each call copies an OpenSSL context prepared by Create).
// The free functions are thread-safe.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"

namespace overture::email {

enum class DkimAlgorithm { kRsaSha256, kEd25519Sha256 };

// "rsa-sha256" or "ed25519-sha256": the a= value.
std::string_view DkimAlgorithmName(DkimAlgorithm algorithm);

struct DkimKeyPair {
    DkimAlgorithm algorithm = DkimAlgorithm::kRsaSha256;
    std::string private_key_pem;    // PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----")
    std::string public_key_base64;  // the p= value: DER SubjectPublicKeyInfo for RSA (what
                                    // opendkim-genkey publishes), the raw 32 bytes for Ed25519
};

// A fresh key pair. `rsa_bits` (RSA only) must be 1024-4096; RFC 8301 asks for at least 2048
// when signing, 1024 is accepted for old DNS set-ups. Fails with kInvalidArgument for a size out
// of range, kInternal if OpenSSL cannot generate the key.
Result<DkimKeyPair> GenerateDkimKey(DkimAlgorithm algorithm, int rsa_bits = 2048);

// The public half (and the key re-encoded as PKCS#8) of a stored private key, to show its
// record again. Accepts PKCS#8 and PKCS#1 ("BEGIN RSA PRIVATE KEY") PEM, unencrypted. Fails
// with kInvalidArgument when the text is not such a key, the key is neither RSA nor Ed25519, or
// an RSA key is shorter than 1024 bits.
Result<DkimKeyPair> DkimPublicFromPrivate(std::string_view private_key_pem);

// The TXT record to publish at <selector>._domainkey.<domain>: "v=DKIM1; k=rsa; p=MIIB...".
std::string DkimDnsRecord(const DkimKeyPair& key);
// A TXT value cut into character-strings of at most 255 bytes (RFC 1035 section 3.3), the way a
// zone file or a DNS provider's form wants a 2048-bit RSA record.
std::vector<std::string> SplitTxtStrings(std::string_view record);
// The same strings quoted for a zone file: "\"v=DKIM1; k=rsa; p=...\" \"...\"".
std::string ZoneFileTxtValue(std::string_view record);

// The headers signed by default, lower case. Only those present in a message are signed, except
// "from", which is always signed and over-signed (see DkimSigner).
std::vector<std::string> DefaultSignedHeaders();

class DkimSigner {
  public:
    // `domain` is the d= domain, given as U-label or A-label (it is written as the lower-case
    // A-label); `selector` is an ASCII DNS label sequence. `headers` are the names to sign
    // ("from" is added when missing; case and duplicates do not matter). `clock` gives t=; it
    // must outlive the signer, and nullptr means the system clock.
    // Fails with kInvalidArgument for a bad domain, selector, header name or key (see
    // DkimPublicFromPrivate).
    static Result<DkimSigner> Create(std::string_view domain, std::string_view selector,
                                     std::string_view private_key_pem,
                                     std::vector<std::string> headers = DefaultSignedHeaders(),
                                     const Clock* clock = nullptr);

    DkimSigner(DkimSigner&&) noexcept;
    DkimSigner& operator=(DkimSigner&&) noexcept;
    DkimSigner(const DkimSigner&) = delete;
    DkimSigner& operator=(const DkimSigner&) = delete;
    ~DkimSigner();

    // Appends one folded "DKIM-Signature: ...\r\n" header field for `message` to `out`; the
    // caller puts it in front of the message. Nothing is appended on failure: kInvalidArgument
    // when the message has no From header, kInternal when OpenSSL fails.
    Status Sign(std::string_view message, std::string& out) const;

    DkimAlgorithm algorithm() const;
    const std::string& domain() const;  // the A-label written as d=

  private:
    struct State;
    explicit DkimSigner(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

// The pieces of the algorithm, public for tests and for tools that check a message by hand.

// Relaxed header canonicalization (RFC 6376 section 3.4.2) of one header field as it appears in
// the message (name, colon, value, continuation lines, with or without its final CRLF);
// appends "name:value\r\n" to `out`.
void CanonicalizeHeaderRelaxed(std::string_view field, std::string& out);
// Relaxed body canonicalization (section 3.4.4) of a whole body; appends to `out`. An empty
// body, or one of only empty lines, canonicalizes to nothing (RFC 6376 3.4.4, not to CRLF as
// the simple algorithm does).
void CanonicalizeBodyRelaxed(std::string_view body, std::string& out);
// The bh= value: base64 of SHA-256 over the relaxed-canonicalized body, computed streaming.
std::string DkimBodyHash(std::string_view body);

}  // namespace overture::email
