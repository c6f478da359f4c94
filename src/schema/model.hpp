#pragma once
// The data model registry: the resources of the marketing database, their fields, links and
// indexes. One Model drives the REST API, validation, imports, the query editor and
// personalization, and its custom part is published as real tables and columns (plan.hpp).
//
// Built-in resources (profile, testProfile, service, subscription, subscriptionHistory,
// quarantine) come from code (builtin.cpp) and match migrations/*/0002_marketing.sql.
// Operators add custom fields, links and indexes to built-in resources, and custom resources.
// Custom items live in physical names with an "x_" prefix, so they never collide with
// built-ins added later.
//
// A Model is a plain value; immutable once built and safe to share between threads.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace overture::schema {

enum class FieldType {
    kString,   // bounded text: `length` characters at most
    kText,     // unbounded text
    kInteger,  // 64-bit
    kFloat,    // double
    kBoolean,
    kDate,      // calendar date, "YYYY-MM-DD"
    kDateTime,  // instant, "YYYY-MM-DDTHH:MM:SS.mmmZ" in UTC
    kEnum,      // one of `values` (stored as its value text)
};
std::string_view FieldTypeName(FieldType t);  // "string", "text", ..., "enum"
std::optional<FieldType> ParseFieldType(std::string_view name);

// How a built-in field's values are cleaned before they are stored.
enum class Normalizer {
    kNone,
    kEmail,    // schema/email.hpp; also fills the derived emailDomain field
    kPhone,    // schema/phone.hpp, E.164 with the record's country as default region
    kCountry,  // ISO 3166-1 alpha-2, upper case
    kAddress,  // by the record's channel: an e-mail address (email) or a phone number (sms)
};

struct EnumValue {
    std::string value;  // stored and sent in the API: "gold"
    std::string label;  // shown to people: "Gold"
};

struct Field {
    std::string name;    // API name, camelCase: "firstName"
    std::string column;  // physical column: "first_name", custom: "x_loyalty_tier"
    FieldType type = FieldType::kString;
    int length = 0;                 // kString: maximum characters, 1..4000
    std::vector<EnumValue> values;  // kEnum
    std::string label;
    std::string description;
    bool required = false;   // must be given when a record is created
    bool read_only = false;  // set by the system: id, createdAt, modifiedAt, emailDomain, ...
    bool builtin = false;
    Normalizer normalizer = Normalizer::kNone;

    const EnumValue* FindValue(std::string_view value) const;
};

enum class Cardinality {
    kOne,        // every record links to exactly one target (NOT NULL foreign key)
    kZeroOrOne,  // at most one target (nullable foreign key)
};
std::string_view CardinalityName(Cardinality c);  // "one", "zeroOrOne"
std::optional<Cardinality> ParseCardinality(std::string_view name);

// A many-to-one link from the resource that holds it to `target`, stored as a foreign key
// column. Seen from the target it is a 1-N link named `reverse_name` (profile.purchases).
struct Link {
    std::string name;    // "profile"
    std::string target;  // resource name: "profile"
    std::string column;  // "profile_id", custom: "x_profile_id"
    Cardinality cardinality = Cardinality::kZeroOrOne;
    std::string reverse_name;  // "purchases"; empty: no reverse link
    std::string label;
    bool builtin = false;
};

// A unique key (unique = true) or a plain index over fields and link columns.
struct Index {
    std::string name;                 // physical index name
    std::vector<std::string> fields;  // API names of fields or links
    bool unique = false;
    bool builtin = false;
};

struct Resource {
    std::string name;          // "profile", "purchase"
    std::string table;         // "profiles", "x_purchase"
    std::string label;         // "Profile"
    std::string plural_label;  // "Profiles"
    bool builtin = false;
    std::vector<Field> fields;  // always starts with id, createdAt, modifiedAt
    std::vector<Link> links;
    std::vector<Index> indexes;

    const Field* FindField(std::string_view name) const;
    const Link* FindLink(std::string_view name) const;
    // The fields and link columns a text search (?q=) looks in: string and text fields that
    // are not read-only.
    std::vector<const Field*> SearchFields() const;
};

// A 1-N link seen from its target: profile.purchases is (purchase, its link "profile").
struct ReverseLink {
    std::string name;        // "purchases"
    const Resource* source;  // purchase
    const Link* link;        // purchase.profile
};

class Model {
  public:
    Model() = default;
    explicit Model(std::vector<Resource> resources) : resources_(std::move(resources)) {}

    const std::vector<Resource>& resources() const { return resources_; }
    const Resource* Find(std::string_view name) const;
    // Reverse (1-N) links whose target is `resource`.
    std::vector<ReverseLink> ReverseLinks(std::string_view resource) const;

  private:
    std::vector<Resource> resources_;
};

// The built-in resources alone.
const Model& BuiltinModel();

// Checks a whole model: names ([a-z][A-Za-z0-9]{0,39}, not reserved), unique names per
// resource (fields and links share one namespace), string lengths, enumerations (at least one
// value, unique values), link targets exist, reverse names unique on their target, index fields
// exist. kInvalidArgument naming the resource and item.
Status Validate(const Model& model);

// Builds the full model from the built-ins plus the custom items of `custom` (its built-in
// items are ignored: they always come from code). Physical names of custom items are derived
// here ("x_" + snake_case). kInvalidArgument when a custom item collides with a built-in or
// breaks Validate's rules.
Result<Model> Merge(const Model& custom);

// "loyaltyTier" -> "loyalty_tier".
std::string SnakeCase(std::string_view camel);

}  // namespace overture::schema
