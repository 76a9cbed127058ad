CREATE TABLE `publish_gates` (
	`scenario_id` text PRIMARY KEY NOT NULL,
	`set_id` text NOT NULL,
	`metric` text NOT NULL,
	`min` real,
	`max_drop` real,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`scenario_id`) REFERENCES `scenarios`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `scenario_versions` ADD `gate` text;