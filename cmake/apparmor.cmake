# The AppArmor profile (packaging/apparmor/): installed where AppArmor loads profiles from, and a
# copy next to the other shared files. A syntax check runs as the test package.apparmor.
install(FILES packaging/apparmor/gopls-sandbox DESTINATION /etc/apparmor.d)
install(FILES packaging/apparmor/gopls-sandbox DESTINATION ${CMAKE_INSTALL_DATADIR}/gopls-sandbox/apparmor)
