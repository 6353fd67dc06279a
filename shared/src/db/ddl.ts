/** How every table is created, for migrations: InnoDB (row locks, transactions) and full Unicode. */
export const tableOptionsSql = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
