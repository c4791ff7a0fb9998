/** The command line (picocli): serve runs the proxy; every other command talks to the admin API, never the store. */
package dev.portcullis.cli;
