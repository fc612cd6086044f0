#!/usr/bin/env bash
# Makes a self-signed certificate for local TLS testing (127.0.0.1 and localhost), valid 30 days.
# The private key is written here but never committed (.gitignore); do not use it outside a laptop.
set -euo pipefail
cd "$(dirname "$0")"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
  -subj "/CN=airlock-dev" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout dev-key.pem -out dev-cert.pem 2>/dev/null
chmod 600 dev-key.pem
echo "wrote certs/dev-cert.pem and certs/dev-key.pem; use them with:"
echo '  [listen] tls = { cert = "certs/dev-cert.pem", key = "certs/dev-key.pem" }'
