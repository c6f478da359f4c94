// only app/ names concrete backends
#include "storage/sqlite/db.hpp"
