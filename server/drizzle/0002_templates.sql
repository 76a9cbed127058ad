CREATE TABLE `template_versions` (
	`template_id` text NOT NULL,
	`version` text NOT NULL,
	`graph` text NOT NULL,
	`meta` text NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`samples` text,
	`source` text NOT NULL,
	`created_by` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`deprecated_at` integer,
	PRIMARY KEY(`template_id`, `version`),
	FOREIGN KEY (`template_id`) REFERENCES `templates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `templates` (
	`id` text PRIMARY KEY NOT NULL,
	`category` text NOT NULL,
	`meta` text NOT NULL,
	`source` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `scenarios` ADD `template_id` text;--> statement-breakpoint
ALTER TABLE `scenarios` ADD `template_version` text;