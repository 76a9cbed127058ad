CREATE TABLE `job_items` (
	`job_id` text NOT NULL,
	`seq` integer NOT NULL,
	`item_id` text NOT NULL,
	`inputs` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`run_id` text,
	`outputs` text,
	`error` text,
	`latency_ms` integer,
	`started_at` integer,
	`finished_at` integer,
	PRIMARY KEY(`job_id`, `seq`),
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `job_items_item_idx` ON `job_items` (`job_id`,`item_id`);--> statement-breakpoint
CREATE INDEX `job_items_status_idx` ON `job_items` (`job_id`,`status`,`seq`);--> statement-breakpoint
CREATE TABLE `job_webhook_attempts` (
	`job_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`at` integer NOT NULL,
	`status` integer,
	`error` text,
	PRIMARY KEY(`job_id`, `attempt`),
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`scenario_id` text NOT NULL,
	`slug` text NOT NULL,
	`version` integer NOT NULL,
	`owner` text NOT NULL,
	`status` text NOT NULL,
	`total` integer NOT NULL,
	`idempotency_key` text,
	`body_hash` text NOT NULL,
	`webhook_url` text,
	`webhook_delivered_at` integer,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	FOREIGN KEY (`scenario_id`) REFERENCES `scenarios`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_owner_idem_idx` ON `jobs` (`owner`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `jobs_scenario_created_idx` ON `jobs` (`scenario_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `jobs_status_idx` ON `jobs` (`status`,`created_at`);