/** The pages Portcullis renders itself (errors now; sign-in, denied and console later), sharing one look. */
package dev.portcullis.pages;
