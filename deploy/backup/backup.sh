#!/bin/sh
# Daily backups of the logistics database (pg_dump, custom format) and of the
# media files (photos, attachments), with retention.
#
# Runs in the `backup` service of docker-compose.yml (postgres:16-alpine image,
# so pg_dump matches the server's major version):
#     sh /usr/local/bin/backup.sh loop    # the service: once a day at BACKUP_TIME
#     sh /usr/local/bin/backup.sh now     # one backup right now (before upgrades)
#
# Environment:
#   PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE   the database (libpq's own
#                      variables, so the password is not on any command line)
#   BACKUP_DIR         where the files go                     (default /backups)
#   MEDIA_DIR          media volume, mounted here             (default /media)
#   BACKUP_MEDIA       1 = also archive MEDIA_DIR, 0 = skip    (default 1)
#   BACKUP_KEEP_DAYS   delete backups older than this          (default 14)
#   BACKUP_TIME        HH:MM, daily, in the container's TZ     (default 02:30)
#
# Files: logistics-YYYYmmdd-HHMMSS.dump and media-YYYYmmdd-HHMMSS.tar.gz, plus
# .last-success (touched after each complete backup; the healthcheck reads it).
# Old files are pruned only after a successful backup, so a broken database
# connection never eats the existing backups.
set -eu

BACKUP_DIR=${BACKUP_DIR:-/backups}
MEDIA_DIR=${MEDIA_DIR:-/media}
BACKUP_MEDIA=${BACKUP_MEDIA:-1}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}
BACKUP_TIME=${BACKUP_TIME:-02:30}
STAMP_FILE="$BACKUP_DIR/.last-success"

log() { printf '%s backup: %s\n' "$(date '+%Y-%m-%dT%H:%M:%S%z')" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# "08" -> 8 (a leading zero would make $(( )) read the number as octal).
decimal() {
    n=$1
    while [ "${#n}" -gt 1 ] && [ "${n#0}" != "$n" ]; do n=${n#0}; done
    printf '%s' "$n"
}

check_config() {
    [ -n "${PGDATABASE:-}" ] || die "PGDATABASE is not set (see docker-compose.yml)"
    case $BACKUP_KEEP_DAYS in
        '' | *[!0-9]*) die "BACKUP_KEEP_DAYS must be a number, got '$BACKUP_KEEP_DAYS'" ;;
    esac
    case $BACKUP_TIME in
        [01][0-9]:[0-5][0-9] | 2[0-3]:[0-5][0-9]) ;;
        *) die "BACKUP_TIME must be HH:MM (00:00-23:59), got '$BACKUP_TIME'" ;;
    esac
    mkdir -p "$BACKUP_DIR"
    [ -w "$BACKUP_DIR" ] || die "$BACKUP_DIR is not writable"
}

backup_once() {
    stamp=$(date +%Y%m%d-%H%M%S)
    dump="$BACKUP_DIR/logistics-$stamp.dump"
    media="$BACKUP_DIR/media-$stamp.tar.gz"

    log "dumping database $PGDATABASE on ${PGHOST:-local socket} to $dump"
    if ! pg_dump --format=custom --compress=6 --file="$dump.partial"; then
        rm -f "$dump.partial"
        log "ERROR: pg_dump failed; existing backups kept"
        return 1
    fi
    mv -f "$dump.partial" "$dump"

    if [ "$BACKUP_MEDIA" = 1 ] && [ -d "$MEDIA_DIR" ]; then
        log "archiving $MEDIA_DIR to $media"
        if ! tar -czf "$media.partial" -C "$MEDIA_DIR" .; then
            rm -f "$media.partial"
            log "ERROR: media archive failed; existing backups kept"
            return 1
        fi
        mv -f "$media.partial" "$media"
    fi

    touch "$STAMP_FILE"
    summary="database $(du -h "$dump" | cut -f1)"
    [ ! -f "$media" ] || summary="$summary, media $(du -h "$media" | cut -f1)"
    log "backup complete ($summary)"

    # -mtime +N: last modified more than N whole days ago.
    find "$BACKUP_DIR" -maxdepth 1 -type f \
        \( -name 'logistics-*.dump' -o -name 'media-*.tar.gz' \) \
        -mtime +"$BACKUP_KEEP_DAYS" -print -exec rm -f {} \; \
        | while IFS= read -r old; do log "pruned $old"; done
    return 0
}

seconds_until_backup_time() {
    now=$(date +%H:%M:%S)
    now_s=$(( $(decimal "${now%%:*}") * 3600 \
            + $(decimal "$(printf '%s' "$now" | cut -d: -f2)") * 60 \
            + $(decimal "${now##*:}") ))
    at_s=$(( $(decimal "${BACKUP_TIME%%:*}") * 3600 \
           + $(decimal "${BACKUP_TIME##*:}") * 60 ))
    wait_s=$(( (at_s - now_s + 86400) % 86400 ))
    [ "$wait_s" -gt 0 ] || wait_s=86400
    printf '%s' "$wait_s"
}

cmd=${1:-loop}
case $cmd in
    now)
        check_config
        backup_once
        ;;
    loop)
        check_config
        # `docker compose stop` sends SIGTERM: leave at once instead of
        # waiting for the grace period (sleep runs in the background so the
        # trap fires immediately).
        sleep_pid=""
        trap 'log "stopping"; [ -z "$sleep_pid" ] || kill "$sleep_pid" 2>/dev/null; exit 0' TERM INT
        # First start, or the host was down at backup time: back up now.
        if [ -z "$(find "$STAMP_FILE" -mmin -1440 2>/dev/null)" ]; then
            log "no backup in the last 24 h, backing up now"
            backup_once || true
        fi
        while :; do
            wait_s=$(seconds_until_backup_time)
            log "next backup at $BACKUP_TIME (in ${wait_s}s), keeping $BACKUP_KEEP_DAYS days"
            sleep "$wait_s" &
            sleep_pid=$!
            wait "$sleep_pid"
            sleep_pid=""
            backup_once || true
        done
        ;;
    *)
        echo "usage: $0 [loop|now]" >&2
        exit 2
        ;;
esac
