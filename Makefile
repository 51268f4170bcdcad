# Builds and installs Aviso. "make", then "sudo make install"; the README's
# "Install as a service" has the steps around it. "make deb" builds a Debian
# package instead (scripts/build-deb), with the Swift runtime linked in.
#
#   PREFIX         where binaries, templates and docs go (default /usr/local)
#   SYSCONFDIR     where avisod.conf and the credentials go (default /etc)
#   DESTDIR        a staging root for packaging; paths inside files ignore it
#   CONFIGURATION  the Swift build configuration to install (default release)
#   SWIFT          the swift driver for 'make' (default swift)

PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
DESTDIR ?=
CONFIGURATION ?= release
SWIFT ?= swift
INSTALL ?= install

BINDIR = $(PREFIX)/bin
DATADIR = $(PREFIX)/share/aviso
DOCDIR = $(PREFIX)/share/doc/aviso
UNITDIR = $(PREFIX)/lib/systemd/system
SYSUSERSDIR = $(PREFIX)/lib/sysusers.d
CONFDIR = $(SYSCONFDIR)/aviso
BUILDDIR = .build/$(CONFIGURATION)
CREDENTIALS = twilio-auth-token smtp-password

# The shipped unit and configuration name the /usr and /etc paths of a
# distribution package; these rewrite them to where this install puts things.
PATHS = -e 's|/usr/bin/avisod|$(BINDIR)/avisod|g' \
        -e 's|/usr/share/aviso/templates|$(DATADIR)/templates|g' \
        -e 's|/usr/share/doc/aviso|$(DOCDIR)|g' \
        -e 's|/etc/aviso|$(CONFDIR)|g'

.PHONY: all build install uninstall deb

all: build

build:
	$(SWIFT) build -c $(CONFIGURATION) --product avisod
	$(SWIFT) build -c $(CONFIGURATION) --product aviso

# Installs what 'make' built, so 'sudo make install' never builds as root.
install: $(BUILDDIR)/avisod $(BUILDDIR)/aviso
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/templates $(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	$(INSTALL) -m 0755 $(BUILDDIR)/avisod $(BUILDDIR)/aviso $(DESTDIR)$(BINDIR)/
	find Templates -type f ! -name '.*' | while read -r file; do \
	  $(INSTALL) -D -m 0644 "$$file" "$(DESTDIR)$(DATADIR)/templates/$${file#Templates/}"; \
	done
	sed $(PATHS) systemd/avisod.service > $(DESTDIR)$(UNITDIR)/avisod.service && chmod 0644 $(DESTDIR)$(UNITDIR)/avisod.service
	$(INSTALL) -m 0644 systemd/aviso.sysusers $(DESTDIR)$(SYSUSERSDIR)/aviso.conf
	sed $(PATHS) Config/avisod.conf > $(DESTDIR)$(DATADIR)/avisod.conf.example && chmod 0644 $(DESTDIR)$(DATADIR)/avisod.conf.example
	$(INSTALL) -m 0644 README.md docs/ARCHITECTURE.md docs/TEMPLATES.md docs/openapi.yaml $(DESTDIR)$(DOCDIR)/
	@# An administrator's configuration and secrets are never overwritten.
	$(INSTALL) -d -m 0755 $(DESTDIR)$(CONFDIR)
	$(INSTALL) -d -m 0700 $(DESTDIR)$(CONFDIR)/credentials
	[ -e $(DESTDIR)$(CONFDIR)/avisod.conf ] || $(INSTALL) -m 0644 $(DESTDIR)$(DATADIR)/avisod.conf.example $(DESTDIR)$(CONFDIR)/avisod.conf
	for name in $(CREDENTIALS); do \
	  [ -e $(DESTDIR)$(CONFDIR)/credentials/$$name ] || $(INSTALL) -m 0600 /dev/null $(DESTDIR)$(CONFDIR)/credentials/$$name; \
	done

$(BUILDDIR)/avisod $(BUILDDIR)/aviso:
	@echo "$@ is not built: run 'make' (as yourself, not root) before 'make install'." >&2; exit 1

# .build/deb/aviso_<version>_<arch>.deb from a release build with --static-swift-stdlib.
deb:
	SWIFT=$(SWIFT) scripts/build-deb

# Leaves the configuration, the credentials and /var/lib/aviso (the database) in place.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/avisod $(DESTDIR)$(BINDIR)/aviso $(DESTDIR)$(UNITDIR)/avisod.service $(DESTDIR)$(SYSUSERSDIR)/aviso.conf
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)
