/** Running searches: run folders, logs, checkpoints and resume, results. */
package io.jnas.search;
