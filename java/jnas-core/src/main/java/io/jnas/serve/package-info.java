/**
 * {@code jnas serve}: {@link io.jnas.study.Study studies} over HTTP and JSON
 * ({@link io.jnas.serve.StudyServer}), for programs outside the JVM.
 */
package io.jnas.serve;
