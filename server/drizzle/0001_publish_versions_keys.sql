CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`scenarios` text,
	`rate_limit` integer,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	`last_used_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_idx` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE TABLE `scenario_versions` (
	`scenario_id` text NOT NULL,
	`version` integer NOT NULL,
	`graph` text NOT NULL,
	`plan_hash` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`created_by` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`scenario_id`, `version`),
	FOREIGN KEY (`scenario_id`) REFERENCES `scenarios`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `runs` ADD `version` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `api_key_id` text;--> statement-breakpoint
CREATE INDEX `runs_kind_created_idx` ON `runs` (`kind`,`created_at`);--> statement-breakpoint
ALTER TABLE `scenarios` ADD `slug` text;--> statement-breakpoint
ALTER TABLE `scenarios` ADD `live_version` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `scenarios_slug_idx` ON `scenarios` (`slug`);