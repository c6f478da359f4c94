// common may not depend on service
#include "service/users.hpp"
