# Install rules and the Debian package (`cpack -G DEB` in the build directory). Destinations are
# relative to CPACK_PACKAGING_INSTALL_PREFIX "/": binaries in /opt/left4me, helpers, units and the
# admin wrapper under /usr/local, configuration in /etc. Maintainer scripts: deploy/debian/.
# Every program and file is listed without a guard: one that is missing fails the configure or cpack, and
# tests/integration/systemd/package.sh checks that each program is in the package.
set(LEFT4ME_PACKAGE_VERSION "${PROJECT_VERSION}" CACHE STRING "Version of the Debian package")
set(_deploy ${PROJECT_SOURCE_DIR}/deploy)
set(_units usr/local/lib/systemd/system)

install(TARGETS l4d2ctl l4d2ctl-remote l4d2web RUNTIME DESTINATION opt/left4me/bin)
install(TARGETS left4me-overlay left4me-systemctl left4me-journalctl left4me-bindguard left4me-script-sandbox
        RUNTIME DESTINATION usr/local/libexec/left4me)

install(FILES ${_deploy}/systemd/left4me-server@.service ${_deploy}/systemd/left4me-web.service
              ${_deploy}/systemd/l4d2-game.slice ${_deploy}/systemd/l4d2-build.slice
              ${_deploy}/systemd/left4me-update-check.service ${_deploy}/systemd/left4me-update-check.timer
              ${_deploy}/systemd/left4me-monitor.service ${_deploy}/systemd/left4me-workshop-refresh.service
              ${_deploy}/systemd/left4me-workshop-refresh.timer
        DESTINATION ${_units})
install(FILES ${_deploy}/systemd/left4me-server@.service.d/10-hardening.conf
        DESTINATION ${_units}/left4me-server@.service.d)
install(FILES ${_deploy}/systemd/left4me-web.service.d/10-hardening.conf
        DESTINATION ${_units}/left4me-web.service.d)
install(PROGRAMS ${_deploy}/scripts/left4me-generator DESTINATION usr/local/lib/systemd/system-generators)
install(PROGRAMS ${_deploy}/scripts/left4me DESTINATION usr/local/sbin)

set(_conffiles /etc/left4me/host.env /etc/left4me/web.env /etc/left4me/sandbox-resolv.conf /etc/sysctl.d/99-left4me.conf
               /etc/sudoers.d/left4me)
install(FILES ${_deploy}/host.env ${_deploy}/web.env DESTINATION etc/left4me
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${_deploy}/sandbox-resolv.conf DESTINATION etc/left4me)
install(FILES ${_deploy}/sysctl.d/99-left4me.conf DESTINATION etc/sysctl.d)
install(FILES ${_deploy}/sudoers.d/left4me DESTINATION etc/sudoers.d PERMISSIONS OWNER_READ GROUP_READ)
install(FILES ${_deploy}/nftables/left4me-dscp.nft ${_deploy}/nftables/left4me-a2s.nft DESTINATION opt/left4me/share/nftables)
install(FILES ${PROJECT_SOURCE_DIR}/docs/deploy.md DESTINATION opt/left4me/share/doc)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/script-overlays DESTINATION opt/left4me/share/examples)

# dpkg's control files: maintainer scripts (0755) and the conffile list.
set(_control ${PROJECT_BINARY_DIR}/debian-control)
file(MAKE_DIRECTORY ${_control})
list(JOIN _conffiles "\n" _conffile_lines)
file(WRITE ${_control}/conffiles "${_conffile_lines}\n")
foreach(script postinst prerm postrm)
  file(COPY ${_deploy}/debian/${script} DESTINATION ${_control}
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME left4me)
set(CPACK_PACKAGE_VERSION ${LEFT4ME_PACKAGE_VERSION})
set(CPACK_PACKAGE_CONTACT "left4me maintainers <left4me@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Left 4 Dead 2 server hosting: host tool, web app, systemd units")
set(CPACK_PACKAGE_DESCRIPTION "left4me runs Left 4 Dead 2 dedicated servers as hardened systemd units over one shared\n\
game installation with layered overlays per server, managed by l4d2ctl and a web app.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(_depends "libc6 (>= 2.36), libstdc++6 (>= 12), libgcc-s1, libfmt9, libyaml-cpp0.7, libmount1"
             "sudo, systemd (>= 252), libnss-systemd, util-linux, passwd" "libsqlite3-0, libsodium23")
list(JOIN _depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nftables")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${_control}/conffiles ${_control}/postinst ${_control}/prerm ${_control}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
