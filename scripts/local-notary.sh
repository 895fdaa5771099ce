#!/usr/bin/env bash
# local-notary.sh - a throwaway Notary v1 server on this machine, to try notary-gate (docs/getting-started.md).
#
# Usage:  eval "$(scripts/local-notary.sh start [DIR])"    start; prints `export NOTARY_...=` lines on stdout
#         scripts/local-notary.sh stop [DIR]                stop the processes started from DIR (by their PIDs)
#
#   DIR   where the CA, certificates, configurations, logs, PID files and the notary client's trust directory go
#         (default ./notary-demo). Remove it after `stop` to forget every key made here.
#
# Starts notary-signer (gRPC with mutual TLS; it holds the timestamp keys, ECDSA as on Docker Hub) and
# notary-server (HTTPS), both on 127.0.0.1 only, with in-memory storage: a restart loses all trust data.
# Ports: NOTARY_PORT (default 4443) for notary-server, NOTARY_SIGNER_PORT (default NOTARY_PORT+1) for the signer.
# Needs the notary package (Debian/Ubuntu: apt-get install notary), openssl and node.
#
# Prints on stdout (for eval): NOTARY_URL, NOTARY_CA (the CA of the server's TLS certificate), NOTARY_CONFIG (a
# notary client configuration naming the server, the CA and the trust directory: `notary -c "$NOTARY_CONFIG" ...`),
# NOTARY_SERVER_PID and NOTARY_SIGNER_PID. How to stop it goes to stderr.
set -euo pipefail

command=${1:-}
DIR=${2:-./notary-demo}
log() { echo "local-notary: $*" >&2; }
alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop() {
  local stopped=()
  for name in server signer; do
    local file="$DIR/$name.pid"
    if alive "$file"; then
      kill "$(cat "$file")" && stopped+=("notary-$name $(cat "$file")")
    fi
    rm -f "$file"
  done
  log "stopped ${stopped[*]:-nothing (no process from $DIR was running)}"
}

# The server answers its health endpoint once it can reach the signer; node is there wherever notary-gate is.
healthy() {
  node -e '
    const https = require("node:https");
    const request = https.get(process.argv[1], { ca: require("node:fs").readFileSync(process.argv[2]), timeout: 1000 },
      (res) => { res.resume(); process.exit(res.statusCode === 200 ? 0 : 1); });
    request.on("error", () => process.exit(1));
    request.on("timeout", () => { request.destroy(); process.exit(1); });
  ' "$1/_notary_server/health" "$DIR/ca.crt" 2>/dev/null
}

# The signer is ready once its gRPC port accepts connections; notary-server must not start before (its first
# key request would fail with a 500 that `notary init` reports as "unable to reach trust server").
listening() {
  node -e '
    const socket = require("node:net").connect(Number(process.argv[1]), "127.0.0.1");
    socket.once("connect", () => { socket.destroy(); process.exit(0); });
    socket.once("error", () => process.exit(1));
  ' "$1" 2>/dev/null
}

# One CA; one certificate for 127.0.0.1 and localhost used for HTTPS, the signer's gRPC, and mutual TLS between them.
certificates() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=local-notary-ca \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$DIR/ca.key" -out "$DIR/ca.crt" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=notary-server \
    -keyout "$DIR/server.key" -out "$DIR/server.csr" 2>/dev/null
  printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' 'extendedKeyUsage=serverAuth,clientAuth' >"$DIR/ext.cnf"
  openssl x509 -req -in "$DIR/server.csr" -CA "$DIR/ca.crt" -CAkey "$DIR/ca.key" -CAcreateserial -days 30 \
    -extfile "$DIR/ext.cnf" -out "$DIR/server.crt" 2>/dev/null
}

start() {
  for tool in notary-server notary-signer notary openssl node; do
    command -v "$tool" >/dev/null || { log "$tool is not installed (Debian/Ubuntu: apt-get install notary openssl)"; exit 1; }
  done
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  if alive "$DIR/server.pid" || alive "$DIR/signer.pid"; then
    log "a Notary started from $DIR is still running: $0 stop $DIR first"
    exit 1
  fi
  local port=${NOTARY_PORT:-4443}
  local signer_port=${NOTARY_SIGNER_PORT:-$((port + 1))}
  local url="https://127.0.0.1:$port"
  [[ -s $DIR/server.crt ]] || certificates

  cat >"$DIR/signer.json" <<EOF
{ "server": { "grpc_addr": "127.0.0.1:$signer_port", "tls_cert_file": "server.crt", "tls_key_file": "server.key",
              "client_ca_file": "ca.crt" },
  "storage": { "backend": "memory" }, "logging": { "level": "warn" } }
EOF
  cat >"$DIR/server.json" <<EOF
{ "server": { "http_addr": "127.0.0.1:$port", "tls_cert_file": "server.crt", "tls_key_file": "server.key" },
  "trust_service": { "type": "remote", "hostname": "127.0.0.1", "port": "$signer_port", "key_algorithm": "ecdsa",
                     "tls_ca_file": "ca.crt", "tls_client_cert": "server.crt", "tls_client_key": "server.key" },
  "storage": { "backend": "memory" }, "logging": { "level": "warn" } }
EOF
  cat >"$DIR/client.json" <<EOF
{ "trust_dir": "$DIR/trust", "remote_server": { "url": "$url", "root_ca": "$DIR/ca.crt" } }
EOF

  # Detached from this shell's output, so that `eval "$(...)"` returns once the server is up.
  (cd "$DIR" && exec notary-signer -config signer.json </dev/null >signer.log 2>&1) &
  echo $! >"$DIR/signer.pid"
  for _ in $(seq 1 100); do
    if listening "$signer_port" || ! alive "$DIR/signer.pid"; then break; fi
    sleep 0.1
  done
  (cd "$DIR" && exec notary-server -config server.json </dev/null >server.log 2>&1) &
  echo $! >"$DIR/server.pid"
  for _ in $(seq 1 100); do
    if healthy "$url"; then break; fi
    if ! alive "$DIR/server.pid" || ! alive "$DIR/signer.pid"; then break; fi
    sleep 0.1
  done
  if ! healthy "$url"; then
    log "notary-server did not become healthy; its log:"
    tail -n 20 "$DIR/server.log" "$DIR/signer.log" >&2 || true
    stop
    exit 1
  fi

  local server_pid signer_pid
  server_pid=$(cat "$DIR/server.pid")
  signer_pid=$(cat "$DIR/signer.pid")
  echo "export NOTARY_URL=$url"
  echo "export NOTARY_CA=$DIR/ca.crt"
  echo "export NOTARY_CONFIG=$DIR/client.json"
  echo "export NOTARY_SERVER_PID=$server_pid"
  echo "export NOTARY_SIGNER_PID=$signer_pid"
  log "notary-server on $url (PID $server_pid), notary-signer on 127.0.0.1:$signer_port (PID $signer_pid)"
  log "memory storage: stopping them loses every signature. Stop them with: kill $server_pid $signer_pid"
  log "  (or: $0 stop $DIR)"
}

case $command in
start) start ;;
stop) stop ;;
*)
  echo "usage: $0 start [DIR] | stop [DIR]" >&2
  exit 2
  ;;
esac
