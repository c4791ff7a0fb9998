-- PostgreSQL only: the change feed between replicas (SQLite has one process, nothing to tell).
-- Every committed write to a table that replicas hold in memory sends the table's name on channel
-- portcullis_changes; each replica then rebuilds what that table feeds. NOTIFY is transactional: sent
-- at commit, never for a rolled-back write, and a name sent many times in one transaction arrives once.
-- A table added later that replicas hold in memory needs its trigger here too (ChangeFeedSchemaTest
-- fails until it has one or is listed as not held in memory).
CREATE FUNCTION portcullis_notify_table() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('portcullis_changes', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER services_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON services
  FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_table();
CREATE TRIGGER service_hosts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_hosts
  FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_table();
CREATE TRIGGER groups_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON groups
  FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_table();
CREATE TRIGGER group_members_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON group_members
  FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_table();
CREATE TRIGGER service_accounts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_table();
CREATE TRIGGER service_account_keys_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_account_keys
  FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_table();
CREATE TRIGGER access_levels_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON access_levels
  FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_table();
CREATE TRIGGER iam_policies_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON iam_policies
  FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_table();
CREATE TRIGGER custom_roles_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON custom_roles
  FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_table();
CREATE TRIGGER signing_keys_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON signing_keys
  FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_table();
-- Of users, memory holds only who is disabled: a sign-in (last_sign_in, failed attempts) is not news.
CREATE TRIGGER users_changed AFTER INSERT OR DELETE OR UPDATE OF disabled OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_table();

-- Sessions are cached one by one: a revocation names the session's hash (never the cookie), so every
-- replica drops exactly that one.
CREATE FUNCTION portcullis_notify_session_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('portcullis_changes', 'sessions:' || NEW.id_hash);
  RETURN NULL;
END
$$;

CREATE TRIGGER sessions_revoked AFTER UPDATE OF revoked ON sessions
  FOR EACH ROW WHEN (NEW.revoked AND NOT OLD.revoked) EXECUTE FUNCTION portcullis_notify_session_revoked();
