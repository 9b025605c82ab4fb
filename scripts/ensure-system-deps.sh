#!/usr/bin/env bash
# Installs the system tools the end-to-end tests run for real (go, tcpdump, strace, git, chromium,
# util-linux's unshare/flock/setpriv, iproute2, openssl, zip/unzip, dumpcap, tshark, curl, script, python3) when any is missing. Debian/Ubuntu only; needs root or sudo.
# Does nothing when everything is already there, so it is cheap to run before every test run.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have go       || need+=(golang-go)
have tcpdump  || need+=(tcpdump)
have strace   || need+=(strace)
have git      || need+=(git)
have chromium || need+=(chromium)
have flock    || need+=(util-linux)
have unshare  || need+=(util-linux)
have setpriv  || need+=(util-linux)
have ip       || need+=(iproute2)
have openssl  || need+=(openssl)
have zip      || need+=(zip)
have unzip    || need+=(unzip)
have dumpcap  || need+=(wireshark-common)
have tshark   || need+=(tshark)
have curl     || need+=(curl)
have script   || need+=(bsdutils)
have python3  || need+=(python3)

if [ ${#need[@]} -eq 0 ]; then
  echo "system tools: all present (go, tcpdump, strace, git, chromium, flock, unshare, setpriv, ip, openssl, zip, unzip, dumpcap, tshark, curl, script, python3)"
  exit 0
fi

# Deduplicate.
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
echo "system tools: installing ${need[*]}"
if ! have apt-get; then
  echo "error: missing ${need[*]} and no apt-get here; install them with your package manager" >&2
  exit 2
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if have sudo; then SUDO="sudo"; else echo "error: need root (or sudo) to install ${need[*]}" >&2; exit 2; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "system tools: installed ${need[*]}"
