/** Services: the upstream apps Portcullis fronts, their rules, and the immutable catalog routing reads. */
package dev.portcullis.service;
