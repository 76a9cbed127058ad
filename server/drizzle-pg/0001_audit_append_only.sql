-- The audit log is append-only, as in SQLite (server/drizzle/0009_audit_append_only.sql): any UPDATE or
-- DELETE of a row aborts its statement, whoever sends it. PostgreSQL also has TRUNCATE, which row
-- triggers do not see, so a statement trigger refuses that too.
CREATE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' THEN
		RAISE EXCEPTION 'audit_log is append-only: entries cannot be changed';
	END IF;
	RAISE EXCEPTION 'audit_log is append-only: entries cannot be deleted';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_log_no_update" BEFORE UPDATE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_no_delete" BEFORE DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_append_only"();
