-- Services and the extra host names they answer on. Times are epoch milliseconds.
CREATE TABLE services (
  name                 TEXT PRIMARY KEY,
  project              TEXT NOT NULL,
  upstream             TEXT NOT NULL,
  iap                  BOOLEAN NOT NULL,
  ingress              TEXT NOT NULL,
  connect_timeout_ms   BIGINT,
  response_timeout_ms  BIGINT,
  idle_timeout_ms      BIGINT,
  version              BIGINT NOT NULL,
  create_time          BIGINT NOT NULL,
  update_time          BIGINT NOT NULL
);

CREATE TABLE service_hosts (
  host    TEXT PRIMARY KEY,
  service TEXT NOT NULL REFERENCES services(name) ON DELETE CASCADE
);

CREATE INDEX service_hosts_service ON service_hosts(service);

-- Small facts the process keeps about itself (for example where the demo upstream listens).
CREATE TABLE meta (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
