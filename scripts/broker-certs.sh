#!/usr/bin/env bash
# Makes the broker's TLS files for the tests and the bench (docs/decisions/0170): a CA of the
# project's own and a server certificate for 127.0.0.1 and localhost, under .run/certs/ (or the
# folder given). Kept when they exist and are valid for another day; a production broker uses
# certificates from the operator's own CA instead.
# Usage: scripts/broker-certs.sh [folder]     prints the folder
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$root/.run/certs}"
mkdir -p "$dir"
cd "$dir"
if [ -f server.crt ] && openssl x509 -checkend 86400 -noout -in server.crt >/dev/null 2>&1 \
  && openssl verify -CAfile ca.crt server.crt >/dev/null 2>&1; then
  echo "$dir"
  exit 0
fi
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
  -subj "/CN=onecard test broker CA" -keyout ca.key -out ca.crt \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' >server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 \
  -extfile server.ext -out server.crt 2>/dev/null
rm -f server.csr server.ext
# The broker reads the key; the CA certificate is public.
chmod 644 ca.crt server.crt
chmod 600 ca.key server.key
echo "$dir"
