# `cmake --install` and the Debian package (CPack): payvoxd and payvoxctl,
# a default config, the systemd unit, the alerting rules, the protos and
# the docs. `cpack -G DEB` in a build folder makes payvox_<version>_<arch>.deb;
# tests/package_test.sh builds it and checks what it installs.
include(GNUInstallDirs)
# Installing (and so cpack) needs only what is installed built, not every
# test and benchmark: `cmake --build --target payvoxd payvoxctl` first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS payvoxd payvoxctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The default config goes to /etc/payvox when the prefix is /usr (the
# package; it is a conffile), to <prefix>/etc/payvox otherwise. Decided at
# install time: CPack installs with the packaging prefix, not the build's.
install(CODE "set(payvox_config \"${PROJECT_SOURCE_DIR}/deploy/debian/payvoxd.json\")")
install(CODE [[
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(payvox_etc /etc/payvox)
  else()
    set(payvox_etc "${CMAKE_INSTALL_PREFIX}/etc/payvox")
  endif()
  file(INSTALL DESTINATION "${payvox_etc}" TYPE FILE FILES "${payvox_config}")
]])
install(FILES deploy/debian/payvoxd.service DESTINATION lib/systemd/system)
install(FILES deploy/prometheus/payvox-alerts.yml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/payvox/prometheus)
install(DIRECTORY proto/payvox DESTINATION ${CMAKE_INSTALL_DATADIR}/payvox/proto
        FILES_MATCHING PATTERN "*.proto")
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME payvox)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Stripe actions for AI voice agents, with policy and audit")
set(CPACK_PACKAGE_CONTACT "payvox <payvox@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# Depends from the binaries' shared libraries (dpkg-shlibdeps).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# For online backups of the store (docs/operations.md).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS sqlite3)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/prerm ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
