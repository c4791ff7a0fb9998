/** The demo app served by Portcullis itself on the embedded default, so a first run has something behind it. */
package dev.portcullis.demo;
