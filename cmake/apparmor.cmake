# The AppArmor profile (packaging/apparmor/): installed where AppArmor loads profiles from, and a
# copy next to the other shared files. A syntax check runs as the test package.apparmor.
# /etc/apparmor.d only for the system prefixes (/usr: the .deb, /usr/local: cmake --install);
# under any other prefix (a test install in /tmp) it goes to PREFIX/etc/apparmor.d, so such an
# install writes nothing outside its prefix (cmake/apparmor-install.cmake decides at install time).
install(CODE "set(GSB_APPARMOR_PROFILE \"${CMAKE_CURRENT_SOURCE_DIR}/packaging/apparmor/gopls-sandbox\")")
install(SCRIPT ${CMAKE_CURRENT_LIST_DIR}/apparmor-install.cmake)
install(FILES packaging/apparmor/gopls-sandbox DESTINATION ${CMAKE_INSTALL_DATADIR}/gopls-sandbox/apparmor)
