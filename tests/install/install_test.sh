#!/usr/bin/env bash
# Installs this build tree into a temporary prefix and checks what a user gets from it:
# - each program in $PROGRAMS runs from <prefix>/bin, answers --help, and --version prints
#   "<program> <version>" with the version the build generated (version/version.cmake);
# - each has a man page whose OPTIONS name every option of its --help, and bash and zsh
#   completion that offer every option of its --help (the bash one is also run);
# - the systemd example is there;
# - samples/rtp-embed builds and runs against the staged confcast-rtp, once with
#   find_package(confcast-rtp) and once with pkg-config.
# A missing tool fails the test with the Debian package scripts/install-deps installs.
set -euo pipefail

fail() { echo "install_test: FAIL: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || fail "$1 not found: install the Debian package $2 (scripts/install-deps does)"; }
need pkg-config pkg-config
need "$CXX" g++

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/stage

"$CMAKE" --install "$BUILD_DIR" --prefix "$stage" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "cmake --install $BUILD_DIR failed"; }

version=$(sed -n 's/^#define CONFCAST_VERSION_STRING "\(.*\)"$/\1/p' "$VERSION_HEADER")
[ -n "$version" ] || fail "no version in $VERSION_HEADER"
case $version in "$PROJECT_VERSION"*) ;; *) fail "version $version does not start with project(VERSION) $PROJECT_VERSION" ;; esac

# Option names of a CLI11 --help: entries start at column 2 with a dash; names are the first
# field, comma-separated, a flag's default in braces after them ("--no-loopback{false}").
help_options() { grep -E '^  -' | awk '{print $1}' | sed 's/{[^}]*}$//' | tr ',' '\n'; }

for p in $PROGRAMS; do
  bin=$stage/bin/$p
  [ -x "$bin" ] || fail "$p is not installed in bin/"
  "$bin" --help >"$tmp/$p.help" 2>"$tmp/$p.err" || fail "$p --help exited $? ($(head -3 "$tmp/$p.err"))"
  grep -q "^Usage: $p " "$tmp/$p.help" || fail "$p --help prints no usage line"
  got=$("$bin" --version 2>&1) || fail "$p --version exited $?: $got"
  [ "$got" = "$p $version" ] || fail "$p --version printed '$got', expected '$p $version'"

  help_options <"$tmp/$p.help" >"$tmp/$p.opts"
  [ "$(wc -l <"$tmp/$p.opts")" -ge 3 ] || fail "$p --help lists fewer than 3 options"

  man=$stage/$MANDIR/man1/$p.1
  bashc=$stage/$DATADIR/bash-completion/completions/$p
  zshc=$stage/$DATADIR/zsh/vendor-completions/_$p
  for f in "$man" "$bashc" "$zshc"; do [ -s "$f" ] || fail "$f is missing or empty"; done
  grep -q "^\.TH ${p^^} 1 .*\"confcast $version\"" "$man" || fail "$man has no .TH line for $p $version"
  grep -q '^\.SH OPTIONS' "$man" || fail "$man has no OPTIONS section"
  bash -n "$bashc" || fail "$bashc is not valid bash"
  head -1 "$zshc" | grep -qx "#compdef $p" || fail "$zshc does not start with #compdef $p"

  # What the bash completion offers after "$p -", for real.
  offered=$(bash -c 'source "$1"; COMP_WORDS=("$2" -); COMP_CWORD=1; complete -p "$2" >/dev/null
                     fn=$(complete -p "$2" | sed -n "s/.*-F \([^ ]*\) .*/\1/p"); "$fn"
                     printf "%s\n" "${COMPREPLY[@]}"' _ "$bashc" "$p") || fail "$bashc does not run"
  while read -r opt; do
    man_opt=${opt//-/\\-}
    grep -qF -- "\\fB$man_opt\\fR" "$man" || fail "$p: $opt (in --help) is not in the man page"
    grep -qx -- "$opt" <<<"$offered" || fail "$p: $opt (in --help) is not offered by the bash completion"
    grep -qE -- "'(\([^)]*\))?$opt(=)?\[" "$zshc" || fail "$p: $opt (in --help) is not in the zsh completion"
  done <"$tmp/$p.opts"
  echo "install_test: $p: --help, --version ($version), man page, bash and zsh completion ($(wc -l <"$tmp/$p.opts") options)"
done

[ -s "$stage/$DOCDIR/examples/confcast-send@.service" ] || fail "the systemd example is not installed"
grep -q '^ExecStart=/usr/bin/confcast-send ' "$stage/$DOCDIR/examples/confcast-send@.service" ||
  fail "the systemd example does not start confcast-send"
[ -s "$stage/$DOCDIR/examples/room.env" ] || fail "the systemd example's EnvironmentFile is not installed"

# samples/rtp-embed against the staged library: CMake package...
gen=()
[ -n "${CMAKE_GENERATOR:-}" ] && gen=(-G "$CMAKE_GENERATOR")
[ -n "${CMAKE_MAKE_PROGRAM:-}" ] && gen+=("-DCMAKE_MAKE_PROGRAM=$CMAKE_MAKE_PROGRAM")
"$CMAKE" -S "$SOURCE_DIR/samples/rtp-embed" -B "$tmp/embed" "${gen[@]}" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_PREFIX_PATH="$stage" >"$tmp/embed.log" 2>&1 ||
  { cat "$tmp/embed.log" >&2; fail "samples/rtp-embed: find_package(confcast-rtp) from $stage failed"; }
"$CMAKE" --build "$tmp/embed" >>"$tmp/embed.log" 2>&1 ||
  { cat "$tmp/embed.log" >&2; fail "samples/rtp-embed did not build against the staged confcast::rtp"; }
grep -q "confcast-rtp_DIR:PATH=$stage/" "$tmp/embed/CMakeCache.txt" ||
  fail "samples/rtp-embed found a confcast-rtp outside the staging prefix"
"$tmp/embed/rtp-embed" || fail "rtp-embed (find_package build) failed"

# ...and pkg-config, with the prefix taken from where the .pc file is (pcfiledir).
export PKG_CONFIG_PATH=$stage/$LIBDIR/pkgconfig
flags=$(pkg-config --cflags --libs confcast-rtp) || fail "pkg-config does not find confcast-rtp in $PKG_CONFIG_PATH"
[ "$(pkg-config --modversion confcast-rtp)" = "$PROJECT_VERSION" ] || fail "confcast-rtp.pc has the wrong version"
# shellcheck disable=SC2086
"$CXX" -o "$tmp/rtp-embed-pc" "$SOURCE_DIR/samples/rtp-embed/main.cc" $flags ||
  fail "samples/rtp-embed did not build with pkg-config's flags: $flags"
"$tmp/rtp-embed-pc" || fail "rtp-embed (pkg-config build) failed"
echo "install_test: confcast-rtp: find_package(confcast-rtp) and pkg-config builds of samples/rtp-embed run"
