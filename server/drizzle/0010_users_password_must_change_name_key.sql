ALTER TABLE `users` ADD `password_must_change` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `name_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `users_name_key_idx` ON `users` (`name_key`);