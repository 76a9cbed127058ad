CREATE TABLE `eval_cases` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`set_id` text NOT NULL,
	`case_id` text NOT NULL,
	`inputs` text NOT NULL,
	`expected` text NOT NULL,
	`source` text NOT NULL,
	`added_in` integer NOT NULL,
	`removed_in` integer,
	FOREIGN KEY (`set_id`) REFERENCES `eval_sets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `eval_cases_set_case_added_idx` ON `eval_cases` (`set_id`,`case_id`,`added_in`);--> statement-breakpoint
CREATE INDEX `eval_cases_set_range_idx` ON `eval_cases` (`set_id`,`added_in`,`removed_in`);--> statement-breakpoint
CREATE TABLE `eval_revisions` (
	`set_id` text NOT NULL,
	`revision` integer NOT NULL,
	`at` integer NOT NULL,
	`by` text NOT NULL,
	`change` text NOT NULL,
	`added` integer NOT NULL,
	`changed` integer NOT NULL,
	`removed` integer NOT NULL,
	`cases` integer NOT NULL,
	PRIMARY KEY(`set_id`, `revision`),
	FOREIGN KEY (`set_id`) REFERENCES `eval_sets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `eval_sets` (
	`id` text PRIMARY KEY NOT NULL,
	`scenario_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`revision` integer DEFAULT 0 NOT NULL,
	`next_case` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`scenario_id`) REFERENCES `scenarios`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `eval_sets_scenario_name_idx` ON `eval_sets` (`scenario_id`,`name`);