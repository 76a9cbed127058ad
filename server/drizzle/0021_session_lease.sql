CREATE TABLE `call_session_inbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`session_id` text NOT NULL,
	`turns` text NOT NULL,
	`end_reason` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `call_sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `call_session_inbox_session_idx` ON `call_session_inbox` (`session_id`,`seq`);--> statement-breakpoint
ALTER TABLE `call_sessions` ADD `owner` text;--> statement-breakpoint
ALTER TABLE `call_sessions` ADD `lease_expires_at` integer;--> statement-breakpoint
CREATE INDEX `call_session_events_at_idx` ON `call_session_events` (`at`);