import { commonColumnsSql, tableOptionsSql, type MigrationInterface, type QueryRunner } from '@qc/shared/db';

/**
 * The catalog: a category tree and products with their category links and tags.
 * Products are soft-deleted; SKU and slug are unique among live products only, through generated
 * columns that are NULL once a row is deleted (MySQL and MariaDB both lack partial indexes).
 */
export class Catalog1763856000000 implements MigrationInterface {
  name = 'Catalog1763856000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE categories (
        ${commonColumnsSql},
        parent_id CHAR(36) NULL,
        name VARCHAR(120) NOT NULL,
        slug VARCHAR(140) NOT NULL,
        position INT NOT NULL DEFAULT 0,
        UNIQUE KEY categories_slug (slug),
        KEY categories_parent (parent_id, position),
        CONSTRAINT categories_parent_fk FOREIGN KEY (parent_id) REFERENCES categories (id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE products (
        ${commonColumnsSql},
        deleted_at DATETIME(3) NULL,
        version INT NOT NULL DEFAULT 1,
        sku VARCHAR(64) NOT NULL,
        name VARCHAR(200) NOT NULL,
        slug VARCHAR(220) NOT NULL,
        brand VARCHAR(100) NOT NULL,
        description TEXT NOT NULL,
        pack_size DECIMAL(10,3) NOT NULL,
        unit VARCHAR(8) NOT NULL,
        currency CHAR(3) NOT NULL DEFAULT 'INR',
        mrp_paise INT UNSIGNED NOT NULL,
        price_paise INT UNSIGNED NOT NULL,
        images TEXT NOT NULL COMMENT 'JSON array of URLs',
        tags TEXT NOT NULL COMMENT 'JSON array; product_tags is what filters use',
        tags_text VARCHAR(1000) NOT NULL COMMENT 'tags as words, for the full-text index',
        attributes TEXT NOT NULL COMMENT 'JSON object of string values',
        active TINYINT(1) NOT NULL DEFAULT 1,
        popularity INT NOT NULL DEFAULT 0,
        live_sku VARCHAR(64) GENERATED ALWAYS AS (IF(deleted_at IS NULL, sku, NULL)) STORED,
        live_slug VARCHAR(220) GENERATED ALWAYS AS (IF(deleted_at IS NULL, slug, NULL)) STORED,
        UNIQUE KEY products_live_sku (live_sku),
        UNIQUE KEY products_live_slug (live_slug),
        KEY products_popularity (popularity, id),
        KEY products_price (price_paise, id),
        KEY products_created (created_at, id),
        KEY products_brand (brand),
        KEY products_name (name),
        FULLTEXT KEY products_search (name, brand, description, tags_text),
        CONSTRAINT products_price_within_mrp CHECK (price_paise <= mrp_paise),
        CONSTRAINT products_pack_size_positive CHECK (pack_size > 0)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE product_categories (
        product_id CHAR(36) NOT NULL,
        category_id CHAR(36) NOT NULL,
        PRIMARY KEY (product_id, category_id),
        KEY product_categories_category (category_id, product_id),
        CONSTRAINT product_categories_product_fk FOREIGN KEY (product_id) REFERENCES products (id),
        CONSTRAINT product_categories_category_fk FOREIGN KEY (category_id) REFERENCES categories (id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE product_tags (
        product_id CHAR(36) NOT NULL,
        tag VARCHAR(40) NOT NULL,
        PRIMARY KEY (product_id, tag),
        KEY product_tags_tag (tag, product_id),
        CONSTRAINT product_tags_product_fk FOREIGN KEY (product_id) REFERENCES products (id)
      ) ${tableOptionsSql}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE product_tags');
    await q.query('DROP TABLE product_categories');
    await q.query('DROP TABLE products');
    await q.query('DROP TABLE categories');
  }
}
