#pragma once
// JSON shapes of service types as the API shows them (camelCase, RFC 3339 times).
#include <boost/json/object.hpp>

#include "service/api_keys.hpp"
#include "service/users.hpp"

namespace overture::http {

boost::json::object UserJson(const service::User& user);
boost::json::object ApiKeyJson(const service::ApiKey& key);

}  // namespace overture::http
