CREATE TABLE `model_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`base_url` text NOT NULL,
	`api_key` text,
	`key_last4` text,
	`models` text NOT NULL,
	`max_concurrency` integer,
	`timeout_ms` integer,
	`supports_json_schema` integer DEFAULT true NOT NULL,
	`stream` integer DEFAULT true NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_endpoints_name_idx` ON `model_endpoints` (`name`);