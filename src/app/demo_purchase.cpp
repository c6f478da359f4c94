// The `purchase` custom resource of the demo, published through SchemaService like any
// operator's change (a new data model version with its audit entry).
#include <fmt/format.h>

#include <iostream>

#include "app/demo_load.hpp"
#include "schema/model_json.hpp"

namespace overture::app {

namespace {

using schema::FieldType;

schema::Field CustomField(std::string name, FieldType type, std::string label, int length = 0) {
    schema::Field f;
    f.name = std::move(name);
    f.type = type;
    f.length = length;
    f.label = std::move(label);
    return f;
}

// The demo writes these fields; a `purchase` resource someone else published must have them.
Status CheckPurchaseShape(const schema::Resource& have) {
    for (const auto& want : PurchaseResource().fields) {
        const schema::Field* f = have.FindField(want.name);
        bool ok = f && f->type == want.type;
        for (const auto& v : want.values) ok = ok && f->FindValue(v.value);
        if (!ok) {
            return Fail(Error::FailedPrecondition(fmt::format(
                "the data model has a 'purchase' resource without the {} field the demo fills "
                "({}); load the demo into a fresh database",
                want.name, schema::FieldTypeName(want.type))));
        }
    }
    const schema::Link* link = have.FindLink("profile");
    if (!link || link->target != "profile") {
        return Fail(Error::FailedPrecondition(
            "the data model has a 'purchase' resource without a 'profile' link; load the demo "
            "into a fresh database"));
    }
    return {};
}

}  // namespace

schema::Resource PurchaseResource() {
    schema::Resource r;
    r.name = "purchase";
    r.label = "Purchase";
    r.plural_label = "Purchases";
    auto sku = CustomField("sku", FieldType::kString, "SKU", 40);
    sku.required = true;
    auto category = CustomField("category", FieldType::kEnum, "Category");
    category.values = {{"books", "Books"},
                       {"electronics", "Electronics"},
                       {"home", "Home"},
                       {"fashion", "Fashion"},
                       {"sports", "Sports"}};
    auto channel = CustomField("channel", FieldType::kEnum, "Channel");
    channel.values = {{"web", "Website"}, {"store", "Store"}, {"app", "Mobile app"}};
    r.fields = {std::move(sku),
                CustomField("product", FieldType::kString, "Product", 100),
                std::move(category),
                CustomField("amount", FieldType::kFloat, "Amount"),
                CustomField("currency", FieldType::kString, "Currency", 3),
                CustomField("quantity", FieldType::kInteger, "Quantity"),
                CustomField("purchasedAt", FieldType::kDateTime, "Purchased at"),
                std::move(channel)};
    schema::Link profile;
    profile.name = "profile";
    profile.target = "profile";
    profile.cardinality = schema::Cardinality::kOne;
    profile.reverse_name = "purchases";
    profile.label = "Profile";
    r.links = {std::move(profile)};
    return r;
}

// The model with a `purchase` resource, published now if it was missing.
Result<std::shared_ptr<const schema::Model>> EnsurePurchase(service::SchemaService& schema) {
    auto model = schema.Current();
    if (const schema::Resource* r = model->Find("purchase")) {
        if (auto st = CheckPurchaseShape(*r); !st) return Fail(st.error());
        return model;
    }
    std::vector<schema::Resource> resources = schema::CustomPart(*model).resources();
    resources.push_back(PurchaseResource());
    auto outcome = schema.Publish(service::Actor::System(), schema::Model(std::move(resources)),
                                  /*dry_run=*/false, /*allow_data_loss=*/false);
    if (!outcome) return Fail(outcome.error());
    std::cerr << fmt::format("Published data model version {}: custom resource 'purchase'\n",
                             outcome->version);
    return schema.Current();
}

}  // namespace overture::app
