#!/bin/sh
# Starts a throwaway Dovecot IMAP server for tests, in the foreground (exec), on 127.0.0.1.
#   dovecot.sh DIR PORT USER PASSWORD [TLS_PORT CERT KEY]
# DIR (created if needed) holds everything: dovecot.conf, the passwd file, the runtime base
# directory, the log (DIR/dovecot.log) and the mail (DIR/mail/USER, Maildir). Plain IMAP on PORT
# (ssl = no there), and IMAPS on TLS_PORT with CERT/KEY (PEM files) if given. Works as root (mail
# processes then run as the owner of DIR, or as dovenull when DIR belongs to root) and as an
# ordinary user (every process runs as that user). The caller kills the printed PID's process.
set -eu
dir=$1 port=$2 user=$3 password=$4
tls_port=${5:-} cert=${6:-} key=${7:-}
mkdir -p "$dir/mail" "$dir/run"
dir=$(cd "$dir" && pwd)

if [ "$(id -u)" = 0 ]; then
  # Mail processes may not run as root: use the directory's owner, or dovenull.
  owner=$(stat -c %u "$dir")
  if [ "$owner" = 0 ]; then
    owner=$(id -u dovenull)
  fi
  group=$(getent passwd "$owner" | cut -d: -f4)
  [ -n "$group" ] || group=$owner
  chown -R "$owner:$group" "$dir/mail"
  internal_user=dovecot
  login_user=dovenull
  extra="first_valid_uid = 1
first_valid_gid = 1"
  login_extra=""
else
  owner=$(id -u)
  group=$(id -g)
  internal_user=$(id -un)
  login_user=$(id -un)
  extra="default_internal_group = $(id -gn)
service anvil {
  chroot =
}
service stats {
  chroot =
}"
  login_extra="  chroot ="
fi

printf '%s:{PLAIN}%s:%s:%s::%s/mail/%s\n' "$user" "$password" "$owner" "$group" "$dir" "$user" \
  > "$dir/passwd"

ssl_conf="ssl = no"
tls_listener=""
if [ -n "$tls_port" ]; then
  ssl_conf="ssl = yes
ssl_cert = <$cert
ssl_key = <$key"
  tls_listener="  inet_listener imaps {
    address = 127.0.0.1
    port = $tls_port
    ssl = yes
  }"
fi

cat > "$dir/dovecot.conf" <<CONF
base_dir = $dir/run
instance_name = overture-test-$port
protocols = imap
listen = 127.0.0.1
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
default_internal_user = $internal_user
default_login_user = $login_user
disable_plaintext_auth = no
auth_mechanisms = plain login
$ssl_conf
mail_location = maildir:$dir/mail/%u
$extra
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $dir/passwd
}
service imap-login {
$login_extra
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
$tls_listener
}
CONF
exec /usr/sbin/dovecot -F -c "$dir/dovecot.conf"
