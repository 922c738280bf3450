# Every dependency comes from Debian 12 packages (scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(simdjson CONFIG REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)
if(PAYVOX_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(PAYVOX_BUILD_BENCHMARKS AND NOT PAYVOX_FUZZ)
  find_package(benchmark CONFIG REQUIRED)
endif()

# Boost 1.74's Asio uses std::exchange without including <utility> under
# GCC 12 in C++20; include it once for every translation unit.
add_compile_options(-include utility)
# Beast and Asio: no deprecated interfaces, and one separate-compilation-free
# header-only build.
add_compile_definitions(BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)
