-- The audit log is append-only: any UPDATE or DELETE of a row aborts its statement (and the caller's
-- transaction sees the error), whoever sends it: the app, the CLI or a raw SQL session.
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log`
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted');
END;
