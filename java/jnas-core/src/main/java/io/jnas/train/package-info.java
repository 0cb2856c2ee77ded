/** Training utilities shared by the search and the final training: schedules, checkpoints. */
package io.jnas.train;
