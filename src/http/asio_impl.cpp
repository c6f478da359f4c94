// The one translation unit that compiles Boost.Asio and Boost.Beast (separate compilation,
// BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION on overture_http), so that
// server.cpp and the tests only instantiate templates instead of compiling the whole library.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
