ALTER TABLE `jobs` ADD `redacted_at` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `redacted_at` integer;