CREATE TABLE `review_items` (
	`id` text PRIMARY KEY NOT NULL,
	`scenario_id` text NOT NULL,
	`slug` text NOT NULL,
	`version` integer NOT NULL,
	`source_key` text NOT NULL,
	`run_id` text NOT NULL,
	`job_id` text,
	`item_id` text,
	`inputs` text,
	`outputs` text,
	`reasons` text NOT NULL,
	`reason_codes` text NOT NULL,
	`simulated` integer DEFAULT false NOT NULL,
	`day` text NOT NULL,
	`sampled` integer DEFAULT false NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`decided_at` integer,
	`decided_by` text,
	`decision` text,
	`redacted_at` integer,
	FOREIGN KEY (`scenario_id`) REFERENCES `scenarios`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `review_items_source_idx` ON `review_items` (`source_key`);--> statement-breakpoint
CREATE INDEX `review_items_scenario_status_idx` ON `review_items` (`scenario_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `review_items_status_idx` ON `review_items` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `review_items_sample_idx` ON `review_items` (`scenario_id`,`day`,`sampled`);--> statement-breakpoint
CREATE TABLE `review_rules` (
	`scenario_id` text PRIMARY KEY NOT NULL,
	`config` text,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`scenario_id`) REFERENCES `scenarios`(`id`) ON UPDATE no action ON DELETE cascade
);
