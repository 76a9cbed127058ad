ALTER TABLE `jobs` ADD `purpose` text DEFAULT 'batch' NOT NULL;--> statement-breakpoint
ALTER TABLE `jobs` ADD `graph` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `graph_hash` text;