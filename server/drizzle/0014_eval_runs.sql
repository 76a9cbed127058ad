CREATE TABLE `eval_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`scenario_id` text NOT NULL,
	`set_id` text NOT NULL,
	`set_revision` integer NOT NULL,
	`version` integer,
	`graph_hash` text NOT NULL,
	`job_id` text NOT NULL,
	`status` text NOT NULL,
	`total` integer NOT NULL,
	`metrics` text,
	`results` text,
	`simulated` integer DEFAULT false NOT NULL,
	`error` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`scenario_id`) REFERENCES `scenarios`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`set_id`) REFERENCES `eval_sets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `eval_runs_scenario_created_idx` ON `eval_runs` (`scenario_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `eval_runs_status_idx` ON `eval_runs` (`status`);--> statement-breakpoint
CREATE INDEX `eval_runs_job_idx` ON `eval_runs` (`job_id`);