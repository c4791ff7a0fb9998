/** The store: JDBC repositories over SQLite, schema migrations by Flyway. */
package dev.portcullis.store;
