// Use cases of users, sessions, API keys and the audit trail, on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <cstring>

#include "schema/model.hpp"
#include "service/api_keys.hpp"
#include "service/audit.hpp"
#include "service/schema_service.hpp"
#include "service/sessions.hpp"
#include "service/users.hpp"
#include "storage/testing/backend_param.hpp"

namespace overture::service {
namespace {

using namespace std::chrono_literals;

// Deterministic randomness: a counter, so tokens differ but runs repeat.
class CountingRandom final : public Random {
  public:
    void Fill(void* out, std::size_t n) override {
        auto* p = static_cast<unsigned char*>(out);
        for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<unsigned char>(next_++ * 37 + i);
    }

  private:
    unsigned next_ = 1;
};

// Cheap hashing: these tests are about behaviour, not hash cost.
constexpr PasswordHashCost kCheap{1, 8 * 1024};

class ServiceTest : public storage::testing::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        InitCrypto();
        audit_ = std::make_unique<AuditLog>(db(), clock_);
        users_ = std::make_unique<UserService>(db(), clock_, *audit_, kCheap);
        auth_ = std::make_unique<AuthService>(db(), clock_, random_, AuthOptions{60min, 3, 15min});
        keys_ = std::make_unique<ApiKeyService>(db(), clock_, random_, *audit_);
        auto admin = users_->Create(Actor::System(),
                                    {"admin", "Admin", "admin-password-1", Role::kAdministrator});
        ASSERT_TRUE(admin) << admin.error().message;
        admin_ = ActorFor(*admin);
    }

    static Actor ActorFor(const User& u) {
        Actor a;
        a.user_id = u.id;
        a.username = u.username;
        a.role = u.role;
        return a;
    }

    User MakeUser(std::string name, Role role) {
        auto u = users_->Create(admin_, {name, "", name + "-password-x", role});
        EXPECT_TRUE(u) << u.error().message;
        return *u;
    }

    std::vector<AuditEntry> Audit() {
        auto page = audit_->List(admin_, {500, ""});
        EXPECT_TRUE(page);
        return page->items;
    }

    FakeClock clock_{FromUnixMillis(1'800'000'000'000)};
    CountingRandom random_;
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<UserService> users_;
    std::unique_ptr<AuthService> auth_;
    std::unique_ptr<ApiKeyService> keys_;
    Actor admin_;
};

TEST_P(ServiceTest, CreateValidatesAndAudits) {
    auto u = users_->Create(admin_, {"  Bob.Smith ", "Bob", "bob-password-1", Role::kMarketer});
    ASSERT_TRUE(u) << u.error().message;
    EXPECT_EQ(u->username, "bob.smith");
    EXPECT_EQ(u->role, Role::kMarketer);

    auto dup = users_->Create(admin_, {"BOB.SMITH", "", "bob-password-2", Role::kAnalyst});
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);

    auto short_pw = users_->Create(admin_, {"carol", "", "short", Role::kAnalyst});
    ASSERT_FALSE(short_pw);
    EXPECT_EQ(short_pw.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(short_pw.error().details.at("field"), "password");

    // The failed duplicate left no audit entry: it rolled back with its transaction.
    auto entries = Audit();
    int creates = 0;
    for (const auto& e : entries) creates += e.action == "user.create";
    EXPECT_EQ(creates, 2);  // admin (by the system) and bob
    EXPECT_EQ(entries.front().actor_name, "admin");
    EXPECT_NE(entries.front().details_json.find("bob.smith"), std::string::npos);
}

TEST_P(ServiceTest, OnlyAdministratorsManageUsers) {
    for (Role role : {Role::kAnalyst, Role::kMarketer, Role::kSupervisor, Role::kDataManager}) {
        auto actor = ActorFor(MakeUser(std::string(RoleName(role)) + "1", role));
        auto r = users_->Create(actor, {"x" + std::string(RoleName(role)), "", "long-password-1",
                                        Role::kAdministrator});
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
        EXPECT_FALSE(users_->List(actor, {}, ""));
        EXPECT_TRUE(users_->Get(actor, actor.user_id)) << "everyone may read themselves";
        EXPECT_FALSE(users_->Get(actor, admin_.user_id));
    }
}

TEST_P(ServiceTest, ListPagesAndSearches) {
    for (int i = 0; i < 7; ++i) MakeUser("user" + std::to_string(i), Role::kAnalyst);
    std::vector<std::string> seen;
    PageRequest page{3, ""};
    for (int guard = 0; guard < 10; ++guard) {
        auto p = users_->List(admin_, page, "");
        ASSERT_TRUE(p) << p.error().message;
        EXPECT_LE(p->items.size(), 3u);
        for (const auto& u : p->items) seen.push_back(u.username);
        if (!p->next) break;
        page.cursor = *p->next;
    }
    EXPECT_EQ(seen.size(), 8u);
    auto found = users_->List(admin_, {50, ""}, "USER4");
    ASSERT_TRUE(found);
    ASSERT_EQ(found->items.size(), 1u);
    EXPECT_EQ(found->items[0].username, "user4");
    auto underscore = users_->List(admin_, {50, ""}, "_");
    ASSERT_TRUE(underscore);
    EXPECT_TRUE(underscore->items.empty()) << "'_' is literal, not a wildcard";
    EXPECT_FALSE(users_->List(admin_, {0, ""}, ""));
    EXPECT_FALSE(users_->List(admin_, {10, "not-a-cursor"}, ""));
}

TEST_P(ServiceTest, LastAdministratorIsProtected) {
    auto demote = users_->Update(admin_, admin_.user_id, {.role = Role::kAnalyst});
    ASSERT_FALSE(demote);
    EXPECT_EQ(demote.error().code, ErrorCode::kFailedPrecondition);
    auto second = MakeUser("admin2", Role::kAdministrator);
    auto ok = users_->Update(admin_, second.id, {.role = Role::kMarketer});
    ASSERT_TRUE(ok) << ok.error().message;
    auto self_disable = users_->Update(admin_, admin_.user_id, {.disabled = true});
    ASSERT_FALSE(self_disable);
}

TEST_P(ServiceTest, LoginSessionsExpireAndSlide) {
    MakeUser("dana", Role::kMarketer);
    auto login = auth_->Login("Dana", "dana-password-x", "127.0.0.1");
    ASSERT_TRUE(login) << login.error().message;
    EXPECT_EQ(login->user.username, "dana");
    auto s = auth_->Authenticate(login->session_token, "127.0.0.1");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->actor.role, Role::kMarketer);
    EXPECT_EQ(s->csrf_token, login->csrf_token);

    // Used within the TTL, the session slides; unused for longer than the TTL, it expires.
    clock_.Advance(50min);
    ASSERT_TRUE(auth_->Authenticate(login->session_token, ""));
    clock_.Advance(50min);
    ASSERT_TRUE(auth_->Authenticate(login->session_token, "")) << "touched 50 min ago";
    clock_.Advance(61min);
    auto expired = auth_->Authenticate(login->session_token, "");
    ASSERT_FALSE(expired);
    EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);

    EXPECT_FALSE(auth_->Authenticate("made-up-token", ""));
    EXPECT_FALSE(auth_->Authenticate("", ""));
}

TEST_P(ServiceTest, LogoutAndDisableEndSessions) {
    auto u = MakeUser("erin", Role::kMarketer);
    auto a = auth_->Login("erin", "erin-password-x", "");
    auto b = auth_->Login("erin", "erin-password-x", "");
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(auth_->Logout(a->session_token));
    EXPECT_FALSE(auth_->Authenticate(a->session_token, ""));
    EXPECT_TRUE(auth_->Authenticate(b->session_token, ""));
    ASSERT_TRUE(users_->Update(admin_, u.id, {.disabled = true}));
    EXPECT_FALSE(auth_->Authenticate(b->session_token, ""));
    auto again = auth_->Login("erin", "erin-password-x", "");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kUnauthenticated);
}

TEST_P(ServiceTest, PasswordChangeEndsSessionsAndTakesEffect) {
    auto u = MakeUser("fred", Role::kAnalyst);
    auto a = auth_->Login("fred", "fred-password-x", "");
    ASSERT_TRUE(a);
    ASSERT_TRUE(users_->Update(admin_, u.id, {.password = std::string("a-brand-new-password")}));
    EXPECT_FALSE(auth_->Authenticate(a->session_token, ""));
    EXPECT_FALSE(auth_->Login("fred", "fred-password-x", ""));
    EXPECT_TRUE(auth_->Login("fred", "a-brand-new-password", ""));
}

TEST_P(ServiceTest, ThrottlesRepeatedFailuresPerUsername) {
    MakeUser("gina", Role::kAnalyst);
    for (int i = 0; i < 3; ++i) {
        auto r = auth_->Login("gina", "wrong-password", "10.0.0.1");
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
        clock_.Advance(1min);
    }
    auto throttled = auth_->Login("gina", "gina-password-x", "10.0.0.1");
    ASSERT_FALSE(throttled);
    EXPECT_EQ(throttled.error().code, ErrorCode::kResourceExhausted);
    EXPECT_EQ(throttled.error().details.at("retryAfterSeconds"), std::to_string(12 * 60));
    // Other users are not affected.
    EXPECT_TRUE(auth_->Login("admin", "admin-password-1", ""));
    // Once the oldest failure leaves the window, logins work again and success clears the count.
    clock_.Advance(13min);
    EXPECT_TRUE(auth_->Login("gina", "gina-password-x", ""));
    EXPECT_FALSE(auth_->Login("gina", "wrong-password", ""));
    EXPECT_TRUE(auth_->Login("gina", "gina-password-x", ""));
}

TEST_P(ServiceTest, ApiKeysCarryScopesAndRevoke) {
    auto created = keys_->Create(admin_, "ci", {Scope::kRead});
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_TRUE(created->secret.starts_with("ovk_" + created->key.prefix + "_"));
    auto actor = keys_->Authenticate(created->secret, "1.2.3.4");
    ASSERT_TRUE(actor) << actor.error().message;
    EXPECT_EQ(actor->user_id, admin_.user_id);
    EXPECT_TRUE(actor->via_api_key());
    EXPECT_TRUE(Require(*actor, Permission::kReadUsers));
    auto write = Require(*actor, Permission::kManageUsers);
    ASSERT_FALSE(write);
    EXPECT_EQ(write.error().code, ErrorCode::kPermissionDenied);
    EXPECT_FALSE(keys_->Create(*actor, "escalate", {Scope::kWrite}));

    std::string tampered = created->secret;
    tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
    EXPECT_FALSE(keys_->Authenticate(tampered, ""));

    ASSERT_TRUE(keys_->Revoke(admin_, created->key.id));
    auto revoked = keys_->Authenticate(created->secret, "");
    ASSERT_FALSE(revoked);
    EXPECT_EQ(revoked.error().code, ErrorCode::kUnauthenticated);
}

TEST_P(ServiceTest, ApiKeysAreScopedToTheirOwner) {
    auto m = ActorFor(MakeUser("mia", Role::kMarketer));
    auto mine = keys_->Create(m, "mine", {Scope::kRead, Scope::kWrite});
    auto admins = keys_->Create(admin_, "admins", {Scope::kRead});
    ASSERT_TRUE(mine && admins);
    auto list = keys_->List(m, {});
    ASSERT_TRUE(list);
    ASSERT_EQ(list->items.size(), 1u);
    EXPECT_EQ(list->items[0].name, "mine");
    auto all = keys_->List(admin_, {});
    ASSERT_TRUE(all);
    EXPECT_EQ(all->items.size(), 2u);
    auto steal = keys_->Revoke(m, admins->key.id);
    ASSERT_FALSE(steal);
    EXPECT_EQ(steal.error().code, ErrorCode::kNotFound);
    // A key of a disabled user stops working.
    ASSERT_TRUE(users_->Update(admin_, m.user_id, {.disabled = true}));
    EXPECT_FALSE(keys_->Authenticate(mine->secret, ""));
}

TEST_P(ServiceTest, BuiltinModelMatchesTheMigration) {
    // Every column the registry names for a built-in resource exists in its table.
    auto tx = db().Begin(storage::TxMode::kRead);
    ASSERT_TRUE(tx);
    for (const auto& r : schema::BuiltinModel().resources()) {
        std::string columns;
        for (const auto& f : r.fields) columns += (columns.empty() ? "" : ", ") + f.column;
        for (const auto& l : r.links) columns += ", " + l.column;
        auto rows = (*tx)->QuerySql("SELECT " + columns + " FROM " + r.table + " LIMIT 0", {});
        EXPECT_TRUE(rows) << r.name << ": " << rows.error().message << " " << rows.error().detail;
        for (const auto& ix : r.indexes) {
            // The registry's index names must be the ones the migration created.
            bool sqlite = db().dialect() == storage::Dialect::kSqlite;
            auto found = (*tx)->QuerySql(
                sqlite ? "SELECT name FROM sqlite_master WHERE type = 'index' AND name = ?1"
                       : "SELECT indexname FROM pg_indexes WHERE indexname = $1",
                std::vector<storage::Value>{ix.name});
            ASSERT_TRUE(found) << found.error().message;
            EXPECT_EQ(found->size(), 1u) << r.name << ": no index " << ix.name;
        }
    }
}

TEST_P(ServiceTest, PublishIsPersistedAndGuardsData) {
    SchemaService schema(db(), clock_, *audit_);
    ASSERT_TRUE(schema.Load());
    schema::Resource widget;
    widget.name = "widget";
    schema::Field name;
    name.name = "name";
    name.type = schema::FieldType::kString;
    name.length = 20;
    widget.fields.push_back(name);
    auto ok = schema.Publish(admin_, schema::Model({widget}), false, false);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_TRUE(ok->applied);
    ASSERT_TRUE(schema.Current()->Find("widget"));

    // A second service over the same database sees the published model after Load().
    SchemaService other(db(), clock_, *audit_);
    ASSERT_TRUE(other.Load());
    ASSERT_TRUE(other.Current()->Find("widget"));
    EXPECT_EQ(other.Current()->Find("widget")->FindField("name")->column, "x_name");

    // A publish by another process reaches a running service within two seconds.
    schema::Resource gadget = widget;
    gadget.name = "gadget";
    ASSERT_TRUE(schema.Publish(admin_, schema::Model({widget, gadget}), false, false));
    EXPECT_FALSE(other.Current()->Find("gadget")) << "checked at most every two seconds";
    clock_.Advance(std::chrono::seconds(3));
    EXPECT_TRUE(other.Current()->Find("gadget"));

    // Dropping the resource loses data: refused, and nothing changes.
    auto refused = schema.Publish(admin_, schema::Model(), false, false);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
    ASSERT_TRUE(schema.Current()->Find("widget"));
    clock_.Advance(std::chrono::seconds(3));
    auto dropped = schema.Publish(admin_, schema::Model(), false, true);
    ASSERT_TRUE(dropped) << dropped.error().message;
    EXPECT_FALSE(schema.Current()->Find("widget"));
    auto tx = db().Begin(storage::TxMode::kRead);
    ASSERT_TRUE(tx);
    EXPECT_FALSE((*tx)->QuerySql("SELECT 1 FROM x_widget", {})) << "the table is gone";
}

OVERTURE_INSTANTIATE_BACKENDS(ServiceTest);

TEST(Roles, PermissionTable) {
    EXPECT_TRUE(RoleAllows(Role::kAdministrator, Permission::kManageUsers));
    EXPECT_FALSE(RoleAllows(Role::kSupervisor, Permission::kManageUsers));
    EXPECT_FALSE(RoleAllows(Role::kAnalyst, Permission::kWriteData));
    EXPECT_TRUE(RoleAllows(Role::kMarketer, Permission::kWriteData));
    EXPECT_TRUE(RoleAllows(Role::kAnalyst, Permission::kReadData));
    for (auto name : {"administrator", "data_manager", "marketer", "supervisor", "analyst"}) {
        auto r = ParseRole(name);
        ASSERT_TRUE(r);
        EXPECT_EQ(RoleName(*r), name);
    }
    EXPECT_FALSE(ParseRole("root"));
}

}  // namespace
}  // namespace overture::service
