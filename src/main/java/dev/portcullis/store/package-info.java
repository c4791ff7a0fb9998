/** The store: JDBC repositories over SQLite or PostgreSQL, schema migrations by Flyway, the change feed. */
package dev.portcullis.store;
