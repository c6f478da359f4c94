// The built-in resources. Their tables come from migrations/<dialect>/0002_marketing.sql; a
// test checks that every column named here exists there.
#include "schema/model.hpp"

namespace overture::schema {

namespace {

Field F(std::string name, std::string column, FieldType type, std::string label, int length = 0) {
    Field f;
    f.name = std::move(name);
    f.column = std::move(column);
    f.type = type;
    f.length = length;
    f.label = std::move(label);
    f.builtin = true;
    return f;
}

Field Str(std::string name, std::string column, std::string label, int length) {
    return F(std::move(name), std::move(column), FieldType::kString, std::move(label), length);
}

Field Bool(std::string name, std::string column, std::string label) {
    return F(std::move(name), std::move(column), FieldType::kBoolean, std::move(label));
}

Field ReadOnly(Field f) {
    f.read_only = true;
    return f;
}

Field Required(Field f) {
    f.required = true;
    return f;
}

Field With(Field f, Normalizer n) {
    f.normalizer = n;
    return f;
}

Field Enum(std::string name, std::string column, std::string label, std::vector<EnumValue> values) {
    Field f = F(std::move(name), std::move(column), FieldType::kEnum, std::move(label));
    f.values = std::move(values);
    return f;
}

// id, createdAt, modifiedAt: the first fields of every resource.
std::vector<Field> Audit() {
    return {ReadOnly(F("id", "id", FieldType::kInteger, "Id")),
            ReadOnly(F("createdAt", "created_at", FieldType::kDateTime, "Created")),
            ReadOnly(F("modifiedAt", "modified_at", FieldType::kDateTime, "Modified"))};
}

Link L(std::string name, std::string target, std::string column, Cardinality c, std::string reverse,
       std::string label) {
    Link l;
    l.name = std::move(name);
    l.target = std::move(target);
    l.column = std::move(column);
    l.cardinality = c;
    l.reverse_name = std::move(reverse);
    l.label = std::move(label);
    l.builtin = true;
    return l;
}

Index I(std::string name, std::vector<std::string> fields, bool unique) {
    return Index{std::move(name), std::move(fields), unique, true};
}

void Append(std::vector<Field>& to, std::vector<Field> more) {
    for (auto& f : more) to.push_back(std::move(f));
}

Resource Profile() {
    Resource r;
    r.name = "profile";
    r.table = "profiles";
    r.label = "Profile";
    r.plural_label = "Profiles";
    r.builtin = true;
    r.fields = Audit();
    Append(r.fields,
           {
               With(Str("email", "email", "Email", 254), Normalizer::kEmail),
               ReadOnly(Str("emailDomain", "email_domain", "Email domain", 253)),
               With(Str("mobilePhone", "mobile_phone", "Mobile phone", 20), Normalizer::kPhone),
               With(Str("phone", "phone", "Phone", 20), Normalizer::kPhone),
               Str("salutation", "salutation", "Salutation", 40),
               Str("firstName", "first_name", "First name", 100),
               Str("lastName", "last_name", "Last name", 100),
               Enum("gender", "gender", "Gender",
                    {{"unknown", "Unknown"},
                     {"female", "Female"},
                     {"male", "Male"},
                     {"other", "Other"}}),
               F("birthDate", "birth_date", FieldType::kDate, "Birth date"),
               Str("language", "language", "Language", 35),
               Str("timeZone", "time_zone", "Time zone", 64),
               Str("address1", "address1", "Address line 1", 200),
               Str("address2", "address2", "Address line 2", 200),
               Str("address3", "address3", "Address line 3", 200),
               Str("postalCode", "postal_code", "Postal code", 20),
               Str("city", "city", "City", 100),
               Str("stateCode", "state_code", "State or region", 50),
               With(Str("country", "country", "Country", 2), Normalizer::kCountry),
               Bool("blockEmail", "block_email", "No longer contact by email"),
               Bool("blockSms", "block_sms", "No longer contact by SMS"),
               Bool("blockPush", "block_push", "No longer contact by push"),
               Bool("blockDirectMail", "block_direct_mail", "No longer contact by direct mail"),
               Bool("blockAll", "block_all", "No longer contact (any channel)"),
               Str("externalId", "external_id", "External id", 100),
               ReadOnly(Str("createdBy", "created_by", "Created by", 64)),
               ReadOnly(Str("modifiedBy", "modified_by", "Modified by", 64)),
           });
    r.indexes = {I("profiles_email_idx", {"email"}, false),
                 I("profiles_external_id_key", {"externalId"}, true),
                 I("profiles_mobile_phone_idx", {"mobilePhone"}, false)};
    return r;
}

Resource TestProfile() {
    Resource r;
    r.name = "testProfile";
    r.table = "test_profiles";
    r.label = "Test profile";
    r.plural_label = "Test profiles";
    r.builtin = true;
    r.fields = Audit();
    Append(r.fields,
           {
               Required(Str("label", "label", "Label", 100)),
               With(Str("email", "email", "Email", 254), Normalizer::kEmail),
               With(Str("mobilePhone", "mobile_phone", "Mobile phone", 20), Normalizer::kPhone),
               Str("firstName", "first_name", "First name", 100),
               Str("lastName", "last_name", "Last name", 100),
               With(Str("country", "country", "Country", 2), Normalizer::kCountry),
               Bool("useForProof", "use_for_proof", "Receives proofs"),
               Bool("useForTrap", "use_for_trap", "Seed address in real sends (trap)"),
               Bool("useForPreview", "use_for_preview", "Used for previews"),
           });
    // Personalization of proofs may borrow a real profile's data.
    r.links = {L("profile", "profile", "profile_id", Cardinality::kZeroOrOne, "",
                 "Profile data used for personalization")};
    return r;
}

Resource Service() {
    Resource r;
    r.name = "service";
    r.table = "services";
    r.label = "Service";
    r.plural_label = "Services";
    r.builtin = true;
    r.fields = Audit();
    Append(
        r.fields,
        {
            Required(Str("name", "name", "Internal name", 64)),
            Required(Str("label", "label", "Label", 200)),
            Str("publicLabel", "public_label", "Public label", 200),
            F("description", "description", FieldType::kText, "Description"),
            Required(Enum("channel", "channel", "Channel", {{"email", "Email"}, {"sms", "SMS"}})),
            F("validityDays", "validity_days", FieldType::kInteger,
              "Subscription validity in days (0: unlimited)"),
        });
    r.indexes = {I("services_name_key", {"name"}, true)};
    return r;
}

Resource Subscription() {
    Resource r;
    r.name = "subscription";
    r.table = "subscriptions";
    r.label = "Subscription";
    r.plural_label = "Subscriptions";
    r.builtin = true;
    r.fields = Audit();
    Append(r.fields, {
                         ReadOnly(Str("origin", "origin", "Origin", 100)),
                         ReadOnly(F("expiresAt", "expires_at", FieldType::kDateTime, "Expires")),
                     });
    r.links = {
        L("service", "service", "service_id", Cardinality::kOne, "subscriptions", "Service"),
        L("profile", "profile", "profile_id", Cardinality::kOne, "subscriptions", "Profile")};
    r.indexes = {I("subscriptions_service_profile_key", {"service", "profile"}, true),
                 I("subscriptions_profile_idx", {"profile"}, false)};
    return r;
}

Resource SubscriptionHistory() {
    Resource r;
    r.name = "subscriptionHistory";
    r.table = "subscription_history";
    r.label = "Subscription history";
    r.plural_label = "Subscription history";
    r.builtin = true;
    r.fields = Audit();
    Append(r.fields,
           {
               ReadOnly(Enum("action", "action", "Action",
                             {{"subscribe", "Subscribed"}, {"unsubscribe", "Unsubscribed"}})),
               ReadOnly(Str("origin", "origin", "Origin", 100)),
           });
    r.links = {
        L("service", "service", "service_id", Cardinality::kOne, "subscriptionHistory", "Service"),
        L("profile", "profile", "profile_id", Cardinality::kOne, "subscriptionHistory", "Profile")};
    r.indexes = {I("subscription_history_profile_idx", {"profile"}, false),
                 I("subscription_history_service_idx", {"service"}, false)};
    return r;
}

Resource Quarantine() {
    Resource r;
    r.name = "quarantine";
    r.table = "quarantine";
    r.label = "Quarantine";
    r.plural_label = "Quarantine";
    r.builtin = true;
    r.fields = Audit();
    Append(r.fields,
           {
               With(Required(Str("address", "address", "Address", 320)), Normalizer::kAddress),
               Required(Enum("channel", "channel", "Channel",
                             {{"email", "Email"}, {"sms", "SMS"}, {"push", "Push"}})),
               Required(Enum("status", "status", "Status",
                             {{"valid", "Valid"},
                              {"erroneous", "Erroneous"},
                              {"quarantined", "Quarantined"},
                              {"denylisted", "On denylist"}})),
               Str("reason", "reason", "Reason", 500),
               F("errorCount", "error_count", FieldType::kInteger, "Error count"),
               F("firstErrorAt", "first_error_at", FieldType::kDateTime, "First error"),
               F("lastErrorAt", "last_error_at", FieldType::kDateTime, "Last error"),
           });
    r.indexes = {I("quarantine_channel_address_key", {"channel", "address"}, true)};
    return r;
}

}  // namespace

const Model& BuiltinModel() {
    static const Model kModel(
        {Profile(), TestProfile(), Service(), Subscription(), SubscriptionHistory(), Quarantine()});
    return kModel;
}

}  // namespace overture::schema
