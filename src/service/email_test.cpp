// The email channel's administration on SQLite and PostgreSQL: routes (settings checked by
// field, passwords sealed at rest, one default, the maildir test action), DKIM keys (generated
// and imported, records, one key per selector, a signer that works) and bounces (rules before
// the built-in ones, the webhook all or nothing, mailbox events, permissions).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "common/crypto.hpp"
#include "service/audit.hpp"
#include "service/bounces.hpp"
#include "service/dkim_keys.hpp"
#include "service/routes.hpp"
#include "storage/field_values.hpp"
#include "storage/sql_text.hpp"
#include "storage/testing/backend_param.hpp"

namespace overture::service {
namespace {

namespace json = boost::json;

class EmailAdminTest : public storage::testing::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        InitCrypto();
        auto box = SecretBox::FromKey(std::string(32, 'z'));
        ASSERT_TRUE(box);
        secrets_ = std::make_unique<SecretBox>(std::move(*box));
        maildir_root_ = ::testing::TempDir() + "/email_admin_" + std::to_string(::getpid()) + "_" +
                        std::to_string(reinterpret_cast<std::uintptr_t>(this));
        audit_ = std::make_unique<AuditLog>(db(), clock_);
        routes_ = std::make_unique<RouteService>(db(), clock_, *audit_, *secrets_, maildir_root_);
        keys_ = std::make_unique<DkimKeyService>(db(), clock_, *audit_, *secrets_);
        bounces_ = std::make_unique<BounceService>(db(), clock_, *audit_);
        admin_ = Actor::System();
        marketer_.username = "mia";
        marketer_.role = Role::kMarketer;
    }
    void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(maildir_root_, ec);
        BackendTest::TearDown();
    }

    NewRoute Smtp(std::string name, json::object settings, std::optional<std::string> password) {
        NewRoute in;
        in.name = std::move(name);
        in.kind = "smtp";
        in.settings = std::move(settings);
        in.password = std::move(password);
        return in;
    }

    std::string FieldOf(const Error& e) {
        auto it = e.details.find("field");
        return it == e.details.end() ? "" : it->second;
    }

    FakeClock clock_{FromUnixMillis(1'800'000'000'000)};
    std::unique_ptr<SecretBox> secrets_;
    std::string maildir_root_;
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<RouteService> routes_;
    std::unique_ptr<DkimKeyService> keys_;
    std::unique_ptr<BounceService> bounces_;
    Actor admin_;
    Actor marketer_;
};

TEST_P(EmailAdminTest, RoutesHaveCheckedSettingsAndOneDefault) {
    auto first = routes_->Create(admin_, Smtp("relay", {{"host", "mail.example.com"}}, "s3cret!"));
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(first->is_default) << "the first route becomes the default";
    EXPECT_TRUE(first->has_password);
    EXPECT_EQ(first->settings.at("port").as_int64(), 25);
    EXPECT_EQ(first->settings.at("tls").as_string(), "starttls");
    EXPECT_FALSE(first->settings.contains("password"));

    NewRoute maildir;
    maildir.name = "files";
    maildir.kind = "maildir";
    maildir.settings = {{"folder", "out/box"}};
    maildir.is_default = true;
    auto second = routes_->Create(admin_, maildir);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_TRUE(second->is_default);
    auto again = routes_->Get(admin_, first->id);
    ASSERT_TRUE(again);
    EXPECT_FALSE(again->is_default) << "one default at a time";
    auto def = routes_->GetDefault(marketer_);
    ASSERT_TRUE(def);
    EXPECT_EQ(def->name, "files");

    auto dup = routes_->Create(admin_, maildir);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);

    auto deleting_default = routes_->Delete(admin_, second->id);
    ASSERT_FALSE(deleting_default);
    EXPECT_EQ(deleting_default.error().code, ErrorCode::kFailedPrecondition);
    ASSERT_TRUE(routes_->Update(admin_, first->id, RoutePatch{.is_default = true}));
    EXPECT_TRUE(routes_->Delete(admin_, second->id));

    auto page = routes_->List(marketer_, PageRequest{});
    ASSERT_TRUE(page);
    ASSERT_EQ(page->items.size(), 1u);
    EXPECT_EQ(page->items[0].name, "relay");
}

TEST_P(EmailAdminTest, BadSettingsNameTheField) {
    struct Case {
        json::object settings;
        std::string field;
    };
    const std::vector<Case> cases = {
        {{}, "smtp.host"},
        {{{"host", "h"}, {"port", 0}}, "smtp.port"},
        {{{"host", "h"}, {"port", "25"}}, "smtp.port"},
        {{{"host", "h"}, {"tls", "sometimes"}}, "smtp.tls"},
        {{{"host", "h"}, {"poolSize", 1000}}, "smtp.poolSize"},
        {{{"host", "h"}, {"verifyCertificate", "yes"}}, "smtp.verifyCertificate"},
        {{{"host", "h"}, {"colour", "blue"}}, "smtp.colour"},
        {{{"host", "mail example.com"}}, "smtp.host"},
        {{{"host", "h\r\nRCPT TO:<x@y>"}}, "smtp.host"},
    };
    for (const auto& c : cases) {
        auto r = routes_->Create(admin_, Smtp("r", c.settings, std::nullopt));
        ASSERT_FALSE(r) << json::serialize(c.settings);
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(FieldOf(r.error()), c.field) << r.error().message;
    }
    for (std::string folder : {"../etc", "/tmp/x", "a/../../b", "a//b", "a/./b", ""}) {
        NewRoute in;
        in.name = "m";
        in.kind = "maildir";
        in.settings = {{"folder", folder}};
        auto r = routes_->Create(admin_, in);
        ASSERT_FALSE(r) << folder;
        EXPECT_EQ(FieldOf(r.error()), "maildir.folder") << folder;
    }
    NewRoute bad_name = Smtp("Bad Name", {{"host", "h"}}, std::nullopt);
    EXPECT_EQ(FieldOf(routes_->Create(admin_, bad_name).error()), "name");
    NewRoute bad_kind = Smtp("k", {{"host", "h"}}, std::nullopt);
    bad_kind.kind = "carrier-pigeon";
    EXPECT_EQ(FieldOf(routes_->Create(admin_, bad_kind).error()), "kind");
}

TEST_P(EmailAdminTest, PasswordsAreSealedAtRestAndOpenForTheSender) {
    auto r = routes_->Create(
        admin_,
        Smtp("relay", {{"host", "mail.example.com"}, {"username", "overture"}, {"poolSize", 4}},
             "correct horse"));
    ASSERT_TRUE(r) << r.error().message;
    auto raw = storage::WithRead(db(), [&](storage::Transaction& tx) {
        return tx.QuerySql("SELECT secret, settings FROM email_routes", {});
    });
    ASSERT_TRUE(raw) << raw.error().message;
    const auto stored = storage::AsString(raw->rows.at(0).at(0));
    EXPECT_EQ(stored.find("correct horse"), std::string::npos);
    EXPECT_TRUE(stored.starts_with("v1."));
    EXPECT_EQ(storage::AsString(raw->rows.at(0).at(1)).find("correct"), std::string::npos);

    auto settings = routes_->SmtpSettingsOf(*r);
    ASSERT_TRUE(settings) << settings.error().message;
    EXPECT_EQ(settings->password, "correct horse");
    EXPECT_EQ(settings->username, "overture");
    EXPECT_EQ(settings->host, "mail.example.com");
    EXPECT_EQ(settings->pool_size, 4);

    // Another installation key cannot open it, and says what to do.
    auto other_box = SecretBox::FromKey(std::string(32, 'y'));
    ASSERT_TRUE(other_box);
    RouteService elsewhere(db(), clock_, *audit_, *other_box, maildir_root_);
    auto wrong = elsewhere.SmtpSettingsOf(*r);
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.error().message.find("secret key"), std::string::npos);

    // Patch: absent keeps it, a value replaces it, null removes it.
    RoutePatch keep;
    keep.settings = json::object{{"port", 587}};
    auto kept = routes_->Update(admin_, r->id, keep);
    ASSERT_TRUE(kept) << kept.error().message;
    EXPECT_TRUE(kept->has_password);
    EXPECT_EQ(kept->settings.at("port").as_int64(), 587);
    EXPECT_EQ(kept->settings.at("username").as_string(), "overture");
    RoutePatch replace;
    replace.password = std::optional<std::string>("new one");
    ASSERT_TRUE(routes_->Update(admin_, r->id, replace));
    EXPECT_EQ(routes_->SmtpSettingsOf(*routes_->Get(admin_, r->id))->password, "new one");
    RoutePatch remove;
    remove.password = std::optional<std::string>();
    auto removed = routes_->Update(admin_, r->id, remove);
    ASSERT_TRUE(removed);
    EXPECT_FALSE(removed->has_password);

    // The audit trail has the change but never the password.
    auto trail = audit_->List(admin_, PageRequest{});
    ASSERT_TRUE(trail);
    ASSERT_GE(trail->items.size(), 4u);
    for (const auto& e : trail->items) {
        EXPECT_EQ(e.details_json.find("correct horse"), std::string::npos);
        EXPECT_EQ(e.details_json.find("new one"), std::string::npos);
    }
}

TEST_P(EmailAdminTest, ARouteADeliveryMayStillSendThroughCannotBeDeleted) {
    auto def = routes_->Create(admin_, Smtp("relay", {{"host", "mail.example.com"}}, std::nullopt));
    auto other = routes_->Create(admin_, Smtp("other", {{"host", "mx.example.com"}}, std::nullopt));
    ASSERT_TRUE(def && other);
    // A delivery that is ready to send through "other", and one that finished through it.
    auto insert = [&](const char* state) {
        storage::Params p(db().dialect());
        const auto sql =
            "INSERT INTO deliveries (label, state, route_id, content, audience, "
            "settings, created_at, created_by, modified_at, modified_by) VALUES (" +
            p.Add(std::string("Newsletter ") + state) + ", " + p.Add(std::string(state)) + ", " +
            p.Add(other->id.value()) + ", '{}', '{}', '{}', 0, 'test', 0, 'test') RETURNING id";
        auto id = storage::WithWrite(
            db(), [&](storage::Transaction& tx) { return tx.QuerySql(sql, p.values()); });
        EXPECT_TRUE(id) << id.error().message;
        return id ? storage::AsInt(id->rows[0][0]) : 0;
    };
    insert("finished");
    const auto ready = insert("ready");
    auto refused = routes_->Delete(admin_, other->id);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(refused.error().message.find("Newsletter ready"), std::string::npos)
        << refused.error().message;
    // Once that delivery has finished too, the route can go.
    storage::Params p(db().dialect());
    const auto done = "UPDATE deliveries SET state = 'finished' WHERE id = " + p.Add(ready);
    ASSERT_TRUE(storage::WithWrite(
        db(), [&](storage::Transaction& tx) { return tx.ExecSql(done, p.values()); }));
    EXPECT_TRUE(routes_->Delete(admin_, other->id));
}

TEST_P(EmailAdminTest, OnlyAdministratorsChangeRoutesAndKeys) {
    auto denied = routes_->Create(marketer_, Smtp("relay", {{"host", "h"}}, std::nullopt));
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
    NewDkimKey key;
    key.domain = "example.com";
    key.selector = "s1";
    EXPECT_EQ(keys_->Create(marketer_, key).error().code, ErrorCode::kPermissionDenied);
    email::ClassificationRule rule{"x", 5, "", "", email::Outcome::kHardFailure, "x"};
    EXPECT_EQ(bounces_->CreateRule(marketer_, rule).error().code, ErrorCode::kPermissionDenied);
    EXPECT_TRUE(routes_->List(marketer_, PageRequest{}));
    EXPECT_TRUE(keys_->List(marketer_, PageRequest{}, ""));
}

TEST_P(EmailAdminTest, MaildirTestPreparesTheFolderAndDemoRouteIsMadeOnce) {
    ASSERT_TRUE(routes_->EnsureDemoRoute(admin_));
    ASSERT_TRUE(routes_->EnsureDemoRoute(admin_));
    auto page = routes_->List(admin_, PageRequest{});
    ASSERT_TRUE(page);
    ASSERT_EQ(page->items.size(), 1u);
    const auto& demo = page->items[0];
    EXPECT_EQ(demo.name, "demo-maildir");
    EXPECT_TRUE(demo.is_default);
    auto result = routes_->Test(admin_, demo.id);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_TRUE(result->ok) << result->message;
    for (const char* sub : {"tmp", "new", "cur"}) {
        EXPECT_TRUE(std::filesystem::is_directory(routes_->MaildirOf(demo) + "/" + sub));
    }
    EXPECT_TRUE(routes_->MaildirOf(demo).starts_with(maildir_root_));
}

TEST_P(EmailAdminTest, SmtpTestReportsAnUnreachableServerAsAResult) {
    // A port nothing listens on: the test answers ok=false with the reason, not an error.
    auto r = routes_->Create(admin_, Smtp("nowhere",
                                          {{"host", "127.0.0.1"},
                                           {"port", 1},
                                           {"tls", "none"},
                                           {"connectTimeoutMs", 2000},
                                           {"commandTimeoutMs", 2000}},
                                          std::nullopt));
    ASSERT_TRUE(r) << r.error().message;
    auto result = routes_->Test(admin_, r->id);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_FALSE(result->ok);
    EXPECT_FALSE(result->message.empty());
}

TEST_P(EmailAdminTest, DkimKeysAreGeneratedImportedAndSign) {
    NewDkimKey ed;
    ed.domain = "Example.COM";
    ed.selector = "S2026";
    auto key = keys_->Create(admin_, ed);
    ASSERT_TRUE(key) << key.error().message;
    EXPECT_EQ(key->domain, "example.com");
    EXPECT_EQ(key->selector, "s2026");
    EXPECT_EQ(key->algorithm, email::DkimAlgorithm::kEd25519Sha256);
    EXPECT_EQ(key->dns_name, "s2026._domainkey.example.com");
    EXPECT_EQ(key->dns_record, "v=DKIM1; k=ed25519; p=" + key->public_key);

    auto dup = keys_->Create(admin_, ed);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);

    NewDkimKey rsa;
    rsa.domain = "example.com";
    rsa.selector = "rsa1";
    rsa.algorithm = "rsa-sha256";
    rsa.bits = 2048;
    auto rsa_key = keys_->Create(admin_, rsa);
    ASSERT_TRUE(rsa_key) << rsa_key.error().message;
    EXPECT_EQ(rsa_key->bits, 2048);
    EXPECT_TRUE(rsa_key->dns_record.starts_with("v=DKIM1; k=rsa; p=MII"));
    EXPECT_GE(rsa_key->txt_strings.size(), 2u) << "a 2048-bit record needs two strings";

    // The private key is sealed in the table.
    auto raw = storage::WithRead(db(), [&](storage::Transaction& tx) {
        return tx.QuerySql("SELECT private_key FROM dkim_keys", {});
    });
    ASSERT_TRUE(raw);
    for (const auto& row : raw->rows) {
        EXPECT_EQ(storage::AsString(row[0]).find("PRIVATE KEY"), std::string::npos);
    }

    // Import: the same key pair under another selector gives the same record.
    auto generated = email::GenerateDkimKey(email::DkimAlgorithm::kEd25519Sha256);
    ASSERT_TRUE(generated);
    NewDkimKey imported;
    imported.domain = "mail.example.org";
    imported.selector = "imp";
    imported.private_key = generated->private_key_pem;
    auto imp = keys_->Create(admin_, imported);
    ASSERT_TRUE(imp) << imp.error().message;
    EXPECT_EQ(imp->public_key, generated->public_key_base64);
    NewDkimKey junk = imported;
    junk.selector = "junk";
    junk.private_key = "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n";
    auto bad = keys_->Create(admin_, junk);
    ASSERT_FALSE(bad);
    EXPECT_EQ(FieldOf(bad.error()), "privateKey");
    NewDkimKey bad_algorithm = ed;
    bad_algorithm.selector = "x";
    bad_algorithm.algorithm = "dsa";
    EXPECT_EQ(FieldOf(keys_->Create(admin_, bad_algorithm).error()), "algorithm");

    // A signer from the stored key signs.
    auto signer = keys_->SignerFor("example.com");
    ASSERT_TRUE(signer) << signer.error().message;
    EXPECT_EQ(signer->algorithm(), email::DkimAlgorithm::kRsaSha256) << "the newest key signs";
    std::string header;
    ASSERT_TRUE(signer->Sign("From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n", header));
    EXPECT_TRUE(header.starts_with("DKIM-Signature:"));
    EXPECT_FALSE(keys_->SignerFor("nokey.example"));

    auto list = keys_->List(admin_, PageRequest{.limit = 2}, "");
    ASSERT_TRUE(list);
    ASSERT_EQ(list->items.size(), 2u);
    ASSERT_TRUE(list->next);
    auto rest = keys_->List(admin_, PageRequest{.limit = 2, .cursor = *list->next}, "");
    ASSERT_TRUE(rest) << rest.error().message;
    ASSERT_EQ(rest->items.size(), 1u);
    EXPECT_EQ(rest->items[0].domain, "mail.example.org");
    EXPECT_EQ(*keys_->Count(admin_, "example.com"), 2);
    EXPECT_TRUE(keys_->Delete(admin_, imp->id));
    EXPECT_EQ(*keys_->Count(admin_, ""), 2);
}

TEST_P(EmailAdminTest, AdministratorRulesComeBeforeTheBuiltInOnes) {
    const std::string reply = "550 5.7.1 Message rejected by ACME content filter";
    auto before = bounces_->ClassifyReply(admin_, reply);
    ASSERT_TRUE(before) << before.error().message;
    EXPECT_EQ(before->code, 550);
    EXPECT_EQ(before->status, "5.7.1");

    email::ClassificationRule rule{
        "ACME filter",     5, "5.7", "acme content filter", email::Outcome::kIgnored,
        "content_rejected"};
    auto created = bounces_->CreateRule(admin_, rule);
    ASSERT_TRUE(created) << created.error().message;
    auto after = bounces_->ClassifyReply(admin_, reply);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->classification.outcome, email::Outcome::kIgnored);
    EXPECT_EQ(after->classification.reason, "content_rejected");

    auto rules = bounces_->ListRules(marketer_);
    ASSERT_TRUE(rules);
    ASSERT_GT(rules->size(), 1u);
    EXPECT_FALSE((*rules)[0].built_in);
    EXPECT_EQ((*rules)[0].rule.name, "ACME filter");
    EXPECT_TRUE(rules->back().built_in);

    email::ClassificationRule bad = rule;
    bad.text_pattern = "(unclosed";
    auto refused = bounces_->CreateRule(admin_, bad);
    ASSERT_FALSE(refused);
    EXPECT_EQ(FieldOf(refused.error()), "textPattern");
    bad = rule;
    bad.reason = "Not A Word";
    EXPECT_EQ(FieldOf(bounces_->CreateRule(admin_, bad).error()), "reason");

    ASSERT_TRUE(bounces_->DeleteRule(admin_, *created->id));
    auto back = bounces_->ClassifyReply(admin_, reply);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->classification.reason, before->classification.reason);
    EXPECT_EQ(bounces_->DeleteRule(admin_, *created->id).error().code, ErrorCode::kNotFound);
}

TEST_P(EmailAdminTest, WebhookStoresABatchAllOrNothing) {
    const std::string id1 = email::MessageId({7, 101}, "example.com");
    const std::string id2 = email::MessageId({7, 102}, "example.com");
    auto body = json::parse(R"({"events": [
        {"type": "bounce", "messageId": ")" +
                            id1 + R"(", "recipient": "a@b.example",
         "status": "5.1.1", "diagnostic": "smtp; 550 5.1.1 user unknown"},
        {"type": "complaint", "messageId": ")" +
                            id2 + R"(", "recipient": "c@d.example"}]})");
    auto stored = bounces_->RecordWebhook(admin_, body);
    ASSERT_TRUE(stored) << stored.error().message;
    ASSERT_EQ(stored->stored.size(), 2u);
    EXPECT_EQ(stored->duplicates, 0);
    EXPECT_EQ(stored->stored[0].event.classification.outcome, email::Outcome::kHardFailure);
    EXPECT_EQ(stored->stored[0].event.classification.reason, "user_unknown");
    ASSERT_TRUE(stored->stored[0].event.key);
    EXPECT_EQ(stored->stored[0].event.key->recipient_id, 101);
    EXPECT_EQ(stored->stored[1].event.kind, email::BounceKind::kComplaint);

    // One bad event: nothing of the batch is stored, and the error names it.
    auto bad = json::parse(R"({"events": [
        {"type": "bounce", "messageId": ")" +
                           id1 + R"(", "status": "4.2.2"},
        {"type": "bounce", "recipient": "x@y.example"}]})");
    auto refused = bounces_->RecordWebhook(admin_, bad);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(FieldOf(refused.error()).starts_with("events[1]")) << FieldOf(refused.error());
    EXPECT_EQ(*bounces_->Count(admin_, 0), 2);
    EXPECT_EQ(*bounces_->Count(admin_, 7), 2);
    EXPECT_EQ(*bounces_->Count(admin_, 8), 0);
    EXPECT_EQ(bounces_->RecordWebhook(marketer_, body).error().code, ErrorCode::kPermissionDenied);

    // The sender's event id makes a retried request a no-op, also within one batch.
    auto with_ids = json::parse(R"({"events": [
        {"id": "evt-1", "type": "bounce", "messageId": ")" +
                                id1 + R"(", "status": "5.1.1"},
        {"id": "evt-1", "type": "bounce", "messageId": ")" +
                                id1 + R"(", "status": "5.1.1"},
        {"id": "evt-2", "type": "bounce", "messageId": ")" +
                                id2 + R"(", "status": "4.2.2"}]})");
    auto first = bounces_->RecordWebhook(admin_, with_ids);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->stored.size(), 2u);
    EXPECT_EQ(first->duplicates, 1);
    auto retried = bounces_->RecordWebhook(admin_, with_ids);
    ASSERT_TRUE(retried) << retried.error().message;
    EXPECT_TRUE(retried->stored.empty());
    EXPECT_EQ(retried->duplicates, 3);
    auto bad_id = json::parse(R"({"id": 7, "type": "bounce", "messageId": ")" + id1 + R"("})");
    auto refused_id = bounces_->RecordWebhook(admin_, bad_id);
    ASSERT_FALSE(refused_id);
    EXPECT_EQ(FieldOf(refused_id.error()), "id");
    ASSERT_TRUE(storage::WithWrite(db(), [&](storage::Transaction& tx) -> Status {
        auto n = tx.ExecSql("DELETE FROM bounce_events WHERE external_id IS NOT NULL", {});
        if (!n) return Fail(n.error());
        return {};
    }));

    // From the mailbox: stored one by one; what is not a bounce is not stored.
    email::BounceEvent from_imap;
    from_imap.kind = email::BounceKind::kDsn;
    from_imap.key = email::MessageKey{9, 1};
    from_imap.status = "4.2.2";
    from_imap.classification = {email::Outcome::kSoftFailure, "mailbox_full"};
    auto id = bounces_->RecordFromMailbox(from_imap);
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_GT(*id, 0);
    email::BounceEvent vacation;
    EXPECT_EQ(*bounces_->RecordFromMailbox(vacation), 0);

    auto page = bounces_->List(marketer_, PageRequest{.limit = 2}, 0);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->items.size(), 2u);
    EXPECT_EQ(page->items[0].source, "imap");
    EXPECT_EQ(page->items[0].event.classification.reason, "mailbox_full");
    ASSERT_TRUE(page->next);
    auto rest = bounces_->List(marketer_, PageRequest{.limit = 2, .cursor = *page->next}, 0);
    ASSERT_TRUE(rest);
    ASSERT_EQ(rest->items.size(), 1u);
    EXPECT_EQ(rest->items[0].event.recipient, "a@b.example");
}

OVERTURE_INSTANTIATE_BACKENDS(EmailAdminTest);

}  // namespace
}  // namespace overture::service
