#include "service/dkim_keys.hpp"

#include <fmt/format.h>

#include <limits>

#include "common/strings.hpp"
#include "service/queries.hpp"
#include "storage/field_values.hpp"

namespace overture::service {

using storage::AsInt;
using storage::AsString;
using storage::Transaction;
using storage::Value;

namespace {

constexpr std::string_view kKeyPurpose = "dkim-private-key";

DkimKey FromRow(const std::vector<Value>& r) {
    DkimKey k;
    k.id = DkimKeyId(AsInt(r[0]));
    k.domain = AsString(r[1]);
    k.selector = AsString(r[2]);
    k.algorithm = AsString(r[3]) == "rsa-sha256" ? email::DkimAlgorithm::kRsaSha256
                                                 : email::DkimAlgorithm::kEd25519Sha256;
    k.bits = static_cast<int>(AsInt(r[4]));
    k.public_key = AsString(r[5]);
    k.dns_name = k.selector + "._domainkey." + k.domain;
    k.dns_record = email::DkimDnsRecord({k.algorithm, {}, k.public_key});
    k.txt_strings = email::SplitTxtStrings(k.dns_record);
    k.created_at = FromUnixMillis(AsInt(r[7]));
    k.created_by = AsString(r[8]);
    return k;
}

Error NoSuchKey(DkimKeyId id) {
    return Error::NotFound(fmt::format("there is no DKIM key with id {}", id.value()));
}

// RSA modulus size from the base64 DER SubjectPublicKeyInfo: the length of the key as the
// record shows it is close enough to tell 1024/2048/3072/4096 apart.
int RsaBitsOf(std::string_view public_key_base64) {
    const auto der_bytes = public_key_base64.size() * 3 / 4;
    if (der_bytes < 200) return 1024;
    if (der_bytes < 330) return 2048;
    if (der_bytes < 460) return 3072;
    return 4096;
}

}  // namespace

Result<DkimKey> DkimKeyService::Create(const Actor& actor, const NewDkimKey& in) const {
    if (auto st = Require(actor, Permission::kManageChannels); !st) return Fail(st.error());
    const std::string selector = ToLower(Trim(in.selector));
    if (selector.empty() || selector.size() > 63) {
        return Fail(Error::InvalidField("selector", "selector must be 1 to 63 characters"));
    }
    const std::string domain_in(Trim(in.domain));
    if (domain_in.empty()) return Fail(Error::InvalidField("domain", "domain is required"));

    email::DkimKeyPair pair;
    int bits = 0;
    if (in.private_key) {
        auto imported = email::DkimPublicFromPrivate(*in.private_key);
        if (!imported) return Fail(Error::InvalidField("privateKey", imported.error().message));
        pair = std::move(*imported);
    } else {
        email::DkimAlgorithm algorithm;
        if (in.algorithm == "ed25519-sha256" || in.algorithm == "ed25519") {
            algorithm = email::DkimAlgorithm::kEd25519Sha256;
        } else if (in.algorithm == "rsa-sha256" || in.algorithm == "rsa") {
            algorithm = email::DkimAlgorithm::kRsaSha256;
            if (in.bits < 1024 || in.bits > 4096) {
                return Fail(Error::InvalidField(
                    "bits", "bits must be between 1024 and 4096 (2048 is usual)"));
            }
        } else {
            return Fail(Error::InvalidField(
                "algorithm", "algorithm must be \"ed25519-sha256\" or \"rsa-sha256\""));
        }
        auto generated = email::GenerateDkimKey(algorithm, in.bits);
        if (!generated) return Fail(generated.error());
        pair = std::move(*generated);
        bits = algorithm == email::DkimAlgorithm::kRsaSha256 ? in.bits : 256;
    }
    if (bits == 0) {
        bits = pair.algorithm == email::DkimAlgorithm::kRsaSha256
                   ? RsaBitsOf(pair.public_key_base64)
                   : 256;
    }
    // The signer checks the domain and selector the way signing will use them.
    auto signer = email::DkimSigner::Create(domain_in, selector, pair.private_key_pem);
    if (!signer) {
        const auto& message = signer.error().message;
        const bool about_selector = message.find("selector") != std::string::npos;
        return Fail(Error::InvalidField(about_selector ? "selector" : "domain", message));
    }
    const std::string domain = signer->domain();
    const auto now = ToUnixMillis(clock_.Now());
    const std::string sealed = secrets_.Seal(pair.private_key_pem, kKeyPurpose);
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<DkimKey> {
        auto existing = tx.Query(q::kDkimKeyFind, {domain, selector});
        if (!existing) return Fail(existing.error());
        if (!existing->empty()) {
            return Fail(Error::AlreadyExists(
                            fmt::format("{} already has a DKIM key with the selector '{}'; choose "
                                        "another selector (keys are rotated by adding a new "
                                        "selector)",
                                        domain, selector))
                            .With("field", "selector"));
        }
        auto rows =
            tx.Query(q::kDkimKeyInsert,
                     {domain, selector, std::string(email::DkimAlgorithmName(pair.algorithm)),
                      std::int64_t{bits}, pair.public_key_base64, sealed, now, actor.username});
        if (!rows) return Fail(rows.error());
        DkimKeyId id(AsInt(rows->rows.at(0).at(0)));
        if (auto st =
                audit_.Record(tx, actor, "dkim_key.create", "dkim_key", std::to_string(id.value()),
                              {{"domain", domain},
                               {"selector", selector},
                               {"algorithm", std::string(email::DkimAlgorithmName(pair.algorithm))},
                               {"imported", in.private_key ? "true" : "false"}});
            !st) {
            return Fail(st.error());
        }
        auto row = tx.Query(q::kDkimKeyGet, {id.value()});
        if (!row) return Fail(row.error());
        return FromRow(row->rows.at(0));
    });
}

Result<Page<DkimKey>> DkimKeyService::List(const Actor& actor, const PageRequest& page,
                                           std::string_view domain) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = CheckLimit(page.limit); !st) return Fail(st.error());
    auto after = DecodeCursor(page.cursor, 0);
    if (!after) return Fail(after.error());
    const std::string wanted = ToLower(Trim(domain));
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Page<DkimKey>> {
        auto rows = tx.Query(q::kDkimKeyList, {wanted, std::int64_t{page.limit} + 1, *after});
        if (!rows) return Fail(rows.error());
        Page<DkimKey> out;
        for (const auto& row : rows->rows) {
            if (out.items.size() == static_cast<std::size_t>(page.limit)) {
                out.next = EncodeCursor(out.items.back().id.value());
                break;
            }
            out.items.push_back(FromRow(row));
        }
        return out;
    });
}

Result<std::int64_t> DkimKeyService::Count(const Actor& actor, std::string_view domain) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    const std::string wanted = ToLower(Trim(domain));
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<std::int64_t> {
        auto rows = tx.Query(q::kDkimKeyCount, {wanted});
        if (!rows) return Fail(rows.error());
        return AsInt(rows->rows.at(0).at(0));
    });
}

Result<DkimKey> DkimKeyService::Get(const Actor& actor, DkimKeyId id) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<DkimKey> {
        auto rows = tx.Query(q::kDkimKeyGet, {id.value()});
        if (!rows) return Fail(rows.error());
        if (rows->empty()) return Fail(NoSuchKey(id));
        return FromRow(rows->rows[0]);
    });
}

Status DkimKeyService::Delete(const Actor& actor, DkimKeyId id) const {
    if (auto st = Require(actor, Permission::kManageChannels); !st) return Fail(st.error());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Status {
        auto rows = tx.Query(q::kDkimKeyGet, {id.value()});
        if (!rows) return Fail(rows.error());
        if (rows->empty()) return Fail(NoSuchKey(id));
        const auto key = FromRow(rows->rows[0]);
        if (auto n = tx.Exec(q::kDkimKeyDelete, {id.value()}); !n) return Fail(n.error());
        return audit_.Record(tx, actor, "dkim_key.delete", "dkim_key", std::to_string(id.value()),
                             {{"domain", key.domain}, {"selector", key.selector}});
    });
}

Result<email::DkimSigner> DkimKeyService::SignerFor(std::string_view domain) const {
    const std::string wanted = ToLower(Trim(domain));
    auto rows = storage::WithRead(
        db_, [&](Transaction& tx) { return tx.Query(q::kDkimKeyNewest, {wanted}); });
    if (!rows) return Fail(rows.error());
    if (rows->empty()) {
        return Fail(Error::NotFound(fmt::format(
            "{} has no DKIM key: generate one under Administration > DKIM keys", wanted)));
    }
    const auto& newest = rows->rows[0];
    auto pem = secrets_.Open(AsString(newest[6]), kKeyPurpose);
    if (!pem) return Fail(pem.error());
    return email::DkimSigner::Create(AsString(newest[1]), AsString(newest[2]), *pem);
}

}  // namespace overture::service
