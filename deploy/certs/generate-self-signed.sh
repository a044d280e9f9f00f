#!/bin/sh
# Create a self-signed TLS certificate for nginx -- once.
#
# Run by the one-shot `certs` service of docker-compose.yml on every
# `docker compose up`. It writes
#     $CERT_DIR/server.crt   (certificate, PEM; may hold the full chain)
#     $CERT_DIR/server.key   (private key, PEM, unencrypted)
# only when neither exists. Existing files are never touched, so a hospital
# that puts its own certificate there keeps it (see deploy/README.md).
#
# Environment:
#   CERT_DIR        target directory                      (default /certs)
#   TLS_HOSTNAMES   names/IPs for subjectAltName, comma or space separated;
#                   the first one is also the subject CN  (default localhost)
#                   e.g. "logistics.hospital.local,logistics,10.20.0.15"
#   TLS_DAYS        validity in days (825 = the maximum Apple platforms
#                   accept for TLS server certificates)    (default 825)
#   TLS_KEY_TYPE    rsa (RSA 2048) or ec (ECDSA P-256)     (default rsa)
#
# Exit status: 0 if a usable pair exists afterwards, non-zero otherwise
# (nginx does not start until this succeeds).
set -eu
set -f  # no globbing: TLS_HOSTNAMES may contain wildcards like *.hospital.local

CERT_DIR=${CERT_DIR:-/certs}
TLS_HOSTNAMES=${TLS_HOSTNAMES:-localhost}
TLS_DAYS=${TLS_DAYS:-825}
TLS_KEY_TYPE=${TLS_KEY_TYPE:-rsa}

CRT="$CERT_DIR/server.crt"
KEY="$CERT_DIR/server.key"

log() { printf 'certs: %s\n' "$*"; }
die() { printf 'certs: ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- keep existing
if [ -s "$CRT" ] && [ -s "$KEY" ]; then
    log "keeping existing $CRT and $KEY"
    if [ ! -r "$CRT" ]; then
        log "cannot read $CRT as UID $(id -u); skipping checks (nginx reads it as root)"
        exit 0
    fi
    openssl x509 -in "$CRT" -noout >/dev/null 2>&1 \
        || die "$CRT is not a PEM certificate"
    openssl x509 -in "$CRT" -noout -subject -enddate | sed 's/^/certs:   /'
    openssl x509 -in "$CRT" -noout -checkend 2592000 >/dev/null 2>&1 \
        || log "WARNING: $CRT expires within 30 days (or has expired)"
    # Catch a certificate/key mix-up here rather than in nginx's error log.
    # A key readable only by root (hospital-supplied, bind-mounted) is fine
    # for nginx, which reads it as root: then the check is skipped.
    if [ -r "$KEY" ]; then
        crt_pub=$(openssl x509 -in "$CRT" -noout -pubkey 2>/dev/null) || crt_pub=x
        key_pub=$(openssl pkey -in "$KEY" -passin pass: -pubout 2>/dev/null) \
            || die "$KEY is not an unencrypted PEM private key (nginx cannot use a passphrase-protected key)"
        [ "$crt_pub" = "$key_pub" ] || die "$KEY does not belong to $CRT"
    else
        log "cannot read $KEY as UID $(id -u); skipping the key/certificate match check"
    fi
    exit 0
fi
if [ -e "$CRT" ] || [ -e "$KEY" ]; then
    die "only one of $CRT / $KEY exists (or one is empty); refusing to overwrite. Supply both files, or delete the stray one to get a new self-signed pair."
fi

# ---------------------------------------------------------------- validate input
case $TLS_DAYS in
    '' | *[!0-9]*) die "TLS_DAYS must be a number of days, got '$TLS_DAYS'" ;;
esac
case $TLS_KEY_TYPE in
    rsa) newkey="rsa:2048"; pkeyopt=""
        key_usage="digitalSignature, keyEncipherment" ;;
    ec) newkey="ec"; pkeyopt="ec_paramgen_curve:prime256v1"
        key_usage="digitalSignature" ;;
    *) die "TLS_KEY_TYPE must be 'rsa' or 'ec', got '$TLS_KEY_TYPE'" ;;
esac
[ -d "$CERT_DIR" ] || mkdir -p "$CERT_DIR" || die "cannot create $CERT_DIR"
[ -w "$CERT_DIR" ] || die "$CERT_DIR is not writable by UID $(id -u)"

# ---------------------------------------------------------------- build config
umask 077
tmp_cnf="$CERT_DIR/.openssl.$$.cnf"
tmp_key="$CERT_DIR/.server.key.$$"
tmp_crt="$CERT_DIR/.server.crt.$$"
cleanup() { rm -f "$tmp_cnf" "$tmp_key" "$tmp_crt"; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# IPv4 (digits and dots) or IPv6 (hex digits, colons, dots, at least one
# colon) go into IP entries, anything else into DNS entries.
is_ip() {
    case $1 in
        *[!0-9.]*) ;;
        *.*) return 0 ;;
    esac
    case $1 in
        *[!0-9A-Fa-f:.]*) return 1 ;;
        *:*) return 0 ;;
    esac
    return 1
}

cn=""
dns_n=0
ip_n=0
alt=""
for name in $(printf '%s' "$TLS_HOSTNAMES" | tr ',' ' '); do
    [ -n "$cn" ] || cn=$name
    if is_ip "$name"; then
        ip_n=$((ip_n + 1))
        alt="${alt}IP.${ip_n} = ${name}
"
    else
        dns_n=$((dns_n + 1))
        alt="${alt}DNS.${dns_n} = ${name}
"
    fi
done
[ -n "$cn" ] || die "TLS_HOSTNAMES is empty"

cat > "$tmp_cnf" <<EOF
[req]
prompt             = no
distinguished_name = dn
x509_extensions    = v3

[dn]
CN = $cn
O  = Hospital logistics (self-signed)

[v3]
basicConstraints     = critical, CA:FALSE
keyUsage             = critical, $key_usage
extendedKeyUsage     = serverAuth
subjectKeyIdentifier = hash
subjectAltName       = @alt

[alt]
$alt
EOF

# ---------------------------------------------------------------- generate
log "creating self-signed certificate for: $TLS_HOSTNAMES ($TLS_KEY_TYPE, $TLS_DAYS days)"
set -- req -x509 -new -newkey "$newkey"
[ -z "$pkeyopt" ] || set -- "$@" -pkeyopt "$pkeyopt"
set -- "$@" -nodes -sha256 -days "$TLS_DAYS" -config "$tmp_cnf" -extensions v3 \
    -keyout "$tmp_key" -out "$tmp_crt"
# openssl prints key-generation progress on stderr: show it only on failure.
out=$(openssl "$@" 2>&1) || die "openssl failed: $out"

chmod 600 "$tmp_key"
chmod 644 "$tmp_crt"
# Key first: a crash in between leaves "key without certificate", which the
# next run reports instead of silently pairing mismatched files.
mv -f "$tmp_key" "$KEY"
mv -f "$tmp_crt" "$CRT"

log "wrote $CRT and $KEY"
openssl x509 -in "$CRT" -noout -subject -enddate -fingerprint -sha256 \
    | sed 's/^/certs:   /'
log "browsers will warn until this certificate (or the hospital's own) is trusted"
