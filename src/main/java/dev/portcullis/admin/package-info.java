/** The admin listener: health, readiness and metrics, and the JSON admin API that every change goes through. */
package dev.portcullis.admin;
