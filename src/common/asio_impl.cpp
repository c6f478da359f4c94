// The one translation unit that compiles Boost.Asio, Asio's TLS streams and Boost.Beast
// (separate compilation: BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION on
// overture_asio), so that the HTTP server, the SMTP client and the tests only instantiate
// templates instead of compiling the whole library again.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
