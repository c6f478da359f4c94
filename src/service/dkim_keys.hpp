#pragma once
// DKIM keys (docs/email.md): one key pair per sending domain and selector. Generate creates the
// pair (Ed25519 by default, or RSA of 1024-4096 bits), Import takes an existing private key
// (PEM). The private key is sealed with the installation's SecretBox and never leaves the
// server; the API shows the public key, the DNS name and the TXT record to publish.
//
// Reading needs kReadData (the delivery screens check that the From domain has a key);
// creating and deleting need kManageChannels. Changes go to the audit trail ("dkim_key.create",
// "dkim_key.delete"). Thread-safe.
#include <optional>
#include <string>
#include <vector>

#include "channels/email/dkim.hpp"
#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/ids.hpp"
#include "service/actor.hpp"
#include "service/audit.hpp"
#include "service/page.hpp"
#include "storage/database.hpp"

namespace overture::service {

using DkimKeyId = StrongId<struct DkimKeyIdTag>;

struct DkimKey {
    DkimKeyId id;
    std::string domain;    // A-label, lower case
    std::string selector;  // lower case
    email::DkimAlgorithm algorithm = email::DkimAlgorithm::kEd25519Sha256;
    int bits = 0;  // RSA modulus size; 256 for Ed25519
    std::string public_key;
    std::string dns_name;                  // "<selector>._domainkey.<domain>"
    std::string dns_record;                // "v=DKIM1; k=ed25519; p=..."
    std::vector<std::string> txt_strings;  // the record cut in <= 255-byte strings
    TimePoint created_at;
    std::string created_by;
};

struct NewDkimKey {
    std::string domain;
    std::string selector;
    std::string algorithm = "ed25519-sha256";  // or "rsa-sha256"
    int bits = 2048;                           // RSA only
    std::optional<std::string> private_key;    // import this PEM instead of generating
};

class DkimKeyService {
  public:
    DkimKeyService(storage::Database& db, const Clock& clock, const AuditLog& audit,
                   const SecretBox& secrets)
        : db_(db), clock_(clock), audit_(audit), secrets_(secrets) {}

    // kInvalidArgument naming the field (domain, selector, algorithm, bits, privateKey);
    // kAlreadyExists when the domain already has a key with that selector.
    Result<DkimKey> Create(const Actor& actor, const NewDkimKey& in) const;
    // By domain then selector; `domain` ('' for all) keeps one domain's keys.
    Result<Page<DkimKey>> List(const Actor& actor, const PageRequest& page,
                               std::string_view domain) const;
    Result<std::int64_t> Count(const Actor& actor, std::string_view domain) const;
    Result<DkimKey> Get(const Actor& actor, DkimKeyId id) const;
    Status Delete(const Actor& actor, DkimKeyId id) const;

    // A signer for the newest key of `domain`, for the sender (no permission check; never for
    // the API). kNotFound when the domain has no key.
    Result<email::DkimSigner> SignerFor(std::string_view domain) const;

  private:
    storage::Database& db_;
    const Clock& clock_;
    const AuditLog& audit_;
    const SecretBox& secrets_;
};

}  // namespace overture::service
