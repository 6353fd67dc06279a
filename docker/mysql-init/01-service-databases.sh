#!/bin/bash
# Creates the ten service schemas and one MySQL user per service, with every privilege on its own
# schema and nothing else (the gateway has no schema). The same work as
# shared/src/db/cli/provision-databases.ts, for the mysql image's first start.
#
# The mysql image runs this once, when it initialises an empty data volume, against its temporary
# socket-only server. It is sourced by the image's entrypoint (or executed, if marked executable),
# so it sets no shell options and keeps its names in functions. Passwords come from the container's
# environment (<SERVICE>_DB_PASSWORD, required by docker-compose.yml). Changing one later does not
# re-run this: `ALTER USER` it by hand, or drop the volume (`docker compose down -v`, losing data).

qc_fail() {
  echo "mysql-init: $*" >&2
  exit 1
}

# Root's password travels in a client option file on a pipe, never on a command line.
qc_mysql_root() {
  mysql --defaults-extra-file=<(printf '[client]\nuser=root\npassword="%s"\n' "$MYSQL_ROOT_PASSWORD") \
    --protocol=socket --socket="${SOCKET:-/var/run/mysqld/mysqld.sock}" "$@"
}

# usage: qc_service_database <user> <schema> <name of the variable holding the password>
qc_service_database() {
  local user="$1" schema="$2" password_var="$3"
  local password="${!password_var}"
  [ -n "$password" ] || qc_fail "$password_var is empty; set it in .env (see .env.example)"
  # The password also goes verbatim into the service's MYSQL_URL, so only URL-safe characters.
  [[ "$password" =~ ^[A-Za-z0-9._~-]+$ ]] ||
    qc_fail "$password_var may only hold letters, digits and . _ ~ - (it is part of a URL); try: openssl rand -hex 16"
  echo "mysql-init: schema $schema, user $user"
  # `_` is a wildcard in a database-level GRANT: escaped, the grant covers this one schema only.
  qc_mysql_root <<-EOSQL || qc_fail "could not create $schema / $user"
	CREATE DATABASE IF NOT EXISTS \`$schema\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
	CREATE USER IF NOT EXISTS '$user'@'%' IDENTIFIED BY '$password';
	ALTER USER '$user'@'%' IDENTIFIED BY '$password';
	GRANT ALL PRIVILEGES ON \`${schema//_/\\_}\`.* TO '$user'@'%';
	EOSQL
}

qc_service_database user_service qc_user USER_SERVICE_DB_PASSWORD
qc_service_database product_service qc_product PRODUCT_SERVICE_DB_PASSWORD
qc_service_database inventory_service qc_inventory INVENTORY_SERVICE_DB_PASSWORD
qc_service_database order_service qc_order ORDER_SERVICE_DB_PASSWORD
qc_service_database cart_service qc_cart CART_SERVICE_DB_PASSWORD
qc_service_database payment_service qc_payment PAYMENT_SERVICE_DB_PASSWORD
qc_service_database delivery_service qc_delivery DELIVERY_SERVICE_DB_PASSWORD
qc_service_database notification_service qc_notification NOTIFICATION_SERVICE_DB_PASSWORD
qc_service_database location_service qc_location LOCATION_SERVICE_DB_PASSWORD
qc_service_database analytics_service qc_analytics ANALYTICS_SERVICE_DB_PASSWORD
