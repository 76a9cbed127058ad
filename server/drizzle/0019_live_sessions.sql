CREATE TABLE `alert_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`scenario_id` text NOT NULL,
	`session_id` text NOT NULL,
	`alert_id` text NOT NULL,
	`url` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_status` integer,
	`last_error` text,
	`next_attempt_at` integer,
	`created_at` integer NOT NULL,
	`delivered_at` integer,
	FOREIGN KEY (`scenario_id`) REFERENCES `scenarios`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alert_deliveries_pending_idx` ON `alert_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `alert_deliveries_scenario_idx` ON `alert_deliveries` (`scenario_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `alert_settings` (
	`scenario_id` text PRIMARY KEY NOT NULL,
	`rules` text NOT NULL,
	`risk_output` text,
	`webhook_url` text,
	`webhook_secret` text,
	`updated_at` integer NOT NULL,
	`updated_by` text,
	FOREIGN KEY (`scenario_id`) REFERENCES `scenarios`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `call_session_events` (
	`session_id` text NOT NULL,
	`seq` integer NOT NULL,
	`name` text NOT NULL,
	`data` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`session_id`, `seq`),
	FOREIGN KEY (`session_id`) REFERENCES `call_sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `call_session_turns` (
	`session_id` text NOT NULL,
	`seq` integer NOT NULL,
	`turn_id` text NOT NULL,
	`role` text NOT NULL,
	`text` text NOT NULL,
	`start` real,
	`end` real,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`session_id`, `seq`),
	FOREIGN KEY (`session_id`) REFERENCES `call_sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `call_session_turns_id_idx` ON `call_session_turns` (`session_id`,`turn_id`);--> statement-breakpoint
CREATE TABLE `call_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`scenario_id` text NOT NULL,
	`slug` text NOT NULL,
	`version` integer NOT NULL,
	`api_key_id` text,
	`call_id` text,
	`meta` text,
	`inputs` text,
	`status` text NOT NULL,
	`turn_count` integer DEFAULT 0 NOT NULL,
	`update_count` integer DEFAULT 0 NOT NULL,
	`next_event` integer DEFAULT 0 NOT NULL,
	`outputs` text,
	`alerts` text NOT NULL,
	`metrics` text,
	`simulated` integer DEFAULT false NOT NULL,
	`desk_token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_turn_at` integer,
	`last_activity_at` integer NOT NULL,
	`ended_at` integer,
	`end_reason` text,
	`final_run_id` text,
	`final_run` text,
	`confirmation` text,
	FOREIGN KEY (`scenario_id`) REFERENCES `scenarios`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `call_sessions_status_idx` ON `call_sessions` (`status`,`last_activity_at`);--> statement-breakpoint
CREATE INDEX `call_sessions_scenario_idx` ON `call_sessions` (`scenario_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `call_sessions_call_idx` ON `call_sessions` (`call_id`);