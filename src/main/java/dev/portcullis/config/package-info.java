/** Static settings: YAML file and PORTCULLIS_* variables, validated before start with one-line errors. */
package dev.portcullis.config;
