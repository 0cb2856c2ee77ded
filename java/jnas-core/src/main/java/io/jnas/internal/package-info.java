/** Helpers outside the public API: the native binding and its loaders. */
package io.jnas.internal;
