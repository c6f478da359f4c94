#include "storage/sqlite/db.hpp"
#include "common/error.hpp"
